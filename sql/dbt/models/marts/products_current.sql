-- Every product ever loaded, one row each, as of its latest partition: its current name, category,
-- price and stock, when it was first and last seen, and whether the latest partition has it.
{{ config(dist='product_id', sort=['product_id']) }}

with ranked as (
    select
        *,
        row_number() over (partition by product_id order by partition_date desc) as recency,
        min(partition_date) over (partition by product_id) as first_seen_partition,
        count(*) over (partition by product_id) as partitions_seen
    from {{ ref('stg_products') }}
),

latest_partition as (
    select max(partition_date) as partition_date from {{ ref('stg_products') }}
)

select
    ranked.product_id,
    ranked.product_name,
    ranked.category,
    ranked.price as current_price,
    ranked.quantity,
    ranked.updated_at,
    ranked.first_seen_partition,
    ranked.partition_date as last_seen_partition,
    ranked.partitions_seen,
    ranked.run_id,
    ranked.loaded_at,
    ranked.partition_date = latest_partition.partition_date as in_latest_partition
from ranked
cross join latest_partition
where ranked.recency = 1
