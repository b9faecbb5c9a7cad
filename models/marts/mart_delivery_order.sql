/*
materialized: table
description: "Delivery per production order (CONTRACT §3 Delivery). Output = line output good (first-pass good units counted at the line's highest line_position) booked to the order, from count intervals inside a shift. In full: output_good >= planned_qty. On time: the interval_end at which cumulative output (intervals in interval_end order) first reaches planned_qty is strictly before 00:00 plant-local of the day after due_date (an order of 0 units is on time). otif_eligible: not cancelled and due before the plant's cut-off date (the plant-local date of the cut-off); only those count in mart_otif_line_week."
grain: [order_id]
tags: [marts, delivery]
columns:
  order_id: { description: "Production order", tests: [not_null] }
  line_id: { description: "Line of the order" }
  plant_id: { description: "Plant of the line" }
  product_id: { description: "Product" }
  status: { description: "Order status" }
  planned_qty: { description: "Units ordered" }
  due_date: { description: "Due date (plant-local)" }
  due_deadline_ts: { description: "00:00 plant-local of the day after due_date (instant)" }
  output_good: { description: "Line output good booked to the order" }
  completed_at: { description: "interval_end at which cumulative output first reaches planned_qty (NULL: not yet)" }
  in_full: { description: "output_good >= planned_qty" }
  on_time: { description: "completed_at < due_deadline_ts" }
  otif: { description: "in_full and on_time" }
  cutoff_date: { description: "Plant-local date of the plant's cut-off" }
  otif_eligible: { description: "Not cancelled and due_date < cutoff_date" }
tests:
  - unique: [order_id]
  - not_null: [order_id, line_id, planned_qty, due_date, output_good, in_full, on_time, otif, otif_eligible]
  - expression: { name: on_time_needs_completion, sql: "not on_time or planned_qty = 0 or completed_at is not null" }
  - expression: { name: completed_means_in_full, sql: "completed_at is null or in_full" }
*/
with output_intervals as (
  select
    c.order_id,
    c.interval_end,
    sum(c.good) over (
      partition by c.order_id
      order by c.interval_end, c.interval_start, c.machine_id
      rows between unbounded preceding and current row
    ) as cumulative_good
  from ref('fact_production_count') c
  join ref('dim_line') l on l.line_id = c.line_id and c.line_position = l.last_position
  where c.shift_id is not null
),
output as (
  select
    i.order_id,
    max(i.cumulative_good) as output_good,
    min(i.interval_end) filter (where i.cumulative_good >= o.planned_qty) as completed_at
  from output_intervals i
  join ref('stg_production_orders') o on o.order_id = i.order_id
  group by i.order_id
),
orders as (
  select
    o.order_id,
    o.line_id,
    l.plant_id,
    o.product_id,
    o.status,
    o.planned_qty,
    o.due_date,
    timezone(p.timezone, cast(o.due_date + 1 as timestamp)) as due_deadline_ts,
    coalesce(out.output_good, 0) as output_good,
    out.completed_at,
    cast(timezone(p.timezone, p.cutoff_ts) as date) as cutoff_date
  from ref('stg_production_orders') o
  join ref('dim_line') l on l.line_id = o.line_id
  join ref('dim_plant') p on p.plant_id = l.plant_id
  left join output out on out.order_id = o.order_id
)
select
  order_id,
  line_id,
  plant_id,
  product_id,
  status,
  planned_qty,
  due_date,
  due_deadline_ts,
  output_good,
  completed_at,
  output_good >= planned_qty as in_full,
  planned_qty = 0 or coalesce(completed_at < due_deadline_ts, false) as on_time,
  output_good >= planned_qty and (planned_qty = 0 or coalesce(completed_at < due_deadline_ts, false)) as otif,
  cutoff_date,
  status <> 'cancelled' and coalesce(due_date < cutoff_date, false) as otif_eligible
from orders
