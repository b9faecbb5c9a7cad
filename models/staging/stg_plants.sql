/*
materialized: view
description: Plants as delivered (current snapshot); timezone is the IANA zone every plant-local day and shift date is computed in.
grain: [plant_id]
tags: [staging]
columns:
  plant_id: { description: "Plant" }
  timezone: { description: "IANA time zone of the plant (daylight saving included)" }
  labor_rate_per_hour: { description: "Labor cost per person-hour, plant currency" }
*/
select
  plant_id,
  plant_name,
  region,
  timezone,
  currency,
  labor_rate_per_hour
from source('plants')
