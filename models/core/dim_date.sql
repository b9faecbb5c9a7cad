/*
materialized: table
description: "One row per plant and plant-local calendar day, from the production date of the plant's first shift to that of its last shift before the cut-off. calendar_s is the real length of the local day: 82800 when daylight saving starts, 90000 when it ends, else 86400 (the denominator of utilization and TEEP)."
grain: [plant_id, date]
tags: [core, dim]
columns:
  plant_id: { description: "Plant", tests: [{ relationships: { to: dim_plant, field: plant_id } }] }
  date: { description: "Plant-local date (= production date of the shifts starting on it)" }
  calendar_s: { description: "Real length of the plant-local day in seconds" }
  iso_year: { description: "ISO 8601 week-numbering year" }
  iso_week: { description: "ISO 8601 week (1-53)" }
  week_start: { description: "Monday of the ISO week" }
  month: { description: "Month number 1-12" }
  month_start: { description: "First day of the month" }
  year: { description: "Calendar year" }
tests:
  - unique: [plant_id, date]
  - not_null: [plant_id, date, calendar_s]
  - accepted_values: { column: calendar_s, values: [82800, 86400, 90000] }
*/
with span as (
  select plant_id, any_value(timezone) as timezone, min(production_date) as first_date, max(production_date) as last_date
  from ref('dim_shift')
  group by plant_id
),
days as (
  select span.plant_id, span.timezone, cast(d.day as date) as date
  from span, lateral (select unnest(range(span.first_date::timestamp, span.last_date::timestamp + interval 1 day, interval 1 day)) as day) d
)
select
  plant_id,
  date,
  (epoch_us(timezone(timezone, (date + 1)::timestamp)) - epoch_us(timezone(timezone, date::timestamp))) / 1e6 as calendar_s,
  isoyear(date) as iso_year,
  week(date) as iso_week,
  cast(date_trunc('week', date) as date) as week_start,
  month(date) as month,
  cast(date_trunc('month', date) as date) as month_start,
  year(date) as year,
  isodow(date) as iso_day_of_week
from days
