/*
materialized: view
description: Material batches received (latest version of each batch).
grain: [batch_id]
tags: [staging]
*/
select
  batch_id,
  material_id,
  supplier,
  received_at,
  quantity,
  order_id
from source('batches')
