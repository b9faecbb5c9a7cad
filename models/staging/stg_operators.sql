/*
materialized: view
description: Operators (current snapshot). Names, e-mails and badge numbers are personal data.
grain: [operator_id]
tags: [staging, pii]
columns:
  full_name: { description: "Operator name", pii: true }
  email: { description: "Operator e-mail", pii: true }
  badge_no: { description: "Badge number", pii: true }
*/
select
  operator_id,
  plant_id,
  full_name,
  email,
  badge_no,
  hire_date,
  skill_level
from source('operators')
