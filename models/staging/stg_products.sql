/*
materialized: view
description: Products (current snapshot) with their standard costs and price.
grain: [product_id]
tags: [staging]
*/
select
  product_id,
  product_name,
  family,
  material_cost,
  unit_cost,
  rework_cost,
  unit_price,
  defect_opportunities
from source('products')
