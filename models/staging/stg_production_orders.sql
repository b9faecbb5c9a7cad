/*
materialized: view
description: Production orders (latest version of each order).
grain: [order_id]
tags: [staging]
*/
select
  order_id,
  product_id,
  line_id,
  planned_qty,
  planned_start,
  planned_end,
  due_date,
  status
from source('production_orders')
