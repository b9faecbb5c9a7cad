/*
materialized: table
description: "Quality per line, product and production day (CONTRACT §3 Quality). A unit counts once per line: line input = counts at the line's lowest line_position, line output = counts at its highest. FPY per position = Σgood / Σtotal pooled over the machines at that position; RTY = product of the FPY of every position of the line in line_position order, NULL if any is NULL (a position without counts of the product that day). Scrap rate, rework rate and DPMO are over the line input total; the defects are those of every machine of the line. Components are kept so that weeks, months or all products roll up as sums, except RTY, which is a product of per-position ratios (recompute it from fpy_by_position's totals)."
grain: [line_id, product_id, production_date]
tags: [marts, quality]
columns:
  line_id: { description: "Line", tests: [not_null] }
  product_id: { description: "Product", tests: [not_null] }
  production_date: { description: "Production day", tests: [not_null] }
  positions: { description: "Number of line positions (distinct line_position of the line's machines)" }
  fpy_by_position: { description: "List of {line_position, total, good, fpy}, in line_position order" }
  rty: { description: "Rolled throughput yield = Π fpy over positions; NULL if any position's fpy is NULL" }
  line_input_total: { description: "Σ total_count at the lowest position" }
  line_output_total: { description: "Σ total_count at the highest position" }
  line_output_good: { description: "Σ good at the highest position" }
  defect_qty: { description: "Σ defect quantity on the line's machines, every disposition" }
  scrap_qty: { description: "Σ scrapped quantity" }
  rework_qty: { description: "Σ reworked quantity" }
  scrap_rate: { description: "scrap_qty / line_input_total (NULL when 0)" }
  rework_rate: { description: "rework_qty / line_input_total (NULL when 0)" }
  opportunities: { description: "line_input_total x defect_opportunities" }
  dpmo: { description: "defect_qty x 1e6 / opportunities" }
  sigma_level: { description: "Φ⁻¹(1 - dpmo/1e6) + 1.5; NULL when dpmo is 0 or NULL, or 1e6 and above" }
  scrap_cost: { description: "Σ scrapped x unit_cost, plant currency" }
  rework_cost: { description: "Σ reworked x rework_cost, plant currency" }
  copq: { description: "scrap_cost + rework_cost" }
tests:
  - unique: [line_id, product_id, production_date]
  - not_null: [line_id, product_id, production_date, positions, line_input_total, line_output_good, defect_qty]
  - expression: { name: rty_is_a_yield, sql: "rty is null or (rty >= 0 and rty <= 1)" }
  - expression: { name: rty_null_iff_a_position_lacks_counts, sql: "(rty is null) = list_contains(list_transform(fpy_by_position, p -> p.fpy is null), true)" }
*/
with line_positions as (
  select distinct line_id, line_position
  from ref('dim_machine')
  where is_current
),
position_counts as (
  select
    c.line_id,
    c.line_position,
    c.product_id,
    c.production_date,
    sum(c.total) as total,
    sum(c.good) as good
  from ref('cell_counts') c
  group by all
),
line_defects as (
  select
    d.line_id,
    d.product_id,
    s.production_date,
    sum(d.quantity) as defect_qty,
    sum(d.scrap_qty) as scrap_qty,
    sum(d.rework_qty) as rework_qty,
    sum(d.scrap_cost) as scrap_cost,
    sum(d.rework_cost) as rework_cost
  from ref('fact_defect') d
  join ref('dim_shift') s on s.shift_id = d.shift_id
  group by all
),
line_days as (
  select distinct line_id, product_id, production_date from position_counts
  union
  select line_id, product_id, production_date from line_defects
),
positions as (
  select
    k.line_id,
    k.product_id,
    k.production_date,
    lp.line_position,
    coalesce(pc.total, 0) as total,
    coalesce(pc.good, 0) as good,
    pc.good / nullif(pc.total, 0) as fpy
  from line_days k
  join line_positions lp on lp.line_id = k.line_id
  left join position_counts pc
    on pc.line_id = k.line_id and pc.line_position = lp.line_position
    and pc.product_id = k.product_id and pc.production_date = k.production_date
),
rolled as (
  select
    p.line_id,
    p.product_id,
    p.production_date,
    count(*) as positions,
    list({ 'line_position': p.line_position, 'total': p.total, 'good': p.good, 'fpy': p.fpy } order by p.line_position)
      as fpy_by_position,
    case
      when count(p.fpy) = count(*) then list_reduce(list(p.fpy order by p.line_position), (a, b) -> a * b)
    end as rty,
    sum(p.total) filter (where p.line_position = l.first_position) as line_input_total,
    sum(p.total) filter (where p.line_position = l.last_position) as line_output_total,
    sum(p.good) filter (where p.line_position = l.last_position) as line_output_good
  from positions p
  join ref('dim_line') l on l.line_id = p.line_id
  group by all
),
rated as (
  select
    l.plant_id,
    r.line_id,
    r.product_id,
    r.production_date,
    r.positions,
    r.fpy_by_position,
    r.rty,
    coalesce(r.line_input_total, 0) as line_input_total,
    coalesce(r.line_output_total, 0) as line_output_total,
    coalesce(r.line_output_good, 0) as line_output_good,
    coalesce(d.defect_qty, 0) as defect_qty,
    coalesce(d.scrap_qty, 0) as scrap_qty,
    coalesce(d.rework_qty, 0) as rework_qty,
    coalesce(d.scrap_qty, 0) / nullif(r.line_input_total, 0) as scrap_rate,
    coalesce(d.rework_qty, 0) / nullif(r.line_input_total, 0) as rework_rate,
    pr.defect_opportunities,
    r.line_input_total * pr.defect_opportunities as opportunities,
    coalesce(d.defect_qty, 0) * 1e6 / nullif(r.line_input_total * pr.defect_opportunities, 0) as dpmo,
    coalesce(d.scrap_cost, 0) as scrap_cost,
    coalesce(d.rework_cost, 0) as rework_cost,
    coalesce(d.scrap_cost, 0) + coalesce(d.rework_cost, 0) as copq,
    p.currency
  from rolled r
  join ref('dim_line') l on l.line_id = r.line_id
  join ref('dim_plant') p on p.plant_id = l.plant_id
  left join ref('dim_product') pr on pr.product_id = r.product_id and pr.is_current
  left join line_defects d
    on d.line_id = r.line_id and d.product_id = r.product_id and d.production_date = r.production_date
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
