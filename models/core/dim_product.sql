/*
materialized: table
description: "Products as a type-2 slowly changing dimension over the snapshot loads (versions from scd2_versions, the same rules as dim_machine): a new version whenever a cost, the price or any other attribute changes; one current row per product of the current snapshot; validity intervals never overlap."
grain: [product_key]
tags: [core, dim, scd2]
columns:
  product_key: { description: "Surrogate key of the version: product_id @ load id that brought it" }
  product_id: { description: "Product (natural key)" }
  material_cost: { description: "Material cost per unit, plant currency" }
  unit_cost: { description: "Standard full cost per unit (the value of a scrapped unit)" }
  rework_cost: { description: "Cost of reworking one unit" }
  unit_price: { description: "Selling price per unit" }
  defect_opportunities: { description: "Opportunities for a defect per unit (DPMO)" }
  valid_from: { description: "Commit time of the load that brought this version (inclusive)" }
  valid_to: { description: "Commit time of the load that replaced it (exclusive); NULL while current" }
  is_current: { description: "True for the version of the current snapshot" }
tests:
  - unique: [product_key]
  - not_null: [product_key, product_id, valid_from, is_current]
  - expression: { name: valid_interval_positive, sql: "valid_to is null or valid_to > valid_from" }
  - expression: { name: current_iff_open, sql: "is_current = (valid_to is null)" }
*/
select
  v.natural_key || '@' || v.first_load_id as product_key,
  h.product_id,
  h.product_name,
  h.family,
  h.material_cost,
  h.unit_cost,
  h.rework_cost,
  h.unit_price,
  h.defect_opportunities,
  v.valid_from,
  v.valid_to,
  v.is_current,
  v.version,
  v.first_load_id
from ref('scd2_versions') v
join source_history('products') h on h.product_id = v.natural_key and h._load_id = v.first_load_id
where v.entity = 'products'
