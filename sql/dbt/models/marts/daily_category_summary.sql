-- Per partition and category: how many products, how much stock, and the price spread.
-- Partition-aware: an incremental run reads and replaces exactly its partition (`partition` var,
-- strategy partition_replace), so re-running a day changes no row of any other day.
{{ config(
    materialized='incremental',
    incremental_strategy='partition_replace',
    on_schema_change='fail',
    dist='even',
    sort=['partition_date', 'category'],
) }}

with products as (
    select * from {{ ref('stg_products') }}
    {% if is_incremental() %}
        where partition_date = {{ xetl_partition_date() }}
    {% endif %}
)

select
    partition_date,
    category,
    count(*) as product_count,
    sum(quantity) as total_quantity,
    sum(stock_value) as stock_value,
    min(price) as min_price,
    max(price) as max_price,
    cast(round(sum(price) / count(*), 2) as decimal(12, 2)) as avg_price,
    cast({{ xetl_median('price') }} as decimal(13, 3)) as median_price,
    -- One load per partition: every row of a partition carries the same run and stamp.
    max(run_id) as run_id,
    max(loaded_at) as loaded_at
from products
group by partition_date, category
