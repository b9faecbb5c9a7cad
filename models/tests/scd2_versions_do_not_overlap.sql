/*
description: "Type-2 dimensions (dim_machine, dim_product, dim_operator): the validity intervals [valid_from, valid_to) of one key never overlap. Failing rows: each overlapping pair of versions."
severity: error
tags: [scd2]
*/
with versions as (
  select 'dim_machine' as dimension, machine_id as natural_key, machine_key as version_key, valid_from, valid_to from ref('dim_machine')
  union all
  select 'dim_product', product_id, product_key, valid_from, valid_to from ref('dim_product')
  union all
  select 'dim_operator', operator_id, operator_key, valid_from, valid_to from ref('dim_operator')
)
select
  a.dimension,
  a.natural_key,
  a.version_key,
  a.valid_from,
  a.valid_to,
  b.version_key as overlapping_version_key,
  b.valid_from as overlapping_valid_from,
  b.valid_to as overlapping_valid_to
from versions a
join versions b
  on b.dimension = a.dimension
  and b.natural_key = a.natural_key
  and a.version_key < b.version_key
  and a.valid_from < coalesce(b.valid_to, 'infinity'::timestamptz)
  and b.valid_from < coalesce(a.valid_to, 'infinity'::timestamptz)
