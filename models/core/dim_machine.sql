/*
materialized: table
description: "Machines as a type-2 slowly changing dimension over the snapshot loads: a new version whenever any attribute changes from one snapshot to the next. valid_from is the commit time of the load that brought the version; valid_to that of the load that changed it or no longer carried the machine (NULL: still in force). Exactly one current row per machine of the current snapshot; the intervals of a machine never overlap."
grain: [machine_key]
tags: [core, dim, scd2]
columns:
  machine_key: { description: "Surrogate key of the version: machine_id @ load id that brought it" }
  machine_id: { description: "Machine (natural key)" }
  line_id: { description: "Line of the machine in this version" }
  plant_id: { description: "Plant of the line (current line master data)" }
  valid_from: { description: "Commit time of the load that brought this version (inclusive)" }
  valid_to: { description: "Commit time of the load that replaced it (exclusive); NULL while current" }
  is_current: { description: "True for the version of the current snapshot" }
  version: { description: "1 for the first version of the machine, then 2, 3, ..." }
  first_load_id: { description: "Load that brought the version" }
tests:
  - unique: [machine_key]
  - not_null: [machine_key, machine_id, valid_from, is_current]
  - expression: { name: valid_interval_positive, sql: "valid_to is null or valid_to > valid_from" }
  - expression: { name: current_iff_open, sql: "is_current = (valid_to is null)" }
*/
with history as (
  select
    machine_id, line_id, machine_name, machine_type, line_position, hourly_cost, crew_size,
    _load_id, _loaded_at,
    -- A struct compares field by field, NULLs included: any changed attribute is a new version.
    {'line_id': line_id, 'machine_name': machine_name, 'machine_type': machine_type, 'line_position': line_position,
     'hourly_cost': hourly_cost, 'crew_size': crew_size} as attributes
  from source_history('machines')
),
snapshot_loads as (
  select distinct _load_id, _loaded_at from history
),
-- Every snapshot load from a machine's first appearance on: present (with its attributes) or absent.
states as (
  select k.machine_id, l._load_id, l._loaded_at, h.attributes
  from (select machine_id, min(_load_id) as first_load_id from history group by machine_id) k
  join snapshot_loads l on l._load_id >= k.first_load_id
  left join history h on h.machine_id = k.machine_id and h._load_id = l._load_id
),
changes as (
  select *,
    attributes is distinct from lag(attributes) over (partition by machine_id order by _load_id) as is_change
  from states
),
versions as (
  select
    machine_id, _load_id as first_load_id, _loaded_at as valid_from, attributes,
    lead(_loaded_at) over (partition by machine_id order by _load_id) as valid_to
  from changes
  where is_change
)
select
  v.machine_id || '@' || v.first_load_id as machine_key,
  v.machine_id,
  h.line_id,
  l.plant_id,
  h.machine_name,
  h.machine_type,
  h.line_position,
  h.hourly_cost,
  h.crew_size,
  v.valid_from,
  v.valid_to,
  v.valid_to is null as is_current,
  row_number() over (partition by v.machine_id order by v.first_load_id) as version,
  v.first_load_id
from versions v
join history h on h.machine_id = v.machine_id and h._load_id = v.first_load_id
left join ref('stg_lines') l on l.line_id = h.line_id
where v.attributes is not null
