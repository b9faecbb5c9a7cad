/*
materialized: view
description: Scheduled shifts as delivered, with the plant's time zone and production date (the plant-local date on which the shift starts).
grain: [shift_id]
tags: [staging]
columns:
  shift_start_ts: { description: "Scheduled start (instant)" }
  shift_end_ts: { description: "Scheduled end (instant), not yet truncated at the cut-off" }
  production_date: { description: "Plant-local date of the shift start (CONTRACT §2)" }
*/
select
  s.shift_id,
  s.plant_id,
  s.shift_name,
  s.start_ts as shift_start_ts,
  s.end_ts as shift_end_ts,
  cast(s.start_ts at time zone p.timezone as date) as production_date,
  p.timezone
from source('shifts') s
join source('plants') p on p.plant_id = s.plant_id
