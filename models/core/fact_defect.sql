/*
materialized: table
description: "One row per defect record, in the machine's shift containing detected_at (CONTRACT §2; NULL: no shift, or at/after the cut-off), with scrap and rework quantities and their cost at the product's current standard costs. use_as_is defects cost nothing."
grain: [defect_id]
tags: [core, quality, fact]
columns:
  machine_id: { description: "Machine", tests: [not_null, { relationships: { to: dim_machine, field: machine_id } }] }
  shift_id: { description: "Shift containing detected_at (NULL: none)", tests: [{ relationships: { to: dim_shift, field: shift_id } }] }
  defect_code: { description: "Defect code", tests: [not_null, { relationships: { to: dim_defect_code, field: defect_code } }] }
  scrap_qty: { description: "quantity when disposition is scrap, else 0" }
  rework_qty: { description: "quantity when disposition is rework, else 0" }
  scrap_cost: { description: "scrap_qty × unit_cost (plant currency)" }
  rework_cost: { description: "rework_qty × rework_cost (plant currency)" }
tests:
  - unique: [defect_id]
  - not_null: [defect_id, machine_id, detected_at, quantity, scrap_qty, rework_qty, scrap_cost, rework_cost]
  - accepted_values: { column: disposition, values: [scrap, rework, use_as_is] }
*/
select
  d.defect_id,
  d.detected_at,
  d.machine_id,
  d.order_id,
  d.product_id,
  d.batch_id,
  d.defect_code,
  d.severity,
  d.quantity,
  d.disposition,
  s.shift_id,
  s.production_date,
  m.plant_id,
  m.line_id,
  m.line_position,
  case when d.disposition = 'scrap' then d.quantity else 0 end as scrap_qty,
  case when d.disposition = 'rework' then d.quantity else 0 end as rework_qty,
  case when d.disposition = 'scrap' then d.quantity * p.unit_cost else 0 end as scrap_cost,
  case when d.disposition = 'rework' then d.quantity * p.rework_cost else 0 end as rework_cost
from ref('stg_defects') d
join ref('stg_machines') m on m.machine_id = d.machine_id
left join ref('stg_products') p on p.product_id = d.product_id
-- Shifts of a plant never overlap (an error test), so at most one contains the instant.
left join ref('shift_utc_day') s
  on s.plant_id = m.plant_id
  and s.utc_day_no = epoch_us(d.detected_at) // 86400000000
  and d.detected_at >= s.shift_start_ts
  and d.detected_at < s.shift_end_ts
