/*
materialized: table
description: One row per downtime reason, with the loss bucket its unplanned stops of at least the small-stop threshold feed.
grain: [reason_code]
tags: [core, dim]
tests:
  - unique: [reason_code]
  - not_null: [reason_code, planned, loss_category, loss_bucket]
  - accepted_values: { column: loss_bucket, values: [planned, breakdown, setup, other_stop] }
*/
select reason_code, description, planned, loss_category, loss_bucket
from ref('stg_downtime_reasons')
