/*
materialized: incremental
unique_key: [machine_id, failure_start_ts]
# A build recomputes the windows of new failures and of failures whose window holds a new or
# re-sent reading (new_rows), from the readings of those windows only. A failure that went away
# (or whose start moved) would leave its rows behind: then it is rebuilt in full.
full_refresh_if: >-
  exists (
    select machine_id, min(merged_stop_start_ts)
    from previous('fact_stop_segment') where is_failure group by machine_id, stop_id
    except
    select machine_id, min(merged_stop_start_ts)
    from ref('fact_stop_segment') where is_failure group by machine_id, stop_id
  )
description: "Exact sums of each sensor's readings in the 24 h before each failure, [failure start - 24 h, failure start) (CONTRACT §3 Degradation; a failure as in fact_stop_segment): what mart_degradation_signature scores, so that a build reads the readings of the windows that changed instead of those of every failure. Sums as in sensor_day_stats: values x in nano-units (round(value * 1e9)), times t in microseconds since the window's start, added as integers, exact and the same in any order. One row per failure and sensor with a reading in the window; readings of every quality are counted, so a window whose good readings are re-sent as bad keeps a row of 0 good readings."
grain: [machine_id, failure_start_ts, sensor]
tags: [core, reliability, sensor]
columns:
  machine_id: { description: "Machine" }
  failure_start_ts: { description: "Start of the failure (its merged stop's start)" }
  sensor: { description: "Sensor" }
  window_start_ts: { description: "failure_start_ts - 24 h" }
  readings: { description: "Readings of every quality in the window (at least 1)" }
  good_readings: { description: "Readings with quality good; the sums are over these, and NULL when there are none" }
  sum_nano: { description: "Sum of x (DECIMAL(38, 0): Parquet has no 128-bit integer)" }
  sum_t_us: { description: "Sum of t, microseconds since window_start_ts" }
  sum_t_sq_us2: { description: "Sum of t^2" }
  sum_x_t: { description: "Sum of x * t" }
tests:
  - unique: [machine_id, failure_start_ts, sensor]
  - not_null: [machine_id, failure_start_ts, sensor, window_start_ts, readings, good_readings]
  - expression: { name: good_readings_counted_in_readings, sql: "good_readings <= readings and readings >= 1" }
  - expression: { name: sums_iff_good_readings, sql: "(good_readings = 0) = (sum_nano is null)" }
*/
with failures as (
  select machine_id, min(merged_stop_start_ts) as failure_start_ts
  from ref('fact_stop_segment')
  where is_failure
  group by machine_id, stop_id
),
known as (
  -- The failures when this model last ran (none in a full build).
  select machine_id, min(merged_stop_start_ts) as failure_start_ts
  from previous('fact_stop_segment')
  where is_failure
  group by machine_id, stop_id
),
-- The UTC days each failure's window touches.
failure_days as (
  select machine_id, failure_start_ts,
    unnest(range(
      epoch_us(failure_start_ts - interval 24 hours) // 86400000000,
      (epoch_us(failure_start_ts) - 1) // 86400000000 + 1
    )) as day_no
  from failures
),
new_days as (
  -- Machine days with new or re-sent readings (in a full build, every one).
  select distinct machine_id, epoch_us(ts) // 86400000000 as day_no
  from new_rows('fact_sensor_reading')
),
due as (
  (select machine_id, failure_start_ts from failures
   except
   select machine_id, failure_start_ts from known)
  union
  -- A window on a day with new readings (maybe not inside the window: recomputed all the same).
  select distinct f.machine_id, f.failure_start_ts
  from failure_days f
  semi join new_days n on n.machine_id = f.machine_id and n.day_no = f.day_no
),
due_days as (
  select d.machine_id, d.failure_start_ts, f.day_no
  from due d
  join failure_days f on f.machine_id = d.machine_id and f.failure_start_ts = d.failure_start_ts
),
window_readings as (
  select d.machine_id, d.failure_start_ts, r.sensor,
    coalesce(r.quality, 'good') = 'good' as good,
    cast(round(r.value * 1e9) as bigint) as x,
    epoch_us(r.ts) - epoch_us(d.failure_start_ts - interval 24 hours) as t
  from due_days d
  join ref('fact_sensor_reading') r
    on r.machine_id = d.machine_id and epoch_us(r.ts) // 86400000000 = d.day_no
    and r.ts >= d.failure_start_ts - interval 24 hours and r.ts < d.failure_start_ts
  -- Lets the Parquet scan skip row groups before the earliest window due.
  where r.ts >= (select min(failure_start_ts) - interval 24 hours from due)
)
select
  machine_id,
  failure_start_ts,
  sensor,
  failure_start_ts - interval 24 hours as window_start_ts,
  count(*) as readings,
  count(*) filter (where good) as good_readings,
  -- HUGEINT sums, stored as DECIMAL(38, 0): Parquet has no 128-bit integer.
  cast(sum(x) filter (where good) as decimal(38, 0)) as sum_nano,
  cast(sum(t) filter (where good) as decimal(38, 0)) as sum_t_us,
  cast(sum(t::hugeint * t) filter (where good) as decimal(38, 0)) as sum_t_sq_us2,
  cast(sum(x::hugeint * t) filter (where good) as decimal(38, 0)) as sum_x_t
from window_readings
group by machine_id, failure_start_ts, sensor
