/*
description: "Shifts of one plant never overlap (CONTRACT §2): a count, stop or defect must belong to one shift only. Failing rows: each overlapping pair of shifts."
severity: error
tags: [oee, time]
*/
select
  a.plant_id,
  a.shift_id,
  a.shift_start_ts,
  a.shift_end_ts,
  b.shift_id as overlapping_shift_id,
  b.shift_start_ts as overlapping_start_ts,
  b.shift_end_ts as overlapping_end_ts
from ref('stg_shifts') a
join ref('stg_shifts') b
  on b.plant_id = a.plant_id
  and a.shift_id < b.shift_id
  and a.shift_start_ts < b.shift_end_ts
  and b.shift_start_ts < a.shift_end_ts
