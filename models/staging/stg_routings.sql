/*
materialized: view
description: Ideal cycle time of a product on a machine (current snapshot); the basis of ideal_s.
grain: [machine_id, product_id]
tags: [staging]
*/
select
  machine_id,
  product_id,
  ideal_cycle_time_s
from source('routings')
