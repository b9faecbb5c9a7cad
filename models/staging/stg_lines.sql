/*
materialized: view
description: Production lines with their plant and the plant's time zone (current snapshot).
grain: [line_id]
tags: [staging]
*/
select
  l.line_id,
  l.plant_id,
  l.line_name,
  p.timezone
from source('lines') l
join source('plants') p on p.plant_id = l.plant_id
