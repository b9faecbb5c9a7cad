/*
materialized: incremental
unique_key: [machine_id, sensor, ts, rule]
# Built from the new readings only, unless (then in full) a new reading is at or before the last
# good reading its machine and sensor had when this mart last ran (late or re-sent data: earlier
# windows, and their violations, may change or go; read from previous('sensor_day_stats'), a day
# per row, not the 10 M readings; a late reading that is not good changes no monitored series), or
# the day before a machine-sensor's first new monitored reading holds fewer than the 7 monitored
# readings a window may need while older ones exist (the context read is that day).
full_refresh_if: "
  exists (
    select 1
    from new_rows('fact_sensor_reading') n
    join (select machine_id, sensor, max(last_ts) as last_ts from previous('sensor_day_stats') group by all) p
      on p.machine_id = n.machine_id and p.sensor = n.sensor
    where n.ts <= p.last_ts
  )
  or exists (
    select 1
    from (
      select n.machine_id, n.sensor, min(n.ts) as first_new_ts, any_value(l.baseline_end_ts) as baseline_end_ts
      from new_rows('fact_sensor_reading') n
      join ref('mart_spc_limits') l on l.machine_id = n.machine_id and l.sensor = n.sensor
      where coalesce(n.quality, 'good') = 'good' and l.limits_status = 'ok' and n.ts > l.baseline_end_ts
      group by n.machine_id, n.sensor
    ) f
    where f.first_new_ts - interval 1 day > f.baseline_end_ts
      and (
        select count(*) from ref('fact_sensor_reading') r
        where r.machine_id = f.machine_id and r.sensor = f.sensor and coalesce(r.quality, 'good') = 'good'
          and r.ts >= f.first_new_ts - interval 1 day and r.ts < f.first_new_ts
      ) < 7
  )"
description: "Western Electric rule violations on the individuals chart (CONTRACT §3): every good reading after the baseline of mart_spc_limits, in time order per machine and sensor, is checked. Beyond is strictly beyond, so a point on a zone line is not beyond it and a point exactly on CL is on neither side (it breaks a run). Rule 1: a point beyond 3 sigma. Rule 2: 2 of 3 in a row beyond 2 sigma on one side. Rule 3: 4 of 5 in a row beyond 1 sigma on one side. Rule 4: 8 in a row on one side of CL. A window is the reading and the ones just before it among the monitored readings (full windows only); the reading completes it when it is itself one of the points the rule counts, and then raises one violation with the timestamps of those points. Incremental: a build judges only the new readings (their windows read the day before them) and rebuilds in full when a reading arrives late or re-sent."
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
with new_from as (
  -- Per machine and sensor, its first new good reading: violations are emitted from it on. In an
  -- incremental build every new reading is after the baseline (an earlier one is late, or
  -- changes the limits: both rebuild in full); in a full build new_rows() is every reading.
  select machine_id, sensor, min(ts) as first_new_ts
  from new_rows('fact_sensor_reading')
  where coalesce(quality, 'good') = 'good'
  group by machine_id, sensor
),
monitored as (
  -- The new monitored readings and, as their windows' context, those of the day before (at
  -- least the 7 a window needs, or full_refresh_if rebuilds): one time range per machine-sensor,
  -- which DuckDB pushes into the Parquet scan, so an incremental build neither reads nor windows
  -- all readings.
  select
    r.machine_id,
    r.sensor,
    r.ts,
    cast(r.value as double) as value,
    r.ts >= f.first_new_ts as is_new,
    -- Zones as signed codes: +1 strictly above the line, -1 strictly below, 0 on neither side.
    case when cast(r.value as double) > l.ucl then 1 when cast(r.value as double) < l.lcl then -1 else 0 end as z3,
    case when cast(r.value as double) > l.upper_2sigma then 1 when cast(r.value as double) < l.lower_2sigma then -1 else 0 end as z2,
    case when cast(r.value as double) > l.upper_1sigma then 1 when cast(r.value as double) < l.lower_1sigma then -1 else 0 end as z1,
    case when cast(r.value as double) > l.cl then 1 when cast(r.value as double) < l.cl then -1 else 0 end as z0
  from ref('fact_sensor_reading') r
  join ref('mart_spc_limits') l on l.machine_id = r.machine_id and l.sensor = r.sensor
  join new_from f on f.machine_id = r.machine_id and f.sensor = r.sensor
  where coalesce(r.quality, 'good') = 'good'
    and l.limits_status = 'ok'
    and r.ts > l.baseline_end_ts
    and r.ts >= f.first_new_ts - interval 1 day
),
lagged as (
  select machine_id, sensor, ts, value, z3, z2, z1, z0,
    lag(ts, 1) over w as ts1, lag(ts, 2) over w as ts2, lag(ts, 3) over w as ts3, lag(ts, 4) over w as ts4,
    lag(ts, 5) over w as ts5, lag(ts, 6) over w as ts6, lag(ts, 7) over w as ts7,
    lag(z2, 1) over w = z2 as a2_1, lag(z2, 2) over w = z2 as a2_2,
    lag(z1, 1) over w = z1 as a1_1, lag(z1, 2) over w = z1 as a1_2, lag(z1, 3) over w = z1 as a1_3, lag(z1, 4) over w = z1 as a1_4,
    sum(z0) over w8 as z0_sum_8,
    is_new
  from monitored
  window w as (partition by machine_id, sensor order by ts),
    w8 as (partition by machine_id, sensor order by ts rows between 7 preceding and current row)
),
judged as (
  -- Only the new readings are judged; the earlier ones are their windows' context.
  select * from lagged where is_new
),
violations as (
  select machine_id, sensor, ts, value, 1 as rule, 'beyond_3_sigma' as rule_name, z3 as z, [ts] as point_ts
  from judged where z3 <> 0
  union all
  select machine_id, sensor, ts, value, 2, '2_of_3_beyond_2_sigma', z2,
    case when a2_2 and a2_1 then [ts2, ts1, ts] when a2_1 then [ts1, ts] else [ts2, ts] end
  from judged where z2 <> 0 and ts2 is not null and (a2_1 or a2_2)
  union all
  select machine_id, sensor, ts, value, 3, '4_of_5_beyond_1_sigma', z1,
    case
      when a1_4 and a1_3 and a1_2 and a1_1 then [ts4, ts3, ts2, ts1, ts]
      when not a1_4 then [ts3, ts2, ts1, ts]
      when not a1_3 then [ts4, ts2, ts1, ts]
      when not a1_2 then [ts4, ts3, ts1, ts]
      else [ts4, ts3, ts2, ts]
    end
  from judged where z1 <> 0 and ts4 is not null and a1_1::int + a1_2::int + a1_3::int + a1_4::int >= 3
  union all
  select machine_id, sensor, ts, value, 4, '8_in_a_row_one_side', z0, [ts7, ts6, ts5, ts4, ts3, ts2, ts1, ts]
  from judged where ts7 is not null and abs(z0_sum_8) = 8
)
select
  l.plant_id,
  l.line_id,
  v.machine_id,
  v.sensor,
  v.ts,
  v.value,
  l.cl,
  v.rule,
  v.rule_name,
  case when v.z > 0 then 'upper' else 'lower' end as side,
  len(v.point_ts) as point_count,
  v.point_ts
from violations v
join ref('mart_spc_limits') l on l.machine_id = v.machine_id and l.sensor = v.sensor
