/*
materialized: view
description: Defect codes (current snapshot).
grain: [defect_code]
tags: [staging]
*/
select
  defect_code,
  description,
  category,
  default_severity
from source('defect_codes')
