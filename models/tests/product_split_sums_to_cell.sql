/*
description: "fact_machine_shift_product summed over products and orders equals fact_machine_shift, component by component (within 1e-6 s; counts exactly). Failing rows: the cells that differ."
severity: error
tags: [oee]
*/
with summed as (
  select
    machine_id, shift_id,
    sum(shift_s) as shift_s, sum(planned_stop_s) as planned_stop_s, sum(ppt_s) as ppt_s,
    sum(stop_s) as stop_s, sum(breakdown_s) as breakdown_s, sum(setup_s) as setup_s,
    sum(other_stop_s) as other_stop_s, sum(small_stop_s) as small_stop_s, sum(run_s) as run_s,
    sum(total) as total, sum(good) as good, sum(ideal_s) as ideal_s, sum(ideal_good_s) as ideal_good_s,
    sum(failures) as failures, sum(repair_s) as repair_s
  from ref('fact_machine_shift_product')
  group by machine_id, shift_id
)
select c.machine_id, c.shift_id
from ref('fact_machine_shift') c
left join summed s on s.machine_id = c.machine_id and s.shift_id = c.shift_id
where s.machine_id is null
  or abs(c.shift_s - s.shift_s) > 1e-6
  or abs(c.planned_stop_s - s.planned_stop_s) > 1e-6
  or abs(c.ppt_s - s.ppt_s) > 1e-6
  or abs(c.stop_s - s.stop_s) > 1e-6
  or abs(c.breakdown_s - s.breakdown_s) > 1e-6
  or abs(c.setup_s - s.setup_s) > 1e-6
  or abs(c.other_stop_s - s.other_stop_s) > 1e-6
  or abs(c.small_stop_s - s.small_stop_s) > 1e-6
  or abs(c.run_s - s.run_s) > 1e-6
  or c.total <> s.total
  or c.good <> s.good
  or abs(c.ideal_s - s.ideal_s) > 1e-6
  or abs(c.ideal_good_s - s.ideal_good_s) > 1e-6
  or abs(c.failures - s.failures) > 1e-9
  or abs(c.repair_s - s.repair_s) > 1e-6
