/*
materialized: view
description: "The plant time zone of every machine of the current snapshot: the only master data the sensor statistics (sensor_day_stats) need, to find the plant-local month of a reading. Kept this narrow on purpose: an incremental model is rebuilt in full when an input it reads changes, and a machine's cost, name or line changing must not rebuild a day statistic of every sensor; only a machine moving to another time zone (or arriving, or leaving the snapshot) does."
grain: [machine_id]
tags: [core, process]
columns:
  machine_id: { description: "Machine" }
  timezone: { description: "IANA time zone of the machine's plant (its line's plant)" }
tests:
  - unique: [machine_id]
  - not_null: [machine_id, timezone]
*/
select machine_id, timezone
from ref('stg_machines')
