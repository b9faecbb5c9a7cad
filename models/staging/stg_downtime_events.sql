/*
materialized: view
description: "Downtime events as delivered (the latest arrival of each event_id). end_ts is NULL while the machine is still down (an open event). Reads only the source, so an incremental model can read its new rows and its rows as of an earlier load; stop_merged joins the reason's planned flag and loss category."
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
  e.operator_id,
  e.note
from source('downtime_events') e
