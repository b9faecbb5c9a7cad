/*
materialized: table
description: One row per material.
grain: [material_id]
tags: [core, dim]
tests:
  - unique: [material_id]
  - not_null: [material_id]
*/
select material_id, material_name, supplier, unit_cost
from ref('stg_materials')
