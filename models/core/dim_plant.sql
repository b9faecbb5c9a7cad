/*
materialized: table
description: One row per plant, with its time zone, currency, labor rate and cut-off.
grain: [plant_id]
tags: [core, dim]
columns:
  plant_id: { description: "Plant" }
  timezone: { description: "IANA time zone; production days and dim_date are plant-local" }
  currency: { description: "ISO 4217 code of every money column of the plant" }
  labor_rate_per_hour: { description: "Labor cost per person-hour" }
  cutoff_ts: { description: "The plant's cut-off (NULL: no counts yet, so no cells)" }
tests:
  - unique: [plant_id]
  - not_null: [plant_id, timezone, currency]
*/
select
  p.plant_id,
  p.plant_name,
  p.region,
  p.timezone,
  p.currency,
  p.labor_rate_per_hour,
  c.cutoff_ts
from ref('stg_plants') p
left join ref('plant_cutoff') c on c.plant_id = p.plant_id
