/*
materialized: view
description: Count intervals per machine (latest arrival per machine and interval_start), with good = total - reject and the interval's length.
grain: [machine_id, interval_start]
tags: [staging]
columns:
  reject_count: { description: "Units not first-pass good (scrap and rework included)" }
  good_count: { description: "total_count - reject_count" }
  interval_s: { description: "Length of the count interval in seconds (shares a cell among its products)" }
*/
select
  machine_id,
  order_id,
  product_id,
  operator_id,
  interval_start,
  interval_end,
  total_count,
  reject_count,
  total_count - reject_count as good_count,
  (epoch_us(interval_end) - epoch_us(interval_start)) / 1e6 as interval_s,
  _load_id
from source('production_counts')
