-- Each product has exactly one current period, and its periods follow each other without gap or
-- overlap (each valid_to is the next period's valid_from, and later than its own valid_from).
-- A row here is a product that breaks it.
with periods as (
    select
        product_id,
        valid_from,
        valid_to,
        is_current,
        lead(valid_from) over (partition by product_id order by valid_from) as next_valid_from
    from {{ ref('product_price_history') }}
),

flagged as (
    select
        product_id,
        case when is_current then 1 else 0 end as is_current_period,
        case
            when next_valid_from is null and valid_to is null then 0
            when valid_to = next_valid_from and valid_to > valid_from then 0
            else 1
        end as is_broken_link
    from periods
)

select
    product_id,
    sum(is_current_period) as current_periods,
    sum(is_broken_link) as broken_links
from flagged
group by product_id
having sum(is_current_period) <> 1 or sum(is_broken_link) > 0
