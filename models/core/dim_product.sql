/*
materialized: table
description: "Products as a type-2 slowly changing dimension over the snapshot loads (same rules as dim_machine): a new version whenever a cost, the price or any other attribute changes; one current row per product of the current snapshot; validity intervals never overlap."
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
with history as (
  select
    product_id, product_name, family, material_cost, unit_cost, rework_cost, unit_price, defect_opportunities,
    _load_id, _loaded_at,
    {'product_name': product_name, 'family': family, 'material_cost': material_cost, 'unit_cost': unit_cost,
     'rework_cost': rework_cost, 'unit_price': unit_price, 'defect_opportunities': defect_opportunities} as attributes
  from source_history('products')
),
snapshot_loads as (
  select distinct _load_id, _loaded_at from history
),
states as (
  select k.product_id, l._load_id, l._loaded_at, h.attributes
  from (select product_id, min(_load_id) as first_load_id from history group by product_id) k
  join snapshot_loads l on l._load_id >= k.first_load_id
  left join history h on h.product_id = k.product_id and h._load_id = l._load_id
),
changes as (
  select *,
    attributes is distinct from lag(attributes) over (partition by product_id order by _load_id) as is_change
  from states
),
versions as (
  select
    product_id, _load_id as first_load_id, _loaded_at as valid_from, attributes,
    lead(_loaded_at) over (partition by product_id order by _load_id) as valid_to
  from changes
  where is_change
)
select
  v.product_id || '@' || v.first_load_id as product_key,
  v.product_id,
  h.product_name,
  h.family,
  h.material_cost,
  h.unit_cost,
  h.rework_cost,
  h.unit_price,
  h.defect_opportunities,
  v.valid_from,
  v.valid_to,
  v.valid_to is null as is_current,
  row_number() over (partition by v.product_id order by v.first_load_id) as version,
  v.first_load_id
from versions v
join history h on h.product_id = v.product_id and h._load_id = v.first_load_id
where v.attributes is not null
