/*
materialized: table
description: "Process capability (CONTRACT §3) per machine, sensor and plant-local month: the month's good readings in time order. sigma_within = mean moving range / 1.128 (moving ranges inside the month only), sigma_overall = sample s.d. (n - 1, no c4). Cp, Cpk (two-sided spec), Cpu (needs USL), Cpl (needs LSL) use sigma_within; Pp, Ppk, Ppu, Ppl the same with sigma_overall. An index is NULL with fewer than 25 readings, a sigma of 0, LSL >= USL, or the spec limit it needs missing; capability_status says which. Computed from the exact per-day sums of sensor_day_stats (the same figures as over the readings, and the same bits in an incremental and a full build). For any other period run the same SELECT over fact_sensor_reading with your own ts range (docs/marts.md)."
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
  select m.machine_id, m.plant_id, m.line_id
  from ref('dim_machine') m
  join ref('dim_plant') p on p.plant_id = m.plant_id
  where m.is_current
),
-- The month's good readings come as exact per-day sums (sensor_day_stats: a UTC day, or the part
-- of it in this plant-local month); values in nano-units, added up as integers, so the figures
-- do not depend on the order DuckDB's threads add in.
pieces as (
  select machine_id, sensor, month_start, utc_day, good_readings, value_first_nano, value_last_nano,
    -- stored as DECIMAL(38, 0) (Parquet has no HUGEINT); integers again for the arithmetic
    sum_nano::hugeint as sum_nano, sum_sq_nano2::hugeint as sum_sq_nano2,
    sum_moving_range_nano::hugeint as sum_moving_range_nano,
    -- The moving range that joins a piece to the previous one of the same month.
    abs(value_first_nano::hugeint - lag(value_last_nano) over (
      partition by machine_id, sensor, month_start order by utc_day
    )) as joining_range_nano
  from ref('sensor_day_stats')
  where good_readings > 0 and month_start is not null
),
sums as (
  select machine_id, sensor, month_start,
    sum(good_readings) as n,
    sum(sum_nano) as s1,
    sum(sum_sq_nano2) as s2,
    sum(sum_moving_range_nano) + coalesce(sum(joining_range_nano), 0) as moving_range_sum
  from pieces
  group by all
),
centred as (
  -- Squares about c = the mean rounded to a nano-unit, still exact: q = sum (x - c)^2 and
  -- l = sum (x - c), so the sample variance (q - l^2 / n) / (n - 1) loses no digits.
  select *, s2 - c * (2 * s1 - n * c) as q, s1 - n * c as l
  from (select *, s1 // n as c from sums)
),
stats as (
  select
    machine_id, sensor, month_start,
    cast(n as bigint) as n,
    s1::double / n / 1e9 as mean,
    moving_range_sum::double / nullif(n - 1, 0) / 1e9 as mr_bar,
    moving_range_sum::double / nullif(n - 1, 0) / 1e9 / 1.128 as sigma_within,
    sqrt((q::double - l::double * l::double / n) / nullif(n - 1, 0)) / 1e9 as sigma_overall
  from centred
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
