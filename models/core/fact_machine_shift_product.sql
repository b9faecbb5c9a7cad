/*
materialized: table
description: "The cell split by product and order (CONTRACT §2): each time component of fact_machine_shift is shared among the (product, order) pairs the cell ran in proportion to their count-interval seconds in the cell; counts are the pair's own. A cell without counts is one row for product 'unassigned' (order NULL). Summed over its rows, every component equals the cell."
grain: [machine_id, shift_id, product_id, order_id]
tags: [core, oee, fact]
columns:
  machine_id: { description: "Machine", tests: [not_null, { relationships: { to: dim_machine, field: machine_id } }] }
  shift_id: { description: "Shift", tests: [not_null, { relationships: { to: dim_shift, field: shift_id } }] }
  product_id: { description: "Product ('unassigned' for a cell without counts)" }
  order_id: { description: "Production order (NULL for 'unassigned')" }
  share: { description: "Share of the cell's count-interval seconds (1 for 'unassigned')" }
  count_interval_s: { description: "Seconds of the pair's count intervals starting in the cell" }
  failures: { description: "The cell's failures times share (fractional: sums over products equal the cell)" }
tests:
  - unique: [machine_id, shift_id, product_id, order_id]
  - not_null: [machine_id, shift_id, product_id, share, shift_s, ppt_s, run_s, total, ideal_s]
  - expression: { name: waterfall_adds_up, sql: "abs(ppt_s - (ideal_good_s + breakdown_s + setup_s + other_stop_s + small_stop_s + speed_loss_s + quality_loss_s)) <= 1e-6" }
*/
with pairs as (
  select machine_id, shift_id, product_id, order_id, count_interval_s, total, reject, good, ideal_s, ideal_good_s
  from ref('cell_counts')
),
shared as (
  select *, count_interval_s / sum(count_interval_s) over (partition by machine_id, shift_id) as share
  from pairs
),
cell_pairs as (
  select
    c.*,
    coalesce(p.product_id, 'unassigned') as pair_product_id,
    p.order_id as pair_order_id,
    coalesce(p.share, 1.0) as pair_share,
    coalesce(p.count_interval_s, 0) as pair_count_interval_s,
    cast(coalesce(p.total, 0) as bigint) as pair_total,
    cast(coalesce(p.reject, 0) as bigint) as pair_reject,
    cast(coalesce(p.good, 0) as bigint) as pair_good,
    coalesce(p.ideal_s, 0)::double as pair_ideal_s,
    coalesce(p.ideal_good_s, 0)::double as pair_ideal_good_s
  from ref('fact_machine_shift') c
  left join shared p on p.machine_id = c.machine_id and p.shift_id = c.shift_id
)
select
  machine_id,
  shift_id,
  pair_product_id as product_id,
  pair_order_id as order_id,
  plant_id,
  line_id,
  line_position,
  production_date,
  shift_start_ts,
  shift_end_ts,
  partial,
  pair_share as share,
  pair_count_interval_s as count_interval_s,
  shift_s * pair_share as shift_s,
  planned_stop_s * pair_share as planned_stop_s,
  ppt_s * pair_share as ppt_s,
  stop_s * pair_share as stop_s,
  breakdown_s * pair_share as breakdown_s,
  setup_s * pair_share as setup_s,
  other_stop_s * pair_share as other_stop_s,
  small_stop_s * pair_share as small_stop_s,
  run_s * pair_share as run_s,
  pair_total as total,
  pair_reject as reject,
  pair_good as good,
  pair_ideal_s as ideal_s,
  pair_ideal_good_s as ideal_good_s,
  run_s * pair_share - pair_ideal_s - small_stop_s * pair_share as speed_loss_s,
  pair_ideal_s - pair_ideal_good_s as quality_loss_s,
  failures * pair_share as failures,
  repair_s * pair_share as repair_s
from cell_pairs
