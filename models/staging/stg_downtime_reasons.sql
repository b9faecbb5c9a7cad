/*
materialized: view
description: Downtime reasons with the loss bucket each feeds in the OEE cell (CONTRACT §3).
grain: [reason_code]
tags: [staging]
columns:
  loss_bucket: { description: "planned for planned reasons; else breakdown, setup, or other_stop (material_shortage, quality_hold, other_unplanned, planned_maintenance when unplanned). Small stops are decided per merged stop, not per reason." }
*/
select
  reason_code,
  description,
  planned,
  loss_category,
  case
    when planned then 'planned'
    when loss_category = 'breakdown' then 'breakdown'
    when loss_category = 'setup' then 'setup'
    else 'other_stop'
  end as loss_bucket
from source('downtime_reasons')
