/*
materialized: incremental
unique_key: [machine_id, sensor, utc_day]
description: "Exact sums of the sensor readings per machine, sensor and UTC day, split where a plant-local month starts inside the day (a day has one row, or two on the day a month begins in the plant's time zone): the building block of mart_capability (months) and mart_degradation_signature (UTC days), which read these rows (~25 k a quarter on the medium bench factory) instead of every reading. Incremental: a build recomputes only the UTC days that new or re-sent readings fall on, for every machine and sensor (unique_key machine, sensor, UTC day: the day's rows are replaced as a whole; a day never empties, because readings of every quality are counted, so a reading re-sent as bad leaves a row of 0 good readings). Values are summed as integers in nano-units, x = round(value * 1e9), and times as microseconds t since the UTC day's start, so every sum is exact and the same whatever order DuckDB's threads add in: an incremental build gives the same bits as a full one, and the marts compute their figures from exact sums. Limits: |value| < 9.2e9, and the sum of value^2 over a plant-local month < 1.7e20 (e.g. |value| < 8e6 at one reading a second); beyond them the build stops with an overflow error, it never wraps."
grain: [machine_id, sensor, utc_day, month_start]
tags: [core, process, sensor]
columns:
  machine_id: { description: "Machine" }
  sensor: { description: "Sensor name" }
  utc_day: { description: "UTC day [00:00, 24:00) of the readings" }
  month_start: { description: "First day of the plant-local month of the readings (machine_timezone); NULL when the machine is not in the current snapshot" }
  readings: { description: "Readings of every quality in this row's part of the day (at least 1)" }
  good_readings: { description: "Readings with quality good; every figure below is over these, and NULL when there are none" }
  first_ts: { description: "First good reading" }
  last_ts: { description: "Last good reading" }
  value_first_nano: { description: "Value of the first good reading in nano-units, round(value * 1e9)" }
  value_last_nano: { description: "Value of the last good reading in nano-units" }
  sum_nano: { description: "Sum of x (DECIMAL(38, 0): Parquet has no 128-bit integer)" }
  sum_sq_nano2: { description: "Sum of x^2" }
  sum_moving_range_nano: { description: "Sum of |x_i - x_(i-1)| over consecutive good readings of this row (good_readings - 1 ranges; 0 for one reading)" }
  sum_t_us: { description: "Sum of t, microseconds since the UTC day's start" }
  sum_t_sq_us2: { description: "Sum of t^2" }
  sum_x_t: { description: "Sum of x * t" }
tests:
  - unique: [machine_id, sensor, utc_day, month_start]
  - not_null: [machine_id, sensor, utc_day, readings, good_readings]
  - expression: { name: good_readings_counted_in_readings, sql: "good_readings <= readings and readings >= 1" }
  - expression: { name: sums_iff_good_readings, sql: "(good_readings = 0) = (sum_nano is null) and (good_readings = 0) = (sum_moving_range_nano is null)" }
*/
with touched_days as (
  -- The UTC days the new (or re-sent) readings touch; in a full build, every day. Each is
  -- recomputed for every machine and sensor (a one-day drop touches them all anyway; a scope
  -- without new readings comes out as it was). One list unnested rather than a DISTINCT: with
  -- a DISTINCT DuckDB expected millions of days and hashed the readings instead of the days.
  select unnest(list_distinct(list(epoch_us(ts) // 86400000000))) as day_no
  from new_rows('fact_sensor_reading')
),
readings as (
  -- Every reading of a touched day, the old ones too; the ts bound lets the Parquet scan skip
  -- row groups that end before the first touched day.
  select r.machine_id, r.sensor, r.ts, r.value, r.quality, epoch_us(r.ts) // 86400000000 as day_no
  from ref('fact_sensor_reading') r
  where r.ts >= (select make_timestamp(min(day_no) * 86400000000)::timestamptz from touched_days)
    and epoch_us(r.ts) // 86400000000 in (select day_no from touched_days)
),
zones as (
  select machine_id, timezone from ref('machine_timezone')
),
-- The plant-local month of a reading without a time zone conversion per reading: per machine and
-- UTC day, the local month the day starts in and, when a local month starts inside that UTC
-- day, that month and the instant it starts (any offset, daylight saving included).
zone_days as (
  select z.timezone, d.day_no,
    cast(date_trunc('month', timezone(z.timezone, make_timestamp(d.day_no * 86400000000)::timestamptz)) as date) as day_month,
    cast(date_trunc('month', timezone(z.timezone, make_timestamp((d.day_no + 1) * 86400000000 - 1)::timestamptz)) as date) as end_month
  from (select distinct timezone from zones) z,
    (select unnest(range(min(day_no), max(day_no) + 1)) as day_no from touched_days) d
),
machine_days as (
  select z.machine_id, d.day_no, d.day_month, d.end_month,
    case when d.end_month <> d.day_month then epoch_us(timezone(d.timezone, d.end_month::timestamp)) end as end_month_start_us
  from zones z
  join zone_days d on d.timezone = z.timezone
),
stepped as (
  -- Each reading and the one before it of the same quality class (ts is unique per machine and
  -- sensor): the moving ranges of the good readings. Lean rows: the sort carries only these.
  select machine_id, sensor, day_no, ts, good, x,
    x - lag(x) over series as step,
    lag(ts) over series as previous_ts
  from (
    select machine_id, sensor, day_no, ts,
      coalesce(quality, 'good') = 'good' as good,
      cast(round(value * 1e9) as bigint) as x
    from readings
  )
  window series as (partition by machine_id, sensor, good order by ts)
),
pieced as (
  select s.*,
    -- piece 1: from the instant a plant-local month starts inside the UTC day; else piece 0.
    coalesce(epoch_us(s.ts) >= d.end_month_start_us, false) as later_piece,
    case when epoch_us(s.ts) >= d.end_month_start_us then d.end_month else d.day_month end as month_start,
    epoch_us(s.previous_ts) // 86400000000 = s.day_no
      and coalesce(epoch_us(s.previous_ts) >= d.end_month_start_us, false)
        = coalesce(epoch_us(s.ts) >= d.end_month_start_us, false) as step_in_piece
  from stepped s
  left join machine_days d on d.machine_id = s.machine_id and d.day_no = s.day_no
),
good_only as (
  select machine_id, sensor, day_no, later_piece, month_start,
    case when good then ts end as good_ts,
    case when good then x end as gx,
    case when good then epoch_us(ts) - day_no * 86400000000 end as gt,
    case when good and step_in_piece then abs(step) end as moving_range
  from pieced
)
select
  machine_id,
  sensor,
  cast(make_timestamp(day_no * 86400000000) as date) as utc_day,
  any_value(month_start) as month_start,
  count(*) as readings,
  count(gx) as good_readings,
  min(good_ts) as first_ts,
  max(good_ts) as last_ts,
  arg_min(gx, good_ts) as value_first_nano,
  arg_max(gx, good_ts) as value_last_nano,
  -- The sums are HUGEINT; Parquet has no 128-bit integer (DuckDB would write a DOUBLE and lose
  -- digits), so they are stored as DECIMAL(38, 0), exact.
  sum(gx)::decimal(38, 0) as sum_nano,
  sum(gx::hugeint * gx)::decimal(38, 0) as sum_sq_nano2,
  -- 0 for a single good reading (no range), NULL for none, as the other sums.
  case when count(gx) > 0 then coalesce(sum(moving_range), 0) end::decimal(38, 0) as sum_moving_range_nano,
  sum(gt)::decimal(38, 0) as sum_t_us,
  sum(gt::hugeint * gt)::decimal(38, 0) as sum_t_sq_us2,
  sum(gx::hugeint * gt)::decimal(38, 0) as sum_x_t
from good_only
group by machine_id, sensor, day_no, later_piece
