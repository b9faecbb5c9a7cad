/*
materialized: table
description: "Reliability per machine and production month (CONTRACT §3 Reliability), from the machine-shift cells: a failure (a merged unplanned breakdown at least the small-stop threshold long, with at least 1 s left after planned time is removed) counts in the cell of its first remaining second, with all its remaining seconds as repair time. mtbf_s = Σrun_s / failures, mttr_s = Σrepair_s / failures, inherent_availability = MTBF / (MTBF + MTTR). With no failure MTBF, MTTR and inherent availability are NULL and the run time is reported as censored_exposure_s (NULL when there are failures)."
grain: [machine_id, month_start]
tags: [marts, reliability]
columns:
  machine_id: { description: "Machine", tests: [not_null] }
  month_start: { description: "First day of the production month", tests: [not_null] }
  run_s: { description: "Σrun_s" }
  failures: { description: "Failures counted in the month" }
  repair_s: { description: "Σ repair seconds of those failures (also seconds in later cells)" }
  mtbf_s: { description: "run_s / failures" }
  mttr_s: { description: "repair_s / failures" }
  inherent_availability: { description: "mtbf_s / (mtbf_s + mttr_s)" }
  censored_exposure_s: { description: "run_s when there is no failure, else NULL" }
tests:
  - unique: [machine_id, month_start]
  - not_null: [machine_id, month_start, run_s, failures, repair_s]
  - expression: { name: censored_iff_no_failure, sql: "(failures = 0) = (censored_exposure_s is not null) and (failures = 0) = (mtbf_s is null)" }
*/
with months as (
  select
    plant_id,
    line_id,
    machine_id,
    cast(date_trunc('month', production_date) as date) as month_start,
    sum(run_s) as run_s,
    sum(failures) as failures,
    sum(repair_s) as repair_s
  from ref('fact_machine_shift')
  group by all
)
select
  plant_id,
  line_id,
  machine_id,
  month_start,
  run_s,
  failures,
  repair_s,
  cast(run_s as double) / nullif(failures, 0) as mtbf_s,
  cast(repair_s as double) / nullif(failures, 0) as mttr_s,
  case when failures > 0 then cast(run_s as double) / nullif(run_s + repair_s, 0) end as inherent_availability,
  case when failures = 0 then cast(run_s as double) end as censored_exposure_s
from months
