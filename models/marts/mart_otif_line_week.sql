/*
materialized: table
description: "OTIF per line and ISO week of the due date (CONTRACT §3 Delivery): orders in full and on time / orders not cancelled whose due date is before the plant's cut-off date. Orders due on or after the cut-off date are still open and are left out (mart_delivery_order has every order)."
grain: [line_id, iso_year, iso_week]
tags: [marts, delivery]
columns:
  line_id: { description: "Line", tests: [not_null] }
  iso_year: { description: "ISO week-numbering year of the due date" }
  iso_week: { description: "ISO week of the due date (1-53)" }
  week_start: { description: "Monday of that week" }
  orders: { description: "Orders counted: not cancelled, due before the cut-off date" }
  in_full_orders: { description: "Of those, in full" }
  on_time_orders: { description: "Of those, on time" }
  otif_orders: { description: "Of those, in full and on time" }
  in_full_rate: { description: "in_full_orders / orders" }
  on_time_rate: { description: "on_time_orders / orders" }
  otif: { description: "otif_orders / orders" }
tests:
  - unique: [line_id, iso_year, iso_week]
  - not_null: [line_id, iso_year, iso_week, week_start, orders, otif]
  - expression: { name: otif_is_a_share, sql: "otif >= 0 and otif <= 1 and otif_orders <= least(in_full_orders, on_time_orders)" }
*/
select
  plant_id,
  line_id,
  isoyear(due_date) as iso_year,
  week(due_date) as iso_week,
  cast(date_trunc('week', due_date) as date) as week_start,
  count(*) as orders,
  count(*) filter (where in_full) as in_full_orders,
  count(*) filter (where on_time) as on_time_orders,
  count(*) filter (where otif) as otif_orders,
  count(*) filter (where in_full) / count(*) as in_full_rate,
  count(*) filter (where on_time) / count(*) as on_time_rate,
  count(*) filter (where otif) / count(*) as otif
from ref('mart_delivery_order')
where otif_eligible
group by all
