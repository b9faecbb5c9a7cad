/*
materialized: table
description: "One row per maintenance work order, with the machine's line and plant, the repair's length, and the shift in which the failure (else the repair) started. The cell's failures and repair_s come from downtime events (fact_stop_segment), not from work orders: these are the maintenance department's own record."
grain: [work_order_id]
tags: [core, reliability, fact]
columns:
  machine_id: { description: "Machine", tests: [not_null, { relationships: { to: dim_machine, field: machine_id } }] }
  shift_id: { description: "Shift containing failure_at (else repair_start); NULL: none" }
  repair_duration_s: { description: "repair_end - repair_start in seconds" }
  response_s: { description: "repair_start - failure_at in seconds (NULL without failure_at)" }
tests:
  - unique: [work_order_id]
  - not_null: [work_order_id, machine_id, kind, repair_start, repair_end]
  - accepted_values: { column: kind, values: [corrective, preventive] }
*/
select
  w.work_order_id,
  w.machine_id,
  w.kind,
  w.failure_at,
  w.repair_start,
  w.repair_end,
  w.repair_duration_s,
  (epoch_us(w.repair_start) - epoch_us(w.failure_at)) / 1e6 as response_s,
  w.failure_mode,
  w.cost,
  m.plant_id,
  m.line_id,
  m.line_position,
  s.shift_id,
  s.production_date
from ref('stg_maintenance_orders') w
join ref('stg_machines') m on m.machine_id = w.machine_id
-- Shifts of a plant never overlap (an error test), so at most one contains the instant.
left join ref('shift_utc_day') s
  on s.plant_id = m.plant_id
  and s.utc_day_no = epoch_us(coalesce(w.failure_at, w.repair_start)) // 86400000000
  and coalesce(w.failure_at, w.repair_start) >= s.shift_start_ts
  and coalesce(w.failure_at, w.repair_start) < s.shift_end_ts
