/*
materialized: view
description: Downtime events as delivered, with their reason's planned flag and loss category. end_ts is NULL while the machine is still down (an open event).
grain: [event_id]
tags: [staging]
*/
select
  e.event_id,
  e.machine_id,
  e.start_ts,
  e.end_ts,
  e.end_ts is null as is_open,
  e.reason_code,
  r.planned,
  r.loss_category,
  e.operator_id,
  e.note
from source('downtime_events') e
join ref('stg_downtime_reasons') r on r.reason_code = e.reason_code
