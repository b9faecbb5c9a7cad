/*
materialized: table
description: "Western Electric rule violations on the individuals chart (CONTRACT §3): every good reading after the baseline of mart_spc_limits, in time order per machine and sensor, is checked. Beyond is strictly beyond, so a point on a zone line is not beyond it and a point exactly on CL is on neither side (it breaks a run). Rule 1: a point beyond 3 sigma. Rule 2: 2 of 3 in a row beyond 2 sigma on one side. Rule 3: 4 of 5 in a row beyond 1 sigma on one side. Rule 4: 8 in a row on one side of CL. A window is the reading and the ones just before it among the monitored readings (full windows only); the reading completes it when it is itself one of the points the rule counts, and then raises one violation with the timestamps of those points."
grain: [machine_id, sensor, ts, rule, side]
tags: [marts, quality, spc]
columns:
  machine_id: { description: "Machine", tests: [not_null] }
  sensor: { description: "Sensor", tests: [not_null] }
  ts: { description: "The reading that completes the rule's window" }
  value: { description: "Its value" }
  rule: { description: "Western Electric rule 1-4" }
  rule_name: { description: "beyond_3_sigma | 2_of_3_beyond_2_sigma | 4_of_5_beyond_1_sigma | 8_in_a_row_one_side" }
  side: { description: "upper (above CL) | lower (below CL)" }
  point_count: { description: "Number of points that make the violation" }
  point_ts: { description: "Timestamps of those points, oldest first (the last is ts)" }
tests:
  - unique: [machine_id, sensor, ts, rule, side]
  - not_null: [machine_id, sensor, ts, value, rule, rule_name, side, point_count, point_ts]
  - accepted_values: { column: rule, values: [1, 2, 3, 4] }
  - accepted_values: { column: side, values: [upper, lower] }
  - expression: { name: point_count_fits_rule, sql: "point_count = len(point_ts) and point_count >= case rule when 1 then 1 when 2 then 2 when 3 then 4 else 8 end" }
*/
with monitored as (
  select
    l.plant_id,
    l.line_id,
    r.machine_id,
    r.sensor,
    r.ts,
    cast(r.value as double) as value,
    l.cl,
    cast(r.value as double) > l.ucl as above_3,
    cast(r.value as double) < l.lcl as below_3,
    cast(r.value as double) > l.upper_2sigma as above_2,
    cast(r.value as double) < l.lower_2sigma as below_2,
    cast(r.value as double) > l.upper_1sigma as above_1,
    cast(r.value as double) < l.lower_1sigma as below_1,
    cast(r.value as double) > l.cl as above_cl,
    cast(r.value as double) < l.cl as below_cl
  from ref('fact_sensor_reading') r
  join ref('mart_spc_limits') l on l.machine_id = r.machine_id and l.sensor = r.sensor
  where coalesce(r.quality, 'good') = 'good'
    and l.limits_status = 'ok'
    and r.ts > l.baseline_end_ts
),
windows as (
  select
    *,
    count(*) over w3 as n3,
    count(*) filter (where above_2) over w3 as above_2_in_3,
    count(*) filter (where below_2) over w3 as below_2_in_3,
    list(ts) filter (where above_2) over w3 as above_2_ts,
    list(ts) filter (where below_2) over w3 as below_2_ts,
    count(*) over w5 as n5,
    count(*) filter (where above_1) over w5 as above_1_in_5,
    count(*) filter (where below_1) over w5 as below_1_in_5,
    list(ts) filter (where above_1) over w5 as above_1_ts,
    list(ts) filter (where below_1) over w5 as below_1_ts,
    count(*) over w8 as n8,
    count(*) filter (where above_cl) over w8 as above_cl_in_8,
    count(*) filter (where below_cl) over w8 as below_cl_in_8,
    list(ts) over w8 as last_8_ts
  from monitored
  window
    w3 as (partition by machine_id, sensor order by ts rows between 2 preceding and current row),
    w5 as (partition by machine_id, sensor order by ts rows between 4 preceding and current row),
    w8 as (partition by machine_id, sensor order by ts rows between 7 preceding and current row)
),
violations as (
  select *, 1 as rule, 'beyond_3_sigma' as rule_name, 'upper' as side, [ts] as point_ts
  from windows where above_3
  union all
  select *, 1, 'beyond_3_sigma', 'lower', [ts]
  from windows where below_3
  union all
  select *, 2, '2_of_3_beyond_2_sigma', 'upper', above_2_ts
  from windows where above_2 and n3 = 3 and above_2_in_3 >= 2
  union all
  select *, 2, '2_of_3_beyond_2_sigma', 'lower', below_2_ts
  from windows where below_2 and n3 = 3 and below_2_in_3 >= 2
  union all
  select *, 3, '4_of_5_beyond_1_sigma', 'upper', above_1_ts
  from windows where above_1 and n5 = 5 and above_1_in_5 >= 4
  union all
  select *, 3, '4_of_5_beyond_1_sigma', 'lower', below_1_ts
  from windows where below_1 and n5 = 5 and below_1_in_5 >= 4
  union all
  select *, 4, '8_in_a_row_one_side', 'upper', last_8_ts
  from windows where n8 = 8 and above_cl_in_8 = 8
  union all
  select *, 4, '8_in_a_row_one_side', 'lower', last_8_ts
  from windows where n8 = 8 and below_cl_in_8 = 8
)
select
  plant_id,
  line_id,
  machine_id,
  sensor,
  ts,
  value,
  cl,
  rule,
  rule_name,
  side,
  len(point_ts) as point_count,
  point_ts
from violations
