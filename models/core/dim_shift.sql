/*
materialized: table
description: "Shifts that start before their plant's cut-off (CONTRACT §2). The shift containing the cut-off is truncated to [start, cut-off) and flagged partial; shift_s is its real length in seconds (a shift across a daylight-saving change is 1 h shorter or longer on the wall clock)."
grain: [shift_id]
tags: [core, dim, oee]
columns:
  shift_id: { description: "Shift" }
  plant_id: { description: "Plant", tests: [not_null, { relationships: { to: dim_plant, field: plant_id } }] }
  shift_start_ts: { description: "Start (instant)" }
  shift_end_ts: { description: "End (instant), truncated at the cut-off" }
  scheduled_end_ts: { description: "End as scheduled" }
  production_date: { description: "Plant-local date of the start" }
  partial: { description: "True when the cut-off falls inside the shift" }
  shift_s: { description: "Length in seconds up to the cut-off" }
tests:
  - unique: [shift_id]
  - not_null: [shift_id, plant_id, shift_start_ts, shift_end_ts, production_date, shift_s]
  - expression: { name: shift_has_length, sql: "shift_s > 0" }
*/
select
  s.shift_id,
  s.plant_id,
  s.shift_name,
  s.shift_start_ts,
  least(s.shift_end_ts, c.cutoff_ts) as shift_end_ts,
  s.shift_end_ts as scheduled_end_ts,
  s.production_date,
  s.shift_end_ts > c.cutoff_ts as partial,
  (epoch_us(least(s.shift_end_ts, c.cutoff_ts)) - epoch_us(s.shift_start_ts)) / 1e6 as shift_s,
  s.timezone
from ref('stg_shifts') s
join ref('plant_cutoff') c on c.plant_id = s.plant_id
where s.shift_start_ts < c.cutoff_ts
