/*
materialized: table
description: "OEE per machine and production day (CONTRACT §3): the day's machine-shift cells summed, then the ratios (A = Σrun_s/Σppt_s, P = Σideal_s/Σrun_s, Q = Σideal_good_s/Σideal_s, OEE = Σideal_good_s/Σppt_s, yield = Σgood/Σtotal, utilization = Σppt_s/calendar_s with the real length of the plant-local day, TEEP = OEE x utilization) and the loss waterfall. One row for every machine with cells and every day of its plant's calendar (dim_date), days without shifts included (utilization 0, the other ratios NULL), as the metrics layer counts calendar time. A ratio with a 0 denominator is NULL."
grain: [machine_id, production_date]
tags: [marts, oee]
columns:
  machine_id: { description: "Machine", tests: [not_null] }
  production_date: { description: "Production day (plant-local)", tests: [not_null] }
  calendar_s: { description: "Real length of the plant-local day (82800, 86400 or 90000)" }
  availability: { description: "Σrun_s / Σppt_s" }
  performance: { description: "Σideal_s / Σrun_s (not capped)" }
  quality: { description: "Σideal_good_s / Σideal_s" }
  oee: { description: "Σideal_good_s / Σppt_s (= A x P x Q)" }
  yield: { description: "Σgood / Σtotal" }
  utilization: { description: "Σppt_s / calendar_s" }
  teep: { description: "OEE x utilization = Σideal_good_s / calendar_s" }
  speed_loss_s: { description: "run_s - ideal_s - small_stop_s (negative when P > 1)" }
  quality_loss_s: { description: "ideal_s - ideal_good_s" }
tests:
  - unique: [machine_id, production_date]
  - not_null: [machine_id, production_date, calendar_s, ppt_s, run_s, ideal_s, ideal_good_s]
  - expression: { name: waterfall_adds_up, sql: "abs(ppt_s - (ideal_good_s + breakdown_s + setup_s + other_stop_s + small_stop_s + speed_loss_s + quality_loss_s)) <= 1e-6" }
  - expression: { name: oee_is_a_times_p_times_q, sql: "oee is null or availability is null or performance is null or quality is null or abs(oee - availability * performance * quality) <= 1e-9" }
  - expression: { name: performance_at_most_one, sql: "performance is null or performance <= 1", severity: warn }
*/
with days as (
  select m.plant_id, m.line_id, m.machine_id, d.date as production_date, d.calendar_s
  from (select distinct plant_id, line_id, machine_id from ref('fact_machine_shift')) m
  join ref('dim_date') d on d.plant_id = m.plant_id
),
cells as (
  select
    machine_id,
    production_date,
    count(*) as shifts,
    sum(shift_s) as shift_s,
    sum(planned_stop_s) as planned_stop_s,
    sum(ppt_s) as ppt_s,
    sum(stop_s) as stop_s,
    sum(breakdown_s) as breakdown_s,
    sum(setup_s) as setup_s,
    sum(other_stop_s) as other_stop_s,
    sum(small_stop_s) as small_stop_s,
    sum(run_s) as run_s,
    sum(total) as total,
    sum(reject) as reject,
    sum(good) as good,
    sum(ideal_s) as ideal_s,
    sum(ideal_good_s) as ideal_good_s
  from ref('fact_machine_shift')
  group by all
),
summed as (
  select
    d.plant_id,
    d.line_id,
    d.machine_id,
    d.production_date,
    coalesce(c.shifts, 0) as shifts,
    d.calendar_s,
    coalesce(c.shift_s, 0) as shift_s,
    coalesce(c.planned_stop_s, 0) as planned_stop_s,
    coalesce(c.ppt_s, 0) as ppt_s,
    coalesce(c.stop_s, 0) as stop_s,
    coalesce(c.breakdown_s, 0) as breakdown_s,
    coalesce(c.setup_s, 0) as setup_s,
    coalesce(c.other_stop_s, 0) as other_stop_s,
    coalesce(c.small_stop_s, 0) as small_stop_s,
    coalesce(c.run_s, 0) as run_s,
    coalesce(c.total, 0) as total,
    coalesce(c.reject, 0) as reject,
    coalesce(c.good, 0) as good,
    coalesce(c.ideal_s, 0) as ideal_s,
    coalesce(c.ideal_good_s, 0) as ideal_good_s
  from days d
  left join cells c on c.machine_id = d.machine_id and c.production_date = d.production_date
)
select
  *,
  cast(run_s as double) / nullif(ppt_s, 0) as availability,
  cast(ideal_s as double) / nullif(run_s, 0) as performance,
  cast(ideal_good_s as double) / nullif(ideal_s, 0) as quality,
  cast(ideal_good_s as double) / nullif(ppt_s, 0) as oee,
  cast(good as double) / nullif(total, 0) as yield,
  cast(ppt_s as double) / nullif(calendar_s, 0) as utilization,
  cast(ideal_good_s as double) / nullif(calendar_s, 0) as teep,
  run_s - ideal_s - small_stop_s as speed_loss_s,
  ideal_s - ideal_good_s as quality_loss_s
from summed
