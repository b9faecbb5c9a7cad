/*
materialized: table
description: "The versions of the type-2 dimensions (machines, products, operators), worked out once for all three from every snapshot each entity was delivered in (source_history). For each key, the snapshots from its first appearance on are compared: a new version starts whenever its attributes differ from the previous snapshot, and ends at the commit time of the load that changed it or no longer carried the key. Loads that do not carry the entity change nothing."
grain: [entity, natural_key, first_load_id]
tags: [core, scd2]
columns:
  entity: { description: "machines, products or operators" }
  natural_key: { description: "machine_id, product_id or operator_id" }
  first_load_id: { description: Load that brought the version }
  valid_from: { description: Commit time of that load (inclusive) }
  valid_to: { description: "Commit time of the load that changed the attributes or dropped the key (exclusive); NULL while current" }
  is_current: { description: The version of the current snapshot }
  version: { description: "1, 2, ... per key" }
tests:
  - unique: [entity, natural_key, first_load_id]
  - not_null: [entity, natural_key, first_load_id, valid_from, is_current, version]
  - accepted_values: { column: entity, values: [machines, products, operators] }
*/
with history as (
  -- Attributes as JSON text: equal text = same version, NULLs included.
  select 'machines' as entity, machine_id as natural_key, _load_id, _loaded_at,
    to_json({'line_id': line_id, 'machine_name': machine_name, 'machine_type': machine_type,
             'line_position': line_position, 'hourly_cost': hourly_cost, 'crew_size': crew_size})::varchar as attributes
  from source_history('machines')
  union all
  select 'products', product_id, _load_id, _loaded_at,
    to_json({'product_name': product_name, 'family': family, 'material_cost': material_cost, 'unit_cost': unit_cost,
             'rework_cost': rework_cost, 'unit_price': unit_price, 'defect_opportunities': defect_opportunities})::varchar
  from source_history('products')
  union all
  select 'operators', operator_id, _load_id, _loaded_at,
    to_json({'plant_id': plant_id, 'full_name': full_name, 'email': email, 'badge_no': badge_no,
             'hire_date': hire_date, 'skill_level': skill_level})::varchar
  from source_history('operators')
),
snapshot_loads as (
  select distinct entity, _load_id, _loaded_at from history
),
-- Every snapshot of the entity from the key's first appearance on: its attributes, or NULL when absent.
states as (
  select k.entity, k.natural_key, l._load_id, l._loaded_at, h.attributes
  from (select entity, natural_key, min(_load_id) as first_load_id from history group by entity, natural_key) k
  join snapshot_loads l on l.entity = k.entity and l._load_id >= k.first_load_id
  left join history h on h.entity = k.entity and h.natural_key = k.natural_key and h._load_id = l._load_id
),
changes as (
  select *,
    attributes is distinct from lag(attributes) over (partition by entity, natural_key order by _load_id) as is_change
  from states
),
versions as (
  select
    entity, natural_key, _load_id as first_load_id, _loaded_at as valid_from, attributes,
    lead(_loaded_at) over (partition by entity, natural_key order by _load_id) as valid_to
  from changes
  where is_change
)
select
  entity,
  natural_key,
  first_load_id,
  valid_from,
  valid_to,
  valid_to is null as is_current,
  row_number() over (partition by entity, natural_key order by first_load_id) as version
from versions
where attributes is not null
