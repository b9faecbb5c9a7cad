/*
materialized: view
description: Specification limits per machine and sensor (current snapshot); either limit may be missing (one-sided spec).
grain: [machine_id, sensor]
tags: [staging]
*/
select
  machine_id,
  sensor,
  unit,
  lsl,
  usl,
  target
from source('sensor_specs')
