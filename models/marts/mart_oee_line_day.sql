/*
materialized: table
description: "OEE per line and production day (CONTRACT §3), rolled up from mart_oee_machine_day's components over the line's machines (sums, then the ratios: time-weighted, never an average of machine ratios). Line OEE is this roll-up over the line's machines, not the OEE of its constraint. calendar_s is the plant-local day length once per machine, so utilization = Σppt_s / (machines x day length)."
grain: [line_id, production_date]
tags: [marts, oee]
columns:
  line_id: { description: "Line", tests: [not_null] }
  production_date: { description: "Production day (plant-local)", tests: [not_null] }
  machines: { description: "Machines summed" }
  calendar_s: { description: "Σ day length per machine" }
  availability: { description: "Σrun_s / Σppt_s" }
  performance: { description: "Σideal_s / Σrun_s (not capped)" }
  quality: { description: "Σideal_good_s / Σideal_s" }
  oee: { description: "Σideal_good_s / Σppt_s" }
  yield: { description: "Σgood / Σtotal" }
  utilization: { description: "Σppt_s / Σcalendar_s" }
  teep: { description: "Σideal_good_s / Σcalendar_s" }
tests:
  - unique: [line_id, production_date]
  - not_null: [line_id, production_date, calendar_s, ppt_s, run_s]
  - expression: { name: waterfall_adds_up, sql: "abs(ppt_s - (ideal_good_s + breakdown_s + setup_s + other_stop_s + small_stop_s + speed_loss_s + quality_loss_s)) <= 1e-6" }
*/
with summed as (
  select
    plant_id,
    line_id,
    production_date,
    count(*) as machines,
    sum(shifts) as shifts,
    sum(calendar_s) as calendar_s,
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
  from ref('mart_oee_machine_day')
  group by all
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
