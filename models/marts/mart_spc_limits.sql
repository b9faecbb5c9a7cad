/*
materialized: incremental
unique_key: [machine_id, sensor]
# sensor_day_stats only tells which machine-sensors to recompute, from the current readings:
# its changing every build needs no full rebuild.
changes_handled: [sensor_day_stats]
description: "Individuals / moving-range (I-MR) control limits per machine and sensor (CONTRACT §3). Baseline = the first 100 good readings in time order (at least 25 needed, else the limits are NULL and limits_status = too_few_readings). sigma = MR-bar / 1.128 over the baseline's moving ranges; CL = baseline mean; UCL/LCL = CL +- 3 sigma (3 / 1.128 = 2.6596 MR-bar; the contract's 2.66 is that constant rounded); zone lines at 1 and 2 sigma for the Western Electric rules; MR chart UCL = 3.267 MR-bar. Every good reading after baseline_end_ts is judged against these limits in mart_spc_violations."
grain: [machine_id, sensor]
tags: [marts, quality, spc]
columns:
  machine_id: { description: "Machine", tests: [not_null] }
  sensor: { description: "Sensor", tests: [not_null] }
  baseline_n: { description: "Good readings in the baseline (at most 100)" }
  baseline_start_ts: { description: "First baseline reading" }
  baseline_end_ts: { description: "Last baseline reading; readings after it are monitored" }
  cl: { description: "Centre line = baseline mean" }
  mr_bar: { description: "Mean moving range of the baseline (baseline_n - 1 ranges)" }
  sigma: { description: "mr_bar / 1.128" }
  ucl: { description: "cl + 3 sigma" }
  lcl: { description: "cl - 3 sigma" }
  upper_2sigma: { description: "cl + 2 sigma (rule 2)" }
  lower_2sigma: { description: "cl - 2 sigma (rule 2)" }
  upper_1sigma: { description: "cl + 1 sigma (rule 3)" }
  lower_1sigma: { description: "cl - 1 sigma (rule 3)" }
  mr_ucl: { description: "3.267 mr_bar (moving-range chart)" }
  limits_status: { description: "ok | too_few_readings (baseline < 25 good readings)" }
tests:
  - unique: [machine_id, sensor]
  - not_null: [machine_id, sensor, baseline_n, limits_status]
  - accepted_values: { column: limits_status, values: [ok, too_few_readings] }
  - expression: { name: limits_need_25_readings, sql: "(baseline_n >= 25) = (cl is not null)" }
  - expression: { name: limits_ordered, sql: "cl is null or (lcl <= lower_2sigma and lower_2sigma <= lower_1sigma and lower_1sigma <= cl and cl <= upper_1sigma and upper_1sigma <= upper_2sigma and upper_2sigma <= ucl)" }
*/
-- A baseline moves only while it is incomplete, or when a reading arrives (or is re-sent) on or
-- before the day its 100th good reading fell on (sensor_day_stats counts the good readings per
-- day): only those machine-sensors are recomputed, from all their readings. In a full build
-- new_rows() is every reading, so every machine-sensor is.
with good_by_day as (
  select machine_id, sensor, utc_day, sum(good_readings) as good
  from ref('sensor_day_stats')
  group by all
),
complete as (
  select machine_id, sensor, min(utc_day) as full_day
  from (
    select *, sum(good) over (partition by machine_id, sensor order by utc_day) as running_good
    from good_by_day
  )
  where running_good >= 100
  group by all
),
touched as (
  select distinct n.machine_id, n.sensor
  from new_rows('fact_sensor_reading') n
  left join complete c on c.machine_id = n.machine_id and c.sensor = n.sensor
  where c.full_day is null or n.ts < c.full_day + interval 1 day
),
baseline as (
  -- The first 100 good readings per machine and sensor, oldest first: top-n aggregates (a heap
  -- per machine-sensor) instead of numbering all readings. ts is unique per machine and sensor
  -- and neither ts nor value is ever NULL (contract), so the two lists are in the same order, and
  -- every figure computed from them in list order is the same whatever the threads.
  select
    machine_id,
    sensor,
    min(ts, 100) as ts,
    min_by(cast(value as double), ts, 100) as value
  from ref('fact_sensor_reading') r
  semi join touched t on t.machine_id = r.machine_id and t.sensor = r.sensor
  where coalesce(quality, 'good') = 'good'
  group by machine_id, sensor
),
stats as (
  select
    machine_id,
    sensor,
    len(ts) as baseline_n,
    ts[1] as baseline_start_ts,
    ts[-1] as baseline_end_ts,
    list_avg(value) as mean,
    -- Moving range i = |x(i+1) - x(i)|: baseline_n - 1 ranges (none for a single reading).
    list_avg(list_transform(range(1, len(value)), i -> abs(value[i + 1] - value[i]))) as mr_bar
  from baseline
),
limits as (
  select
    *,
    baseline_n >= 25 as usable,
    mr_bar / 1.128 as sigma_value
  from stats
)
select
  m.plant_id,
  m.line_id,
  l.machine_id,
  l.sensor,
  l.baseline_n,
  l.baseline_start_ts,
  l.baseline_end_ts,
  case when usable then mean end as cl,
  case when usable then mr_bar end as mr_bar,
  case when usable then sigma_value end as sigma,
  case when usable then mean + 3 * sigma_value end as ucl,
  case when usable then mean - 3 * sigma_value end as lcl,
  case when usable then mean + 2 * sigma_value end as upper_2sigma,
  case when usable then mean - 2 * sigma_value end as lower_2sigma,
  case when usable then mean + sigma_value end as upper_1sigma,
  case when usable then mean - sigma_value end as lower_1sigma,
  case when usable then 3.267 * mr_bar end as mr_ucl,
  case when usable then 'ok' else 'too_few_readings' end as limits_status
from limits l
-- The machine as sent now (stg_machines: the dimension's history columns change every load).
left join ref('stg_machines') m on m.machine_id = l.machine_id
