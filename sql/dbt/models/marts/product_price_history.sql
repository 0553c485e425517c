-- Price history as a type-2 slowly changing dimension, built from successive partitions: one row
-- per product and price period. A period starts at the first partition showing a new price
-- (valid_from) and ends, exclusive, where the next price appears (valid_to; null while current).
-- Derived from all partitions on every build, so it is a pure function of xetl.products: re-running
-- a partition with the same data leaves it unchanged, and correcting a partition re-derives exactly
-- the periods that partition affects.
{{ config(dist='product_id', sort=['product_id', 'valid_from']) }}

with daily as (
    select
        product_id,
        partition_date,
        price,
        lag(price) over (partition by product_id order by partition_date) as previous_price
    from {{ ref('stg_products') }}
),

changes as (
    select
        product_id,
        partition_date as valid_from,
        price
    from daily
    where previous_price is null or previous_price <> price
)

select
    product_id,
    price,
    valid_from,
    lead(valid_from) over (partition by product_id order by valid_from) as valid_to,
    lead(valid_from) over (partition by product_id order by valid_from) is null as is_current
from changes
