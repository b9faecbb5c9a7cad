/*
materialized: table
description: "Each shift of dim_shift once for every UTC day it touches (usually one, two for a night shift). A bucket for joins by time: a count, defect or stop finds its shift by (plant, UTC day) and then the exact interval, instead of comparing with every shift of the plant."
grain: [shift_id, utc_day]
tags: [core]
columns:
  utc_day: { description: "A UTC day (midnight, as an instant) that [shift_start_ts, shift_end_ts) touches" }
  utc_day_no: { description: "The same day as a number (days since 1970-01-01 UTC): join on epoch_us(ts) // 86400000000, integer arithmetic instead of a time zone aware date_trunc per row" }
tests:
  - unique: [shift_id, utc_day]
  - not_null: [shift_id, plant_id, utc_day]
*/
select
  shift_id,
  plant_id,
  shift_start_ts,
  shift_end_ts,
  production_date,
  utc_day,
  epoch_us(utc_day) // 86400000000 as utc_day_no
from (
  select *, unnest(range(date_trunc('day', shift_start_ts), shift_end_ts, interval 1 day)) as utc_day
  from ref('dim_shift')
)
