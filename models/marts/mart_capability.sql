/*
materialized: table
description: "Process capability (CONTRACT §3) per machine, sensor and plant-local month: the month's good readings in time order. sigma_within = mean moving range / 1.128 (moving ranges inside the month only), sigma_overall = sample s.d. (n - 1, no c4). Cp, Cpk (two-sided spec), Cpu (needs USL), Cpl (needs LSL) use sigma_within; Pp, Ppk, Ppu, Ppl the same with sigma_overall. An index is NULL with fewer than 25 readings, a sigma of 0, LSL >= USL, or the spec limit it needs missing; capability_status says which. For any other period run the same SELECT over fact_sensor_reading with your own ts range (docs/marts.md)."
grain: [machine_id, sensor, month_start]
tags: [marts, quality, capability]
columns:
  plant_id: { description: "Plant of the machine" }
  line_id: { description: "Line of the machine" }
  machine_id: { description: "Machine", tests: [not_null] }
  sensor: { description: "Sensor name", tests: [not_null] }
  month_start: { description: "First day of the plant-local month of the readings", tests: [not_null] }
  n: { description: "Good readings in the month" }
  mean: { description: "Mean of the good readings" }
  mr_bar: { description: "Mean moving range |x_i - x_(i-1)| of consecutive good readings in the month (n - 1 ranges)" }
  sigma_within: { description: "mr_bar / 1.128" }
  sigma_overall: { description: "Sample standard deviation (n - 1)" }
  lsl: { description: "Lower specification limit (sensor_specs), NULL if none" }
  usl: { description: "Upper specification limit (sensor_specs), NULL if none" }
  target: { description: "Target (sensor_specs)" }
  cp: { description: "(USL - LSL) / (6 sigma_within)" }
  cpk: { description: "min(USL - mean, mean - LSL) / (3 sigma_within); two-sided specs only" }
  cpu: { description: "(USL - mean) / (3 sigma_within)" }
  cpl: { description: "(mean - LSL) / (3 sigma_within)" }
  pp: { description: "(USL - LSL) / (6 sigma_overall)" }
  ppk: { description: "min(USL - mean, mean - LSL) / (3 sigma_overall); two-sided specs only" }
  ppu: { description: "(USL - mean) / (3 sigma_overall)" }
  ppl: { description: "(mean - LSL) / (3 sigma_overall)" }
  capability_status: { description: "ok | too_few_readings (< 25) | no_spec | spec_reversed (LSL >= USL) | zero_sigma" }
tests:
  - unique: [machine_id, sensor, month_start]
  - not_null: [machine_id, sensor, month_start, n, capability_status]
  - accepted_values: { column: capability_status, values: [ok, too_few_readings, no_spec, spec_reversed, zero_sigma] }
  - expression: { name: indices_need_25_readings, sql: "n >= 25 or (cp is null and cpk is null and cpu is null and cpl is null and pp is null and ppk is null and ppu is null and ppl is null)" }
  - expression: { name: cpk_not_above_cp, sql: "cpk is null or cp is null or cpk <= cp + 1e-9" }
*/
with machines as (
  select m.machine_id, m.plant_id, m.line_id, p.timezone
  from ref('dim_machine') m
  join ref('dim_plant') p on p.plant_id = m.plant_id
  where m.is_current
),
good as (
  select machine_id, sensor, ts, cast(value as double) as value, epoch_us(ts) // 86400000000 as utc_day
  from ref('fact_sensor_reading')
  where coalesce(quality, 'good') = 'good'
),
-- The plant-local month of a reading without a time zone conversion per reading (10 M of them):
-- per plant and UTC day, the local month the day starts in and, when a local month starts
-- inside that UTC day, that month and the instant it starts (any offset, daylight saving included).
plant_days as (
  select p.plant_id, p.timezone, d.utc_day,
    cast(date_trunc('month', timezone(p.timezone, make_timestamp(d.utc_day * 86400000000)::timestamptz)) as date) as day_month,
    cast(date_trunc('month', timezone(p.timezone, make_timestamp((d.utc_day + 1) * 86400000000 - 1)::timestamptz)) as date) as end_month
  from (select distinct plant_id, timezone from machines) p,
    (select unnest(range(min(utc_day), max(utc_day) + 1)) as utc_day from good) d
),
day_months as (
  select plant_id, utc_day, day_month, end_month,
    case when end_month <> day_month then epoch_us(timezone(timezone, end_month::timestamp)) end as end_month_start_us
  from plant_days
),
readings as (
  select g.machine_id, g.sensor, g.ts, g.value,
    case when epoch_us(g.ts) >= d.end_month_start_us then d.end_month else d.day_month end as month_start
  from good g
  join machines m on m.machine_id = g.machine_id
  join day_months d on d.plant_id = m.plant_id and d.utc_day = g.utc_day
),
moving as (
  select machine_id, sensor, month_start, value,
    abs(value - lag(value) over (partition by machine_id, sensor, month_start order by ts)) as moving_range
  from readings
),
stats as (
  select
    machine_id, sensor, month_start,
    count(*) as n,
    avg(value) as mean,
    avg(moving_range) as mr_bar,
    avg(moving_range) / 1.128 as sigma_within,
    stddev_samp(value) as sigma_overall
  from moving
  group by all
),
judged as (
  select
    m.plant_id, m.line_id,
    s.*,
    spec.lsl,
    spec.usl,
    spec.target,
    s.n >= 25 and not coalesce(spec.lsl >= spec.usl, false) as usable,
    spec.lsl is not null and spec.usl is not null as two_sided,
    case
      when s.n < 25 then 'too_few_readings'
      when spec.lsl is null and spec.usl is null then 'no_spec'
      when spec.lsl >= spec.usl then 'spec_reversed'
      when coalesce(s.sigma_within, 0) = 0 or coalesce(s.sigma_overall, 0) = 0 then 'zero_sigma'
      else 'ok'
    end as capability_status
  from stats s
  join machines m on m.machine_id = s.machine_id
  left join ref('stg_sensor_specs') spec on spec.machine_id = s.machine_id and spec.sensor = s.sensor
)
select
  plant_id, line_id, machine_id, sensor, month_start, n, mean, mr_bar, sigma_within, sigma_overall, lsl, usl, target,
  case when usable and two_sided and sigma_within > 0 then (usl - lsl) / (6 * sigma_within) end as cp,
  case when usable and two_sided and sigma_within > 0 then least(usl - mean, mean - lsl) / (3 * sigma_within) end as cpk,
  case when usable and usl is not null and sigma_within > 0 then (usl - mean) / (3 * sigma_within) end as cpu,
  case when usable and lsl is not null and sigma_within > 0 then (mean - lsl) / (3 * sigma_within) end as cpl,
  case when usable and two_sided and sigma_overall > 0 then (usl - lsl) / (6 * sigma_overall) end as pp,
  case when usable and two_sided and sigma_overall > 0 then least(usl - mean, mean - lsl) / (3 * sigma_overall) end as ppk,
  case when usable and usl is not null and sigma_overall > 0 then (usl - mean) / (3 * sigma_overall) end as ppu,
  case when usable and lsl is not null and sigma_overall > 0 then (mean - lsl) / (3 * sigma_overall) end as ppl,
  capability_status
from judged
