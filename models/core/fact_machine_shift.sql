/*
materialized: table
description: "The cell of record (CONTRACT §3): one row per machine and shift of its plant starting before the cut-off, with every time and count component. Seconds are fractional and unrounded. Ratios are never stored here: roll up sums, then divide (A = run_s/ppt_s, P = ideal_s/run_s, Q = ideal_good_s/ideal_s, OEE = ideal_good_s/ppt_s)."
grain: [machine_id, shift_id]
tags: [core, oee, fact]
columns:
  machine_id: { description: "Machine", tests: [not_null, { relationships: { to: dim_machine, field: machine_id } }] }
  shift_id: { description: "Shift", tests: [not_null, { relationships: { to: dim_shift, field: shift_id } }] }
  plant_id: { description: "Plant", tests: [not_null, { relationships: { to: dim_plant, field: plant_id } }] }
  line_id: { description: "Line (the machine's current line)", tests: [not_null, { relationships: { to: dim_line, field: line_id } }] }
  line_position: { description: "The machine's step on its line" }
  production_date: { description: "Plant-local date on which the shift starts" }
  shift_start_ts: { description: "Shift start" }
  shift_end_ts: { description: "Shift end, truncated at the cut-off" }
  partial: { description: "The shift contains the cut-off and is counted up to it" }
  shift_s: { description: "Shift length up to the cut-off, seconds" }
  planned_stop_s: { description: "Merged planned stops in the shift, seconds" }
  ppt_s: { description: "Planned production time = shift_s - planned_stop_s" }
  stop_s: { description: "Unplanned stops of at least small_stop_threshold_s (merged), less their overlap with planned stops = breakdown_s + setup_s + other_stop_s" }
  breakdown_s: { description: "Part of stop_s with loss_category breakdown" }
  setup_s: { description: "Part of stop_s with loss_category setup" }
  other_stop_s: { description: "Part of stop_s with material_shortage, quality_hold, other_unplanned, or planned_maintenance marked unplanned" }
  small_stop_s: { description: "Unplanned stops shorter than the threshold (inside run time; a performance loss)" }
  run_s: { description: "Run time = ppt_s - stop_s" }
  total: { description: "Units counted (intervals starting in the shift)" }
  reject: { description: "Units not first-pass good" }
  good: { description: "total - reject" }
  ideal_s: { description: "Σ ideal_cycle_time_s × total_count" }
  ideal_good_s: { description: "Σ ideal_cycle_time_s × good_count" }
  speed_loss_s: { description: "run_s - ideal_s - small_stop_s (negative when P > 1; never clamped)" }
  quality_loss_s: { description: "ideal_s - ideal_good_s" }
  failures: { description: "Failures whose first remaining second lies in this cell (CONTRACT Reliability)" }
  repair_s: { description: "All remaining seconds of those failures, also the ones in later cells" }
  scrap_qty: { description: "Defect quantity with disposition scrap detected in the cell" }
  rework_qty: { description: "Defect quantity with disposition rework detected in the cell" }
  has_counts: { description: "At least one count interval starts in the cell" }
tests:
  - unique: [machine_id, shift_id]
  - not_null: [machine_id, shift_id, plant_id, line_id, production_date, shift_s, planned_stop_s, ppt_s, stop_s, run_s, total, good, ideal_s, ideal_good_s, failures, repair_s]
  - expression: { name: ppt_is_shift_less_planned, sql: "abs(ppt_s - (shift_s - planned_stop_s)) <= 1e-6" }
  - expression: { name: run_is_ppt_less_stops, sql: "abs(run_s - (ppt_s - stop_s)) <= 1e-6" }
  - expression: { name: stop_split_adds_up, sql: "abs(stop_s - (breakdown_s + setup_s + other_stop_s)) <= 1e-6" }
  - expression: { name: waterfall_adds_up, sql: "abs(ppt_s - (ideal_good_s + breakdown_s + setup_s + other_stop_s + small_stop_s + speed_loss_s + quality_loss_s)) <= 1e-6" }
  - expression: { name: good_is_total_less_reject, sql: "good = total - reject" }
  - expression: { name: stops_within_shift, sql: "planned_stop_s >= 0 and stop_s >= 0 and small_stop_s >= 0 and planned_stop_s + stop_s + small_stop_s <= shift_s + 1e-6" }
  - expression: { name: performance_at_most_1, sql: "run_s <= 0 or ideal_s <= run_s + 1e-6", severity: warn }
  - expression: { name: scrap_and_rework_within_rejects, sql: "scrap_qty + rework_qty <= reject", severity: warn }
  - row_count: { min: 1, severity: warn }
*/
with cells as (
  select
    m.machine_id,
    s.shift_id,
    m.plant_id,
    m.line_id,
    m.line_position,
    s.production_date,
    s.shift_start_ts,
    s.shift_end_ts,
    s.partial,
    s.shift_s
  from ref('stg_machines') m
  join ref('dim_shift') s on s.plant_id = m.plant_id
),
stops as (
  select
    machine_id,
    shift_id,
    sum(duration_s) filter (where loss_bucket = 'planned') as planned_stop_s,
    sum(duration_s) filter (where loss_bucket = 'breakdown') as breakdown_s,
    sum(duration_s) filter (where loss_bucket = 'setup') as setup_s,
    sum(duration_s) filter (where loss_bucket = 'other_stop') as other_stop_s,
    sum(duration_s) filter (where loss_bucket = 'small_stop') as small_stop_s,
    count(*) filter (where is_failure_start) as failures,
    sum(failure_repair_s) as repair_s
  from ref('fact_stop_segment')
  group by machine_id, shift_id
),
counts as (
  select
    machine_id,
    shift_id,
    sum(total) as total,
    sum(reject) as reject,
    sum(good) as good,
    sum(ideal_s) as ideal_s,
    sum(ideal_good_s) as ideal_good_s
  from ref('cell_counts')
  group by machine_id, shift_id
),
defects as (
  select machine_id, shift_id, sum(scrap_qty) as scrap_qty, sum(rework_qty) as rework_qty
  from ref('fact_defect')
  where shift_id is not null
  group by machine_id, shift_id
),
components as (
  select
    c.*,
    coalesce(st.planned_stop_s, 0) as planned_stop_s,
    coalesce(st.breakdown_s, 0) as breakdown_s,
    coalesce(st.setup_s, 0) as setup_s,
    coalesce(st.other_stop_s, 0) as other_stop_s,
    coalesce(st.small_stop_s, 0) as small_stop_s,
    cast(coalesce(n.total, 0) as bigint) as total,
    cast(coalesce(n.reject, 0) as bigint) as reject,
    cast(coalesce(n.good, 0) as bigint) as good,
    coalesce(n.ideal_s, 0)::double as ideal_s,
    coalesce(n.ideal_good_s, 0)::double as ideal_good_s,
    cast(coalesce(st.failures, 0) as bigint) as failures,
    coalesce(st.repair_s, 0)::double as repair_s,
    cast(coalesce(d.scrap_qty, 0) as bigint) as scrap_qty,
    cast(coalesce(d.rework_qty, 0) as bigint) as rework_qty,
    n.machine_id is not null as has_counts
  from cells c
  left join stops st on st.machine_id = c.machine_id and st.shift_id = c.shift_id
  left join counts n on n.machine_id = c.machine_id and n.shift_id = c.shift_id
  left join defects d on d.machine_id = c.machine_id and d.shift_id = c.shift_id
)
select
  machine_id,
  shift_id,
  plant_id,
  line_id,
  line_position,
  production_date,
  shift_start_ts,
  shift_end_ts,
  partial,
  shift_s,
  planned_stop_s,
  shift_s - planned_stop_s as ppt_s,
  breakdown_s + setup_s + other_stop_s as stop_s,
  breakdown_s,
  setup_s,
  other_stop_s,
  small_stop_s,
  shift_s - planned_stop_s - (breakdown_s + setup_s + other_stop_s) as run_s,
  total,
  reject,
  good,
  ideal_s,
  ideal_good_s,
  shift_s - planned_stop_s - (breakdown_s + setup_s + other_stop_s) - ideal_s - small_stop_s as speed_loss_s,
  ideal_s - ideal_good_s as quality_loss_s,
  failures,
  repair_s,
  scrap_qty,
  rework_qty,
  has_counts
from components
