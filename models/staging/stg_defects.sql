/*
materialized: view
description: Defects found (latest version of each defect).
grain: [defect_id]
tags: [staging]
*/
select
  defect_id,
  detected_at,
  machine_id,
  order_id,
  product_id,
  batch_id,
  defect_code,
  severity,
  quantity,
  disposition
from source('defects')
