/*
materialized: view
description: Sensor readings (latest arrival per machine, sensor and ts); quality defaults to good.
grain: [machine_id, sensor, ts]
tags: [staging]
*/
select
  machine_id,
  sensor,
  ts,
  value,
  quality,
  _load_id
from source('sensor_readings')
