/*
materialized: table
description: "Degradation signatures before breakdowns (CONTRACT §3 Degradation): for every failure (fact_stop_segment: a merged unplanned breakdown that counts as a failure) and every sensor of its machine, the mean and the least-squares slope per hour of the good readings in [failure start - 24 h, failure start), as z-scores against the mean and sample s.d. of the same figures over the machine's failure-free 24 h windows. Those windows are the UTC days [00:00, 24:00) with readings of the sensor that no failure of the machine overlaps (from its start to the end of its last remaining second). signature_score = the larger of |z_mean| and |z_slope|; signature_rank orders a failure's sensors by it (1 = most unusual; NULL scores last; ties by sensor). A z-score is NULL when fewer than 2 baseline windows or their s.d. is 0; a slope needs 2 readings at different times. Computed from exact integer sums (sensor_day_stats for the days, failure_sensor_window for the windows before failures), so an incremental build gives the same bits as a full one."
grain: [machine_id, failure_start_ts, sensor]
tags: [marts, reliability, degradation]
columns:
  machine_id: { description: "Machine", tests: [not_null] }
  stop_id: { description: "The failure's merged stop (fact_stop_segment)" }
  failure_start_ts: { description: "Start of the failure (merged stop start)", tests: [not_null] }
  failure_end_ts: { description: "End of its last remaining second" }
  repair_s: { description: "Its repair seconds" }
  sensor: { description: "Sensor", tests: [not_null] }
  readings: { description: "Good readings in [start - 24 h, start)" }
  mean: { description: "Their mean" }
  slope_per_h: { description: "Least-squares slope of value over time, per hour" }
  baseline_windows: { description: "Failure-free 24 h windows of the machine and sensor" }
  baseline_mean: { description: "Mean of the windows' means" }
  baseline_mean_sd: { description: "Sample s.d. of the windows' means" }
  baseline_slope: { description: "Mean of the windows' slopes" }
  baseline_slope_sd: { description: "Sample s.d. of the windows' slopes" }
  z_mean: { description: "(mean - baseline_mean) / baseline_mean_sd" }
  z_slope: { description: "(slope_per_h - baseline_slope) / baseline_slope_sd" }
  signature_score: { description: "max(|z_mean|, |z_slope|)" }
  signature_rank: { description: "Rank of the sensor within the failure, 1 = largest score" }
tests:
  - unique: [machine_id, failure_start_ts, sensor]
  - not_null: [machine_id, failure_start_ts, sensor, readings, signature_rank]
  - expression: { name: score_is_largest_z, sql: "signature_score is null or signature_score >= greatest(abs(coalesce(z_mean, 0)), abs(coalesce(z_slope, 0))) - 1e-12" }
*/
with failures as (
  select
    machine_id,
    stop_id,
    min(merged_stop_start_ts) as failure_start_ts,
    max(segment_end_ts) as failure_end_ts,
    sum(failure_repair_s) as repair_s
  from ref('fact_stop_segment')
  where is_failure
  group by machine_id, stop_id
),
-- Per machine, sensor and UTC day with good readings: the day's exact sums (sensor_day_stats,
-- ~25 k rows a quarter instead of every reading; a day split at a plant-local month start adds
-- its two parts up). Values are in nano-units and times in microseconds since the day's start,
-- both integers, so the figures do not depend on the order DuckDB's threads add in.
day_sums as (
  select machine_id, sensor, utc_day,
    sum(good_readings) as n,
    -- stored as DECIMAL(38, 0) (Parquet has no HUGEINT); integers again for the arithmetic
    sum(sum_nano::hugeint) as s_x,
    sum(sum_t_us::hugeint) as s_t,
    sum(sum_t_sq_us2::hugeint) as s_tt,
    sum(sum_x_t::hugeint) as s_xt
  from ref('sensor_day_stats')
  where good_readings > 0
  group by all
),
day_stats as (
  select machine_id, sensor, utc_day,
    s_x::double / n / 1e9 as mean,
    -- Least squares, slope = (n Σxt - Σx Σt) / (n Σt² - (Σt)²), numerator and denominator
    -- exact; nano-units per microsecond * 3.6 = per hour. No slope without two distinct times.
    case when n * s_tt - s_t * s_t > 0
      then (n * s_xt - s_x * s_t)::double / (n * s_tt - s_t * s_t)::double * 3.6
    end as slope_per_h
  from day_sums
),
sensors as (
  select distinct machine_id, sensor from day_stats
),
-- Each sensor's good readings in the failure's window, [start - 24 h, start): exact sums kept
-- by failure_sensor_window (t in microseconds since the window's start), the same figures.
window_sums as (
  select machine_id, failure_start_ts, sensor,
    good_readings as n,
    sum_nano::hugeint as s_x,
    sum_t_us::hugeint as s_t,
    sum_t_sq_us2::hugeint as s_tt,
    sum_x_t::hugeint as s_xt
  from ref('failure_sensor_window')
  where good_readings > 0
),
window_stats as (
  select machine_id, failure_start_ts, sensor,
    n as readings,
    s_x::double / n / 1e9 as mean,
    case when n * s_tt - s_t * s_t > 0
      then (n * s_xt - s_x * s_t)::double / (n * s_tt - s_t * s_t)::double * 3.6
    end as slope_per_h
  from window_sums
),
before_failure as (
  select
    f.machine_id,
    f.stop_id,
    f.failure_start_ts,
    f.failure_end_ts,
    f.repair_s,
    s.sensor,
    coalesce(w.readings, 0) as readings,
    w.mean,
    w.slope_per_h
  from failures f
  join sensors s on s.machine_id = f.machine_id
  left join window_stats w
    on w.machine_id = f.machine_id and w.failure_start_ts = f.failure_start_ts and w.sensor = s.sensor
),
windows as (
  select machine_id, sensor, utc_day::timestamptz as window_start, mean, slope_per_h
  from day_stats
),
failure_free as (
  select w.*
  from windows w
  where not exists (
    select 1 from failures f
    where f.machine_id = w.machine_id
      and f.failure_start_ts < w.window_start + interval 24 hours
      and f.failure_end_ts > w.window_start
  )
),
baseline as (
  -- Each machine and sensor's days in day order, so mean and s.d. add up in one fixed order (an
  -- aggregate over threads may add in any order and differ in the last bits between builds).
  select
    machine_id,
    sensor,
    count(*) as baseline_windows,
    list_avg(list(mean order by window_start)) as baseline_mean,
    list_stddev_samp(list(mean order by window_start)) as baseline_mean_sd,
    list_avg(list(slope_per_h order by window_start)) as baseline_slope,
    list_stddev_samp(list(slope_per_h order by window_start)) as baseline_slope_sd
  from failure_free
  group by all
),
scored as (
  select
    b.*,
    coalesce(base.baseline_windows, 0) as baseline_windows,
    base.baseline_mean,
    base.baseline_mean_sd,
    base.baseline_slope,
    base.baseline_slope_sd,
    (b.mean - base.baseline_mean) / nullif(base.baseline_mean_sd, 0) as z_mean,
    (b.slope_per_h - base.baseline_slope) / nullif(base.baseline_slope_sd, 0) as z_slope
  from before_failure b
  left join baseline base on base.machine_id = b.machine_id and base.sensor = b.sensor
)
select
  m.plant_id,
  m.line_id,
  s.*,
  case
    when s.z_mean is not null or s.z_slope is not null
      then greatest(coalesce(abs(s.z_mean), 0), coalesce(abs(s.z_slope), 0))
  end as signature_score,
  row_number() over (
    partition by s.machine_id, s.failure_start_ts
    order by
      case
        when s.z_mean is not null or s.z_slope is not null
          then greatest(coalesce(abs(s.z_mean), 0), coalesce(abs(s.z_slope), 0))
      end desc nulls last,
      s.sensor
  ) as signature_rank
from scored s
left join ref('dim_machine') m on m.machine_id = s.machine_id and m.is_current
