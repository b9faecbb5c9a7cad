/*
materialized: view
description: Machines (current snapshot) with their line, plant and the plant's time zone.
grain: [machine_id]
tags: [staging]
columns:
  line_position: { description: "Step of the machine on its line (1 = first)" }
  hourly_cost: { description: "Machine cost per hour of planned production time, plant currency" }
  crew_size: { description: "Operators per machine while it is planned to run" }
*/
select
  m.machine_id,
  m.line_id,
  l.plant_id,
  m.machine_name,
  m.machine_type,
  m.line_position,
  m.hourly_cost,
  m.crew_size,
  l.timezone
from source('machines') m
join ref('stg_lines') l on l.line_id = m.line_id
