/*
description: "Type-2 dimensions (dim_machine, dim_product, dim_operator): every key of the current snapshot has exactly one current row, and no key has a current row without being in the current snapshot. Failing rows: the key and how many current rows it has."
severity: error
tags: [scd2]
*/
with expected as (
  select 'dim_machine' as dimension, machine_id as natural_key from ref('stg_machines')
  union all
  select 'dim_product', product_id from ref('stg_products')
  union all
  select 'dim_operator', operator_id from ref('stg_operators')
),
current_rows as (
  select 'dim_machine' as dimension, machine_id as natural_key, count(*) filter (where is_current) as current_rows from ref('dim_machine') group by all
  union all
  select 'dim_product', product_id, count(*) filter (where is_current) from ref('dim_product') group by all
  union all
  select 'dim_operator', operator_id, count(*) filter (where is_current) from ref('dim_operator') group by all
)
select
  coalesce(e.dimension, c.dimension) as dimension,
  coalesce(e.natural_key, c.natural_key) as natural_key,
  e.natural_key is not null as in_current_snapshot,
  coalesce(c.current_rows, 0) as current_rows
from expected e
full join current_rows c on c.dimension = e.dimension and c.natural_key = e.natural_key
where coalesce(c.current_rows, 0) <> (case when e.natural_key is null then 0 else 1 end)
