/*
materialized: table
description: "Defect Pareto per plant and month (CONTRACT §3 Quality): each defect code's quantity and cost, its rank, share and cumulative share, once by quantity and once by cost; ties are broken by defect code. A defect counts in the month of the production day of the machine's shift containing detected_at (defects outside every shift count nowhere). Cost = scrapped x unit_cost + reworked x rework_cost; use_as_is costs nothing."
grain: [plant_id, month_start, defect_code]
tags: [marts, quality]
columns:
  plant_id: { description: "Plant", tests: [not_null] }
  month_start: { description: "First day of the production month", tests: [not_null] }
  defect_code: { description: "Defect code", tests: [not_null] }
  description: { description: "Defect code description" }
  category: { description: "Defect code category" }
  quantity: { description: "Σ defect quantity (every disposition)" }
  cost: { description: "Σ scrap_cost + rework_cost, plant currency" }
  quantity_rank: { description: "1 = most units; ties by defect code" }
  quantity_share: { description: "quantity / month's total quantity" }
  cumulative_quantity_share: { description: "Share of this code and every code ranked before it by quantity" }
  cost_rank: { description: "1 = most cost; ties by defect code" }
  cost_share: { description: "cost / month's total cost (NULL when the month's defects cost nothing)" }
  cumulative_cost_share: { description: "Share of this code and every code ranked before it by cost" }
  currency: { description: "Plant currency" }
tests:
  - unique: [plant_id, month_start, defect_code]
  - unique: [plant_id, month_start, quantity_rank]
  - unique: [plant_id, month_start, cost_rank]
  - not_null: [plant_id, month_start, defect_code, quantity, cost, quantity_rank, cost_rank, quantity_share, cumulative_quantity_share]
  - expression: { name: cumulative_share_within_share_and_one, sql: "cumulative_quantity_share >= quantity_share - 1e-12 and cumulative_quantity_share <= 1 + 1e-9" }
*/
with by_code as (
  select
    d.plant_id,
    cast(date_trunc('month', s.production_date) as date) as month_start,
    d.defect_code,
    sum(d.quantity) as quantity,
    sum(d.scrap_cost + d.rework_cost) as cost
  from ref('fact_defect') d
  join ref('dim_shift') s on s.shift_id = d.shift_id
  group by all
),
ranked as (
  select
    *,
    row_number() over (partition by plant_id, month_start order by quantity desc, defect_code) as quantity_rank,
    row_number() over (partition by plant_id, month_start order by cost desc, defect_code) as cost_rank,
    sum(quantity) over (partition by plant_id, month_start) as month_quantity,
    sum(cost) over (partition by plant_id, month_start) as month_cost
  from by_code
)
select
  r.plant_id,
  r.month_start,
  r.defect_code,
  dc.description,
  dc.category,
  r.quantity,
  r.cost,
  r.quantity_rank,
  r.quantity / nullif(r.month_quantity, 0) as quantity_share,
  sum(r.quantity) over (partition by r.plant_id, r.month_start order by r.quantity_rank)
    / nullif(r.month_quantity, 0) as cumulative_quantity_share,
  r.cost_rank,
  r.cost / nullif(r.month_cost, 0) as cost_share,
  sum(r.cost) over (partition by r.plant_id, r.month_start order by r.cost_rank)
    / nullif(r.month_cost, 0) as cumulative_cost_share,
  p.currency
from ranked r
join ref('dim_plant') p on p.plant_id = r.plant_id
left join ref('dim_defect_code') dc on dc.defect_code = r.defect_code
