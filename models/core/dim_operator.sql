/*
materialized: table
description: "Operators as a type-2 slowly changing dimension over the snapshot loads (versions from scd2_versions, the same rules as dim_machine). Name, e-mail and badge number are personal data: tagged pii, to be masked for roles without access."
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
select
  v.natural_key || '@' || v.first_load_id as operator_key,
  h.operator_id,
  h.plant_id,
  h.full_name,
  h.email,
  h.badge_no,
  h.hire_date,
  h.skill_level,
  v.valid_from,
  v.valid_to,
  v.is_current,
  v.version,
  v.first_load_id
from ref('scd2_versions') v
join source_history('operators') h on h.operator_id = v.natural_key and h._load_id = v.first_load_id
where v.entity = 'operators'
