/*
materialized: table
description: One row per production line.
grain: [line_id]
tags: [core, dim]
columns:
  line_id: { description: "Line" }
  plant_id: { description: "Plant of the line", tests: [not_null, { relationships: { to: dim_plant, field: plant_id } }] }
  first_position: { description: "Lowest line_position of the line's machines (line input)" }
  last_position: { description: "Highest line_position of the line's machines (line output)" }
tests:
  - unique: [line_id]
  - not_null: [line_id]
*/
select
  l.line_id,
  l.plant_id,
  l.line_name,
  min(m.line_position) as first_position,
  max(m.line_position) as last_position,
  count(m.machine_id) as machine_count
from ref('stg_lines') l
left join ref('stg_machines') m on m.line_id = l.line_id
group by all
