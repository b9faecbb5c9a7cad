/*
materialized: incremental
unique_key: [machine_id, sensor, ts]
description: "One row per sensor reading (the largest fact: a plain projection of the raw readings, no joins, so an incremental build only reads the new loads' readings; a reading re-sent later supersedes by key)."
grain: [machine_id, sensor, ts]
tags: [core, process, fact]
columns:
  machine_id: { description: "Machine" }
  sensor: { description: "Sensor name (see stg_sensor_specs for its unit and limits)" }
  ts: { description: "Time of the reading (instant)" }
  value: { description: "Measured value" }
  quality: { description: "good, uncertain or bad (capability and control charts use good only)" }
  _load_id: { description: "Load that brought the reading" }
tests:
  - not_null: [machine_id, sensor, ts, value, quality]
  - accepted_values: { column: quality, values: [good, uncertain, bad] }
*/
select
  machine_id,
  sensor,
  ts,
  value,
  quality,
  _load_id
from source('sensor_readings')
-- Written in time order, so each Parquet row group covers a short span: a read of a time range
-- (a failure's 24 h window, the day before new readings) skips the rest of the file.
order by ts
