/*
materialized: table
description: "Operators as a type-2 slowly changing dimension over the snapshot loads (same rules as dim_machine). Name, e-mail and badge number are personal data: tagged pii, to be masked for roles without access."
grain: [operator_key]
tags: [core, dim, scd2, pii]
columns:
  operator_key: { description: "Surrogate key of the version: operator_id @ load id that brought it" }
  operator_id: { description: "Operator (natural key)" }
  plant_id: { description: "Plant the operator works at" }
  full_name: { description: "Operator name", pii: true }
  email: { description: "Operator e-mail", pii: true }
  badge_no: { description: "Badge number", pii: true }
  hire_date: { description: "Hire date" }
  skill_level: { description: "Skill level 1-5" }
  valid_from: { description: "Commit time of the load that brought this version (inclusive)" }
  valid_to: { description: "Commit time of the load that replaced it (exclusive); NULL while current" }
  is_current: { description: "True for the version of the current snapshot" }
tests:
  - unique: [operator_key]
  - not_null: [operator_key, operator_id, valid_from, is_current]
  - expression: { name: valid_interval_positive, sql: "valid_to is null or valid_to > valid_from" }
  - expression: { name: current_iff_open, sql: "is_current = (valid_to is null)" }
*/
with history as (
  select
    operator_id, plant_id, full_name, email, badge_no, hire_date, skill_level,
    _load_id, _loaded_at,
    {'plant_id': plant_id, 'full_name': full_name, 'email': email, 'badge_no': badge_no,
     'hire_date': hire_date, 'skill_level': skill_level} as attributes
  from source_history('operators')
),
snapshot_loads as (
  select distinct _load_id, _loaded_at from history
),
states as (
  select k.operator_id, l._load_id, l._loaded_at, h.attributes
  from (select operator_id, min(_load_id) as first_load_id from history group by operator_id) k
  join snapshot_loads l on l._load_id >= k.first_load_id
  left join history h on h.operator_id = k.operator_id and h._load_id = l._load_id
),
changes as (
  select *,
    attributes is distinct from lag(attributes) over (partition by operator_id order by _load_id) as is_change
  from states
),
versions as (
  select
    operator_id, _load_id as first_load_id, _loaded_at as valid_from, attributes,
    lead(_loaded_at) over (partition by operator_id order by _load_id) as valid_to
  from changes
  where is_change
)
select
  v.operator_id || '@' || v.first_load_id as operator_key,
  v.operator_id,
  h.plant_id,
  h.full_name,
  h.email,
  h.badge_no,
  h.hire_date,
  h.skill_level,
  v.valid_from,
  v.valid_to,
  v.valid_to is null as is_current,
  row_number() over (partition by v.operator_id order by v.first_load_id) as version,
  v.first_load_id
from versions v
join history h on h.operator_id = v.operator_id and h._load_id = v.first_load_id
where v.attributes is not null
