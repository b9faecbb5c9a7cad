/*
materialized: view
description: Materials (current snapshot).
grain: [material_id]
tags: [staging]
*/
select
  material_id,
  material_name,
  supplier,
  unit_cost
from source('materials')
