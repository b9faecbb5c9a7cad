/*
materialized: incremental
unique_key: [stop_id, segment_start_ts]
# Per machine, this build recomputes the segments of every stop that ends at or after the
# earliest start of a stop that changed (new or recomputed in stop_merged, or gone from it) or
# of a shift that changed (new, gone, or moved; the shift_utc_day rows compared with when
# this model last ran), and takes those segments out of earlier builds. An unplanned stop
# overlapping a changed planned stop ends after its start, so it is recomputed too. A full
# build: every stop. Settings and machines are read by ref(): when they change, all is rebuilt.
replaces: "
  with stop_changes as (
    select machine_id, stop_start_ts from new_rows('stop_merged')
    union all
    select p.machine_id, p.stop_start_ts
    from previous('stop_merged') p
    anti join ref('stop_merged') c on c.stop_id = p.stop_id
  ),
  shift_changes as (
    select plant_id, min(shift_start_ts) as changed_from_ts
    from (
      (select * from previous('shift_utc_day') except select * from ref('shift_utc_day'))
      union all
      (select * from ref('shift_utc_day') except select * from previous('shift_utc_day'))
    )
    group by plant_id
  )
  select machine_id, min(from_ts) as merged_stop_end_ts
  from (
    select machine_id, stop_start_ts as from_ts from stop_changes
    union all
    select m.machine_id, s.changed_from_ts from shift_changes s join ref('stg_machines') m on m.plant_id = s.plant_id
  )
  group by machine_id"
changes_handled: [shift_utc_day]
description: "Stop time as it counts in the cells, CONTRACT §2 steps 3-4: each merged stop clipped to the cut-off and split at shift boundaries (each part in its shift; time outside every shift counts nowhere), and for unplanned stops the parts overlapping a planned stop removed (that time counts as planned). One row per remaining piece of a merged stop within one shift. Incremental: a build recomputes, per machine, the stops that end after the earliest changed stop or shift (see replaces). Also marks failures (CONTRACT Reliability): a merged unplanned breakdown at least the threshold long with at least 1 s left; it is counted at its first remaining second, with all its remaining seconds as repair time."
grain: [stop_id, segment_start_ts]
tags: [core, oee, fact]
columns:
  machine_id: { description: "Machine", tests: [not_null, { relationships: { to: dim_machine, field: machine_id } }] }
  shift_id: { description: "Shift the segment counts in", tests: [not_null, { relationships: { to: dim_shift, field: shift_id } }] }
  stop_id: { description: "The merged stop (stop_merged)" }
  stop_kind: { description: "planned or unplanned" }
  loss_category: { description: "Loss category of the merged stop's longest event" }
  loss_bucket: { description: "Cell component the segment adds to: planned (planned_stop_s), breakdown, setup, other_stop (stop_s and its split) or small_stop (small_stop_s, inside run time)" }
  reason_code: { description: "Reason of the merged stop's longest event" }
  merged_stop_start_ts: { description: "Start of the whole merged stop" }
  merged_duration_s: { description: "Whole merged duration (decides small stops)" }
  segment_start_ts: { description: "Start of this piece (inclusive)" }
  segment_end_ts: { description: "End of this piece (exclusive)" }
  duration_s: { description: "Seconds of the piece, fractional" }
  is_open: { description: "The merged stop contains an open event (ends at the cut-off)" }
  is_failure: { description: "The merged stop is a failure" }
  is_failure_start: { description: "This piece holds the failure's first remaining second: the failure counts in this cell" }
  failure_repair_s: { description: "On the failure's first piece: all its remaining seconds (also those in later cells); else 0" }
tests:
  - unique: [stop_id, segment_start_ts]
  - not_null: [stop_id, plant_id, stop_kind, loss_bucket, segment_start_ts, segment_end_ts, duration_s]
  - accepted_values: { column: stop_kind, values: [planned, unplanned] }
  - accepted_values: { column: loss_bucket, values: [planned, breakdown, setup, other_stop, small_stop] }
  - expression: { name: segment_has_length, sql: "duration_s > 0" }
  - expression: { name: segment_inside_shift, sql: "segment_start_ts >= shift_start_ts and segment_end_ts <= shift_end_ts" }
*/
with recomputed_from as (
  -- From replaces: per machine, stops ending at or after this are recomputed.
  select machine_id, merged_stop_end_ts as recompute_from_ts from replaced('fact_stop_segment')
),
stops as (
  select s.*
  from ref('stop_merged') s
  join recomputed_from r on r.machine_id = s.machine_id
  where s.stop_end_ts >= r.recompute_from_ts
),
-- UTC day buckets keep the interval joins below cheap: two intervals can only overlap on a day
-- both touch, and the day on which their overlap starts names each pair once. Days are
-- numbers (UTC days since 1970): integer ranges, not a calendar's, for 160 k stops.
-- Planned stops that may overlap a recomputed unplanned one (recomputed or not themselves).
planned as (
  select p.machine_id, p.stop_start_ts, p.stop_end_ts,
    unnest(range(epoch_us(p.stop_start_ts) // 86400000000, (epoch_us(p.stop_end_ts) - 1) // 86400000000 + 1)) as day
  from ref('stop_merged') p
  join (select machine_id, min(stop_start_ts) as first_start_ts from stops group by all) f
    on f.machine_id = p.machine_id and p.stop_end_ts > f.first_start_ts
  where p.stop_kind = 'planned'
),
unplanned as (
  select stop_id, machine_id, stop_start_ts, stop_end_ts,
    unnest(range(epoch_us(stop_start_ts) // 86400000000, (epoch_us(stop_end_ts) - 1) // 86400000000 + 1)) as day
  from stops
  where stop_kind = 'unplanned'
),
-- Step 4 before the shift split (the same seconds either way): the planned stops inside each
-- unplanned stop, clipped to it. Merged planned stops never overlap or touch, so these are
-- disjoint and what lies between them is what stays unplanned.
planned_overlaps as (
  select
    u.stop_id,
    u.stop_start_ts,
    u.stop_end_ts,
    greatest(p.stop_start_ts, u.stop_start_ts) as overlap_start_ts,
    least(p.stop_end_ts, u.stop_end_ts) as overlap_end_ts
  from unplanned u
  join planned p
    on p.machine_id = u.machine_id
    and p.day = u.day
    and p.stop_start_ts < u.stop_end_ts
    and p.stop_end_ts > u.stop_start_ts
    and u.day = epoch_us(greatest(p.stop_start_ts, u.stop_start_ts)) // 86400000000
),
gaps as (
  select
    stop_id,
    coalesce(lag(overlap_end_ts) over (partition by stop_id order by overlap_start_ts), stop_start_ts) as piece_start_ts,
    overlap_start_ts as piece_end_ts
  from planned_overlaps
  union all
  select stop_id, max(overlap_end_ts), any_value(stop_end_ts)
  from planned_overlaps
  group by stop_id
),
piece_bounds as (
  select stop_id, piece_start_ts, piece_end_ts from gaps where piece_end_ts > piece_start_ts
  union all
  -- stops no planned stop touches: whole (planned stops themselves included)
  select s.stop_id, s.stop_start_ts, s.stop_end_ts
  from stops s
  anti join planned_overlaps o on o.stop_id = s.stop_id
),
pieces as (
  select s.*, b.piece_start_ts, b.piece_end_ts,
    unnest(range(epoch_us(b.piece_start_ts) // 86400000000, (epoch_us(b.piece_end_ts) - 1) // 86400000000 + 1)) as day
  from piece_bounds b
  join stops s on s.stop_id = b.stop_id
),
-- Step 3: split at shift boundaries; shifts end at the cut-off, which clips at the same time.
segments as (
  select
    s.machine_id,
    sh.shift_id,
    s.plant_id,
    sh.shift_start_ts,
    sh.shift_end_ts,
    s.stop_id,
    s.stop_kind,
    s.loss_category,
    s.loss_bucket,
    s.reason_code,
    s.stop_start_ts as merged_stop_start_ts,
    s.stop_end_ts as merged_stop_end_ts,
    s.merged_duration_s,
    greatest(s.piece_start_ts, sh.shift_start_ts) as segment_start_ts,
    least(s.piece_end_ts, sh.shift_end_ts) as segment_end_ts,
    s.is_open
  from pieces s
  join ref('shift_utc_day') sh
    on sh.plant_id = s.plant_id
    and sh.utc_day_no = s.day
    and sh.shift_start_ts < s.piece_end_ts
    and sh.shift_end_ts > s.piece_start_ts
    and s.day = epoch_us(greatest(s.piece_start_ts, sh.shift_start_ts)) // 86400000000
),
measured as (
  select *, epoch_us(segment_end_ts) - epoch_us(segment_start_ts) as duration_us
  from segments
),
-- Per stop: what remains of it and where its first piece starts (a stop's pieces are
-- disjoint). An aggregate and a join, not windows over string keys; sums of whole
-- microseconds, so the same on every run.
stop_remaining as (
  select stop_id, sum(duration_us) / 1e6 as remaining_s, min(segment_start_ts) as first_piece_start_ts
  from measured
  group by stop_id
),
failures as (
  select m.*,
    m.duration_us / 1e6 as duration_s,
    m.loss_bucket = 'breakdown' and r.remaining_s >= s.failure_min_remaining_s as is_failure,
    m.segment_start_ts = r.first_piece_start_ts as is_first_piece,
    r.remaining_s
  from measured m
  join stop_remaining r on r.stop_id = m.stop_id
  cross join ref('oee_settings') s
)
select
  machine_id,
  shift_id,
  plant_id,
  shift_start_ts,
  shift_end_ts,
  stop_id,
  stop_kind,
  loss_category,
  loss_bucket,
  reason_code,
  merged_stop_start_ts,
  merged_stop_end_ts,
  merged_duration_s,
  segment_start_ts,
  segment_end_ts,
  duration_s,
  is_open,
  is_failure,
  is_failure and is_first_piece as is_failure_start,
  case when is_failure and is_first_piece then remaining_s else 0 end as failure_repair_s
from failures
