-- Every partition summarized counts exactly the products and units loaded for it, and every
-- partition loaded is summarized: a row here is a partition whose totals disagree.
-- A pipeline run (the `partition` var set) checks its own partition: the one it just replaced. A
-- partition whose earlier run failed is that run's failure to report and re-run; it must not fail
-- every later day's run. Without the var (a full build) every partition is checked.
{% set partition = var('partition', none) %}
with loaded as (
    select
        partition_date,
        count(*) as products,
        sum(quantity) as units
    from {{ ref('stg_products') }}
    {% if partition %}where partition_date = {{ xetl_partition_date() }}{% endif %}
    group by partition_date
),

summarized as (
    select
        partition_date,
        sum(product_count) as products,
        sum(total_quantity) as units
    from {{ ref('daily_category_summary') }}
    {% if partition %}where partition_date = {{ xetl_partition_date() }}{% endif %}
    group by partition_date
)

select
    loaded.products as products_loaded,
    summarized.products as products_summarized,
    loaded.units as units_loaded,
    summarized.units as units_summarized,
    coalesce(loaded.partition_date, summarized.partition_date) as partition_date
from loaded
full outer join summarized on loaded.partition_date = summarized.partition_date
where
    loaded.partition_date is null
    or summarized.partition_date is null
    or loaded.products <> summarized.products
    or loaded.units <> summarized.units
