/*
materialized: table
description: One row per material batch, with its material and the order it was issued to (if any).
grain: [batch_id]
tags: [core, dim]
columns:
  material_id: { description: "Material", tests: [not_null, { relationships: { to: dim_material, field: material_id } }] }
tests:
  - unique: [batch_id]
  - not_null: [batch_id]
*/
select
  b.batch_id,
  b.material_id,
  m.material_name,
  b.supplier,
  b.received_at,
  b.quantity,
  b.order_id
from ref('stg_batches') b
left join ref('stg_materials') m on m.material_id = b.material_id
