/*
materialized: incremental
unique_key: [machine_id, shift_id, product_id, order_id]
# The count intervals summed once per machine-shift cell and (product, order), so the cells,
# their product split and the quality marts read tens of thousands of rows, not every interval
# again each day. Per machine, a build recomputes the cells from the earliest shift a new or
# re-sent interval falls in, and takes that machine's rows from there out of earlier builds:
# an interval re-sent with another product or order leaves no stale (product, order) row.
# fact_production_count is rebuilt in full when machines, routings or the shifts under its
# counts change, and then so is this. dim_shift otherwise only gains shifts and grows its
# partial last one, which changes no earlier cell: changes_handled.
replaces: "
  select c.machine_id, min(s.shift_start_ts) as shift_start_ts
  from new_rows('fact_production_count') c
  join ref('dim_shift') s on s.shift_id = c.shift_id
  group by c.machine_id"
changes_handled: [dim_shift]
description: "Counts per machine-shift cell and (product, order): the sums of fact_production_count's intervals whose interval_start falls in the shift (intervals in no shift count nowhere and are not here). Sums of whole units are exact; ideal seconds are summed per cell and pair. Incremental: a build recomputes, per machine, the cells from the earliest shift with new or re-sent intervals (see replaces)."
grain: [machine_id, shift_id, product_id, order_id]
tags: [core, oee]
columns:
  machine_id: { description: "Machine" }
  shift_id: { description: "Shift the intervals start in" }
  shift_start_ts: { description: "Start of the shift (where a build's recomputation starts)" }
  production_date: { description: "Production date of the shift" }
  product_id: { description: "Product" }
  order_id: { description: "Production order (NULL when the intervals name none)" }
  plant_id: { description: "The machine's plant" }
  line_id: { description: "The machine's current line" }
  line_position: { description: "The machine's step on its line" }
  intervals: { description: "Count intervals summed" }
  count_interval_s: { description: "Σ interval_s (weights the products of a cell)" }
  total: { description: "Σ total_count" }
  reject: { description: "Σ reject_count" }
  good: { description: "Σ good (total - reject)" }
  ideal_s: { description: "Σ ideal_cycle_time_s × total_count" }
  ideal_good_s: { description: "Σ ideal_cycle_time_s × good" }
tests:
  - unique: [machine_id, shift_id, product_id, order_id]
  - not_null: [machine_id, shift_id, shift_start_ts, product_id, intervals, total, reject, good]
*/
with recomputed_from as (
  -- From replaces: per machine, the cells of shifts starting at or after this are recomputed.
  select machine_id, shift_start_ts as from_ts from replaced('cell_counts')
)
select
  c.machine_id,
  c.shift_id,
  s.shift_start_ts,
  s.production_date,
  c.product_id,
  c.order_id,
  any_value(c.plant_id) as plant_id,
  any_value(c.line_id) as line_id,
  any_value(c.line_position) as line_position,
  count(*) as intervals,
  sum(c.interval_s) as count_interval_s,
  -- BIGINT: a HUGEINT sum would be written to Parquet as DOUBLE.
  cast(sum(c.total_count) as bigint) as total,
  cast(sum(c.reject_count) as bigint) as reject,
  cast(sum(c.good) as bigint) as good,
  sum(c.ideal_s) as ideal_s,
  sum(c.ideal_good_s) as ideal_good_s
from ref('fact_production_count') c
join recomputed_from r on r.machine_id = c.machine_id
join ref('dim_shift') s on s.shift_id = c.shift_id
-- Shifts of a plant never overlap, so an interval starting at or after a shift start lies in a
-- shift starting there or later: the first condition only lets the scan skip older intervals.
where c.interval_start >= r.from_ts
  and s.shift_start_ts >= r.from_ts
group by c.machine_id, c.shift_id, s.shift_start_ts, s.production_date, c.product_id, c.order_id
