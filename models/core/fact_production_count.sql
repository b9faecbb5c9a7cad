/*
materialized: incremental
unique_key: [machine_id, interval_start]
# A build adds only the new loads' count intervals (a re-sent interval replaces its row). It
# is rebuilt in full when a machine or routing changed (read by ref(): automatic), or when
# the shifts changed where earlier counts are: before the previous build's cut-off (its last
# count), a shift changed or went, or a new one starts. (A partial last shift growing past
# that cut-off is no change for earlier counts.)
full_refresh_if: >-
  exists (
    select s.shift_id, s.utc_day, s.shift_start_ts, least(s.shift_end_ts, c.cutoff_ts), s.production_date
    from previous('shift_utc_day') s join previous('plant_cutoff') c on c.plant_id = s.plant_id
    except
    select s.shift_id, s.utc_day, s.shift_start_ts, least(s.shift_end_ts, c.cutoff_ts), s.production_date
    from ref('shift_utc_day') s join previous('plant_cutoff') c on c.plant_id = s.plant_id
    where s.shift_start_ts < c.cutoff_ts
  )
  or exists (
    select 1
    from ref('shift_utc_day') s
    join previous('plant_cutoff') c on c.plant_id = s.plant_id and s.shift_start_ts < c.cutoff_ts
    anti join previous('shift_utc_day') p on p.shift_id = s.shift_id
  )
description: "One row per count interval, with the shift in which its interval_start falls (CONTRACT §2; NULL: in no shift, counts nowhere), the machine's line and position, the routing's ideal cycle time, and good = total - reject, ideal_s = ideal cycle × total, ideal_good_s = ideal cycle × good."
grain: [machine_id, interval_start]
tags: [core, oee, fact]
columns:
  machine_id: { description: "Machine", tests: [not_null, { relationships: { to: dim_machine, field: machine_id } }] }
  shift_id: { description: "Shift containing interval_start (NULL: none)", tests: [{ relationships: { to: dim_shift, field: shift_id } }] }
  product_id: { description: "Product", tests: [not_null, { relationships: { to: dim_product, field: product_id } }] }
  production_date: { description: "Production date of the shift" }
  interval_s: { description: "Length of the interval in seconds (weights the products of a cell)" }
  ideal_cycle_time_s: { description: "Ideal seconds per unit on this machine (routing)" }
  good: { description: "total_count - reject_count (first-pass good)" }
  ideal_s: { description: "ideal_cycle_time_s × total_count" }
  ideal_good_s: { description: "ideal_cycle_time_s × good" }
tests:
  - unique: [machine_id, interval_start]
  - not_null: [machine_id, interval_start, interval_end, total_count, reject_count, good, ideal_cycle_time_s]
  - expression: { name: count_in_a_shift, sql: "shift_id is not null", severity: warn }
  - expression: { name: good_not_negative, sql: "good >= 0" }
*/
select
  c.machine_id,
  c.interval_start,
  c.interval_end,
  c.order_id,
  c.product_id,
  c.operator_id,
  c.total_count,
  c.reject_count,
  s.shift_id,
  s.production_date,
  m.plant_id,
  m.line_id,
  m.line_position,
  c.interval_s,
  r.ideal_cycle_time_s,
  c.good_count as good,
  r.ideal_cycle_time_s * c.total_count as ideal_s,
  r.ideal_cycle_time_s * c.good_count as ideal_good_s,
  c._load_id
from new_rows('stg_production_counts') c
join ref('stg_machines') m on m.machine_id = c.machine_id
left join ref('stg_routings') r on r.machine_id = c.machine_id and r.product_id = c.product_id
-- Shifts of a plant never overlap (an error test), so at most one contains the instant.
left join ref('shift_utc_day') s
  on s.plant_id = m.plant_id
  and s.utc_day_no = epoch_us(c.interval_start) // 86400000000
  and c.interval_start >= s.shift_start_ts
  and c.interval_start < s.shift_end_ts
