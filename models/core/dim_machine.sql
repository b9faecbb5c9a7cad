/*
materialized: table
description: "Machines as a type-2 slowly changing dimension over the snapshot loads (versions from scd2_versions): a new version whenever any attribute changes from one snapshot to the next. valid_from is the commit time of the load that brought the version; valid_to that of the load that changed it or no longer carried the machine (NULL: still in force). Exactly one current row per machine of the current snapshot; the intervals of a machine never overlap."
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
select
  v.natural_key || '@' || v.first_load_id as machine_key,
  h.machine_id,
  h.line_id,
  l.plant_id,
  h.machine_name,
  h.machine_type,
  h.line_position,
  h.hourly_cost,
  h.crew_size,
  v.valid_from,
  v.valid_to,
  v.is_current,
  v.version,
  v.first_load_id
from ref('scd2_versions') v
join source_history('machines') h on h.machine_id = v.natural_key and h._load_id = v.first_load_id
left join ref('stg_lines') l on l.line_id = h.line_id
where v.entity = 'machines'
