/*
materialized: table
description: One row per defect code.
grain: [defect_code]
tags: [core, dim]
tests:
  - unique: [defect_code]
  - not_null: [defect_code, default_severity]
  - accepted_values: { column: default_severity, values: [minor, major, critical] }
*/
select defect_code, description, category, default_severity
from ref('stg_defect_codes')
