/*
materialized: incremental
unique_key: [stop_id]
# Per machine and stop kind, this build recomputes every stop that ends at or after the
# earliest start a change can reach, and takes those stops out of earlier builds (merged away
# or not): events new or re-sent in the new loads (their new and their earlier version), and
# every open event (it ends at the cut-off, which moves with each load: so plant_cutoff's
# changes are handled here). A full build: every event. Machines, reasons and settings are
# read by ref(): when they change, the whole model is rebuilt.
replaces: "
  select e.machine_id, case when r.planned then 'planned' else 'unplanned' end as stop_kind, min(e.start_ts) as stop_end_ts
  from (
    select machine_id, reason_code, start_ts from new_rows('stg_downtime_events')
    union all
    select p.machine_id, p.reason_code, p.start_ts
    from previous('stg_downtime_events') p
    semi join new_rows('stg_downtime_events') n on n.event_id = p.event_id
    union all
    select machine_id, reason_code, start_ts from ref('stg_downtime_events') where end_ts is null
  ) e
  join ref('stg_downtime_reasons') r on r.reason_code = e.reason_code
  group by all"
changes_handled: [plant_cutoff]
description: "Merged stops per machine, CONTRACT §2 steps 1-2. Planned and unplanned events are merged separately where they overlap or touch (an open event ends at its plant's cut-off first). A merged unplanned stop takes the loss_category and reason of its longest event (ties: earliest start, then smallest event_id) and is a small stop when its whole merged duration is under small_stop_threshold_s. Not yet clipped, split or reduced by planned time: see fact_stop_segment. Incremental: a build recomputes, per machine and kind, the stops from the earliest one a new, re-sent or open event can change (see replaces)."
grain: [stop_id]
tags: [core, oee]
columns:
  stop_id: { description: "machine_id/stop_kind/start of the merged stop (UTC)" }
  stop_kind: { description: "planned or unplanned (the reason's planned flag)" }
  stop_start_ts: { description: "Earliest start of the merged events" }
  stop_end_ts: { description: "Latest end of the merged events (an open event: the cut-off)" }
  merged_duration_s: { description: "Whole merged duration in seconds, before clipping" }
  loss_category: { description: "Loss category of the longest event" }
  reason_code: { description: "Reason of the longest event" }
  loss_bucket: { description: "planned, small_stop (unplanned, shorter than the threshold), breakdown, setup or other_stop" }
  is_open: { description: "An event of the stop has no end yet (it ends at the cut-off)" }
  event_count: { description: "Events merged into the stop" }
tests:
  - unique: [stop_id]
  - not_null: [stop_id, machine_id, plant_id, stop_kind, stop_start_ts, stop_end_ts, loss_category, loss_bucket]
  - accepted_values: { column: loss_bucket, values: [planned, breakdown, setup, other_stop, small_stop] }
  - expression: { name: merged_stop_has_length, sql: "stop_end_ts > stop_start_ts" }
*/
with changed as (
  -- From replaces: per machine and kind, the earliest start a change reaches.
  select machine_id, stop_kind, stop_end_ts as change_from_ts from replaced('stop_merged')
),
-- Materialized: read twice below (where to start, and the events from there), computed once.
all_events as materialized (
  select
    e.event_id,
    e.machine_id,
    m.plant_id,
    case when r.planned then 'planned' else 'unplanned' end as stop_kind,
    e.start_ts,
    -- An open event ends at the cut-off (CONTRACT §2); a plant without counts has none, so its open events have no end.
    coalesce(e.end_ts, c.cutoff_ts) as end_ts,
    e.is_open,
    e.reason_code,
    r.loss_category
  from ref('stg_downtime_events') e
  join ref('stg_downtime_reasons') r on r.reason_code = e.reason_code
  join ref('stg_machines') m on m.machine_id = e.machine_id
  left join ref('plant_cutoff') c on c.plant_id = m.plant_id
  where coalesce(e.end_ts, c.cutoff_ts) > e.start_ts
),
-- A stop never crosses a point that no event spans (starts before it and ends at or after it):
-- then the stops from the change on need only the events from that point. The point: a day
-- before the change, or when events span that, the earliest start among them; when events span
-- that too, every event of the machine and kind (a full build: the change is the first event,
-- so every event).
day_before as (
  select f.machine_id, f.stop_kind, f.change_from_ts, min(e.start_ts) as spanning_start_ts
  from changed f
  left join all_events e
    on e.machine_id = f.machine_id and e.stop_kind = f.stop_kind
    and e.start_ts < f.change_from_ts - interval 1 day and e.end_ts >= f.change_from_ts - interval 1 day
  group by all
),
scan_from as (
  select d.machine_id, d.stop_kind, d.change_from_ts,
    case when exists (
      select 1 from all_events e
      where e.machine_id = d.machine_id and e.stop_kind = d.stop_kind
        and e.start_ts < coalesce(d.spanning_start_ts, d.change_from_ts - interval 1 day)
        and e.end_ts >= coalesce(d.spanning_start_ts, d.change_from_ts - interval 1 day)
    ) then null else coalesce(d.spanning_start_ts, d.change_from_ts - interval 1 day) end as scan_from_ts
  from day_before d
),
events as (
  select e.*, s.change_from_ts
  from all_events e
  join scan_from s on s.machine_id = e.machine_id and s.stop_kind = e.stop_kind
  where s.scan_from_ts is null or e.start_ts >= s.scan_from_ts
),
-- Gaps and islands: an event starts a new stop when it starts after every earlier event of its
-- machine and kind has ended (strictly after: touching events merge).
flagged as (
  select *,
    max(end_ts) over (
      partition by machine_id, stop_kind order by start_ts, end_ts, event_id
      rows between unbounded preceding and 1 preceding
    ) as earlier_end_ts
  from events
),
islands as (
  select *,
    sum(case when earlier_end_ts is null or start_ts > earlier_end_ts then 1 else 0 end) over (
      partition by machine_id, stop_kind order by start_ts, end_ts, event_id
      rows between unbounded preceding and current row
    ) as island
  from flagged
),
-- The stops that end at or after the change: from the first island whose events reach it (the
-- running latest end first reaches it on an event of that island), every later one.
first_changed as (
  select machine_id, stop_kind, min(island) as first_island
  from islands
  where greatest(coalesce(earlier_end_ts, end_ts), end_ts) >= change_from_ts
  group by all
),
recomputed as (
  select i.*
  from islands i
  join first_changed f on f.machine_id = i.machine_id and f.stop_kind = i.stop_kind and i.island >= f.first_island
),
merged as (
  select
    machine_id,
    any_value(plant_id) as plant_id,
    stop_kind,
    min(start_ts) as stop_start_ts,
    max(end_ts) as stop_end_ts,
    (epoch_us(max(end_ts)) - epoch_us(min(start_ts))) / 1e6 as merged_duration_s,
    -- The longest event (ties: earliest start, then smallest event_id), by the key's minimum
    -- instead of a third sort; _null keeps a NULL category or reason as the answer.
    arg_min_null(loss_category, longest_first) as loss_category,
    arg_min_null(reason_code, longest_first) as reason_code,
    arg_min_null(event_id, longest_first) as longest_event_id,
    bool_or(is_open) as is_open,
    count(*) as event_count,
    -- Sorted after collecting: an ordered aggregate sorts per group and is many times slower.
    list_transform(list_sort(list({'start_ts': start_ts, 'event_id': event_id})), e -> e.event_id) as event_ids
  from (
    select *,
      {'minus_us': epoch_us(start_ts) - epoch_us(end_ts), 'start_ts': start_ts, 'event_id': event_id} as longest_first
    from recomputed
  )
  group by machine_id, stop_kind, island
)
select
  machine_id || '/' || stop_kind || '/' || strftime(make_timestamp(epoch_us(stop_start_ts)), '%Y-%m-%dT%H:%M:%S.%fZ') as stop_id,
  merged.*,
  case
    when stop_kind = 'planned' then 'planned'
    when merged_duration_s < s.small_stop_threshold_s then 'small_stop'
    when loss_category = 'breakdown' then 'breakdown'
    when loss_category = 'setup' then 'setup'
    else 'other_stop'
  end as loss_bucket
from merged
cross join ref('oee_settings') s
