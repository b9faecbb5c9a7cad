/*
materialized: view
description: Maintenance work orders (latest version of each), with the repair's length.
grain: [work_order_id]
tags: [staging]
*/
select
  work_order_id,
  machine_id,
  kind,
  failure_at,
  repair_start,
  repair_end,
  (epoch_us(repair_end) - epoch_us(repair_start)) / 1e6 as repair_duration_s,
  failure_mode,
  cost
from source('maintenance_orders')
