/*
materialized: table
description: "Cut-off per plant (CONTRACT §2): the latest interval_end among the plant's production counts. Nothing counts at or after it. A plant without counts has no cut-off and so no cells."
grain: [plant_id]
tags: [core, oee]
columns:
  cutoff_ts: { description: "Latest interval_end of the plant's counts (instant)" }
  cutoff_local_ts: { description: "The cut-off in plant-local wall time" }
tests:
  - unique: [plant_id]
  - not_null: [plant_id, cutoff_ts]
*/
select
  m.plant_id,
  max(c.interval_end) as cutoff_ts,
  max(c.interval_end) at time zone any_value(m.timezone) as cutoff_local_ts
from ref('stg_production_counts') c
join ref('stg_machines') m on m.machine_id = c.machine_id
group by m.plant_id
