/*
materialized: table
description: "Cost per line and production day in the plant's currency (CONTRACT §3 Cost), with the current master data's rates and prices (as the metrics layer). material = line input Σtotal x material_cost (per product); machine = Σppt_s/3600 x hourly_cost and labor = Σppt_s/3600 x crew_size x labor_rate_per_hour, both over every machine of the line; cost_per_good_unit = (material + machine + labor) / line output Σgood; scrap_cost = Σscrapped x unit_cost, rework_cost = Σreworked x rework_cost, copq = their sum; revenue = line output Σgood x unit_price; gross_margin = revenue - (material + machine + labor). Every money column is a sum, so weeks and months are sums of days (cost_per_good_unit: recompute from the sums)."
grain: [line_id, production_date]
tags: [marts, cost]
columns:
  plant_id: { description: "Plant" }
  line_id: { description: "Line", tests: [not_null] }
  production_date: { description: "Production day", tests: [not_null] }
  ppt_s: { description: "Σ planned production time of the line's machines (seconds)" }
  line_input_total: { description: "Units made at the line's first position" }
  output_good: { description: "First-pass good units at the line's last position" }
  material: { description: "line input Σtotal x material_cost" }
  machine: { description: "Σppt_s / 3600 x hourly_cost, every machine of the line" }
  labor: { description: "Σppt_s / 3600 x crew_size x labor_rate_per_hour, every machine of the line" }
  cost: { description: "material + machine + labor" }
  cost_per_good_unit: { description: "cost / output_good (NULL when no good output)" }
  scrap_cost: { description: "Σ scrapped x unit_cost" }
  rework_cost: { description: "Σ reworked x rework_cost" }
  copq: { description: "Cost of poor quality = scrap_cost + rework_cost" }
  revenue: { description: "output_good x unit_price (per product)" }
  gross_margin: { description: "revenue - cost" }
  currency: { description: "Plant currency (ISO 4217)" }
tests:
  - unique: [line_id, production_date]
  - not_null: [line_id, production_date, material, machine, labor, scrap_cost, rework_cost, revenue, currency]
  - expression: { name: margin_adds_up, sql: "abs(gross_margin - (revenue - (material + machine + labor))) <= 1e-6" }
  - expression: { name: cost_per_unit_null_iff_no_output, sql: "(cost_per_good_unit is null) = (output_good = 0)" }
*/
with machine_time as (
  select
    c.line_id,
    c.production_date,
    sum(c.ppt_s) as ppt_s,
    sum(c.ppt_s / 3600 * m.hourly_cost) as machine,
    sum(c.ppt_s / 3600 * m.crew_size * p.labor_rate_per_hour) as labor
  from ref('fact_machine_shift') c
  join ref('dim_machine') m on m.machine_id = c.machine_id and m.is_current
  join ref('dim_plant') p on p.plant_id = c.plant_id
  group by all
),
product_flow as (
  select
    q.line_id,
    q.production_date,
    sum(q.line_input_total) as line_input_total,
    sum(q.line_output_good) as output_good,
    sum(q.line_input_total * pr.material_cost) as material,
    sum(q.line_output_good * pr.unit_price) as revenue,
    sum(q.scrap_cost) as scrap_cost,
    sum(q.rework_cost) as rework_cost
  from ref('mart_quality_line_day') q
  left join ref('dim_product') pr on pr.product_id = q.product_id and pr.is_current
  group by all
),
summed as (
  select
    l.plant_id,
    t.line_id,
    t.production_date,
    t.ppt_s,
    coalesce(f.line_input_total, 0) as line_input_total,
    coalesce(f.output_good, 0) as output_good,
    coalesce(f.material, 0) as material,
    t.machine,
    t.labor,
    coalesce(f.scrap_cost, 0) as scrap_cost,
    coalesce(f.rework_cost, 0) as rework_cost,
    coalesce(f.revenue, 0) as revenue,
    p.currency
  from machine_time t
  join ref('dim_line') l on l.line_id = t.line_id
  join ref('dim_plant') p on p.plant_id = l.plant_id
  left join product_flow f on f.line_id = t.line_id and f.production_date = t.production_date
)
select
  plant_id,
  line_id,
  production_date,
  ppt_s,
  line_input_total,
  output_good,
  material,
  machine,
  labor,
  material + machine + labor as cost,
  (material + machine + labor) / nullif(output_good, 0) as cost_per_good_unit,
  scrap_cost,
  rework_cost,
  scrap_cost + rework_cost as copq,
  revenue,
  revenue - (material + machine + labor) as gross_margin,
  currency
from summed
