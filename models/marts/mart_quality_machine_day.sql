/*
materialized: table
description: "Quality per machine, product and production day (CONTRACT §3 Quality): first-pass yield, scrap and rework rates over the machine's own total, DPMO and sigma level, and the cost of poor quality. Counts belong to the shift their interval_start falls in, defects to the machine's shift containing detected_at; both count on that shift's production day (nothing outside every shift). Every component is here, so any roll-up is a sum of components then the ratio (never an average of rates). Sigma level = Φ⁻¹(1 - DPMO/1e6) + 1.5 with Wichura's AS 241 for Φ⁻¹, as the metrics layer."
grain: [machine_id, product_id, production_date]
tags: [marts, quality]
columns:
  machine_id: { description: "Machine", tests: [not_null] }
  product_id: { description: "Product", tests: [not_null] }
  production_date: { description: "Production day (plant-local date the shift starts)", tests: [not_null] }
  line_position: { description: "Step of the machine on its line" }
  total: { description: "Units made (Σ total_count)" }
  good: { description: "First-pass good units (Σ total - reject)" }
  reject: { description: "Σ reject_count (scrap and rework included)" }
  fpy: { description: "First-pass yield = good / total (NULL when total = 0)" }
  defect_qty: { description: "Σ defect quantity, every disposition" }
  scrap_qty: { description: "Σ defect quantity with disposition scrap" }
  rework_qty: { description: "Σ defect quantity with disposition rework" }
  use_as_is_qty: { description: "Σ defect quantity with disposition use_as_is (costs nothing)" }
  scrap_rate: { description: "scrap_qty / total (NULL when total = 0)" }
  rework_rate: { description: "rework_qty / total (NULL when total = 0)" }
  defect_opportunities: { description: "Opportunities per unit (current product master)" }
  opportunities: { description: "total x defect_opportunities" }
  dpmo: { description: "defect_qty x 1e6 / opportunities (NULL when no opportunities)" }
  sigma_level: { description: "Φ⁻¹(1 - dpmo/1e6) + 1.5; NULL when dpmo is 0 or NULL, or 1e6 and above" }
  scrap_cost: { description: "Σ scrapped x unit_cost, plant currency" }
  rework_cost: { description: "Σ reworked x rework_cost, plant currency" }
  copq: { description: "scrap_cost + rework_cost" }
  currency: { description: "Plant currency (ISO 4217)" }
tests:
  - unique: [machine_id, product_id, production_date]
  - not_null: [machine_id, product_id, production_date, total, good, defect_qty, scrap_qty, rework_qty]
  - expression: { name: good_within_total, sql: "good >= 0 and good <= total" }
  - expression: { name: copq_adds_up, sql: "abs(copq - (scrap_cost + rework_cost)) <= 1e-9" }
  - expression: { name: dpmo_zero_has_no_sigma, sql: "dpmo is null or dpmo > 0 or sigma_level is null" }
*/
with counted as (
  select
    c.machine_id,
    c.product_id,
    c.production_date,
    sum(c.total) as total,
    sum(c.good) as good,
    sum(c.reject) as reject
  from ref('cell_counts') c
  group by all
),
defected as (
  select
    d.machine_id,
    d.product_id,
    s.production_date,
    sum(d.quantity) as defect_qty,
    sum(d.scrap_qty) as scrap_qty,
    sum(d.rework_qty) as rework_qty,
    sum(d.quantity) filter (where d.disposition = 'use_as_is') as use_as_is_qty,
    sum(d.scrap_cost) as scrap_cost,
    sum(d.rework_cost) as rework_cost
  from ref('fact_defect') d
  join ref('dim_shift') s on s.shift_id = d.shift_id
  group by all
),
cells as (
  select
    coalesce(c.machine_id, d.machine_id) as machine_id,
    coalesce(c.product_id, d.product_id) as product_id,
    coalesce(c.production_date, d.production_date) as production_date,
    coalesce(c.total, 0) as total,
    coalesce(c.good, 0) as good,
    coalesce(c.reject, 0) as reject,
    coalesce(d.defect_qty, 0) as defect_qty,
    coalesce(d.scrap_qty, 0) as scrap_qty,
    coalesce(d.rework_qty, 0) as rework_qty,
    coalesce(d.use_as_is_qty, 0) as use_as_is_qty,
    coalesce(d.scrap_cost, 0) as scrap_cost,
    coalesce(d.rework_cost, 0) as rework_cost
  from counted c
  full join defected d
    on d.machine_id = c.machine_id and d.product_id = c.product_id and d.production_date = c.production_date
),
rated as (
  select
    m.plant_id,
    m.line_id,
    m.line_position,
    x.machine_id,
    x.product_id,
    x.production_date,
    x.total,
    x.good,
    x.reject,
    x.good / nullif(x.total, 0) as fpy,
    x.defect_qty,
    x.scrap_qty,
    x.rework_qty,
    x.use_as_is_qty,
    x.scrap_qty / nullif(x.total, 0) as scrap_rate,
    x.rework_qty / nullif(x.total, 0) as rework_rate,
    pr.defect_opportunities,
    x.total * pr.defect_opportunities as opportunities,
    x.defect_qty * 1e6 / nullif(x.total * pr.defect_opportunities, 0) as dpmo,
    x.scrap_cost,
    x.rework_cost,
    x.scrap_cost + x.rework_cost as copq,
    p.currency
  from cells x
  join ref('dim_machine') m on m.machine_id = x.machine_id and m.is_current
  join ref('dim_plant') p on p.plant_id = m.plant_id
  left join ref('dim_product') pr on pr.product_id = x.product_id and pr.is_current
),
-- Φ⁻¹ by Wichura's AS 241 (as src/metrics/inverse-normal.ts, ~1e-16), on the defect probability
-- t = dpmo/1e6: sigma level = Φ⁻¹(1 - t) + 1.5 = 1.5 - Φ⁻¹(t). Polynomials by Horner, highest degree first.
inverse as (
  select
    *,
    dpmo / 1e6 as t,
    case when dpmo > 0 and dpmo < 1e6 then sqrt(-ln(least(dpmo / 1e6, 1 - dpmo / 1e6))) end as r
  from rated
)
select
  * exclude (t, r),
  case when t > 0 and t < 1 then 1.5 - case
    when abs(t - 0.5) <= 0.425 then (t - 0.5)
      * list_reduce([2509.0809287301226727, 33430.575583588128105, 67265.770927008700853, 45921.953931549871457,
          13731.693765509461125, 1971.5909503065514427, 133.14166789178437745, 3.387132872796366608]::double[],
          (a, c) -> a * (0.180625 - (t - 0.5) * (t - 0.5)) + c)
      / list_reduce([5226.495278852854561, 28729.085735721942674, 39307.89580009271061, 21213.794301586595867,
          5394.1960214247511077, 687.1870074920579083, 42.313330701600911252, 1]::double[],
          (a, c) -> a * (0.180625 - (t - 0.5) * (t - 0.5)) + c)
    when r <= 5 then sign(t - 0.5)
      * list_reduce([7.7454501427834140764e-4, 0.0227238449892691845833, 0.24178072517745061177, 1.27045825245236838258,
          3.64784832476320460504, 5.7694972214606914055, 4.6303378461565452959, 1.42343711074968357734]::double[],
          (a, c) -> a * (r - 1.6) + c)
      / list_reduce([1.05075007164441684324e-9, 5.475938084995344946e-4, 0.0151986665636164571966, 0.14810397642748007459,
          0.68976733498510000455, 1.6763848301838038494, 2.05319162663775882187, 1]::double[],
          (a, c) -> a * (r - 1.6) + c)
    else sign(t - 0.5)
      * list_reduce([2.01033439929228813265e-7, 2.71155556874348757815e-5, 0.0012426609473880784386, 0.026532189526576123093,
          0.29656057182850489123, 1.7848265399172913358, 5.4637849111641143699, 6.6579046435011037772]::double[],
          (a, c) -> a * (r - 5) + c)
      / list_reduce([2.04426310338993978564e-15, 1.4215117583164458887e-7, 1.8463183175100546818e-5, 7.868691311456132591e-4,
          0.014875361290850614852, 0.13692988092273580531, 0.59983220655588793769, 1]::double[],
          (a, c) -> a * (r - 5) + c)
  end end as sigma_level
from inverse
