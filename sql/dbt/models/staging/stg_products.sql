-- One row per product per partition, as loaded, with the category made total (a product without
-- one is counted under 'uncategorized' everywhere downstream) and the stock value derived.
select
    product_id,
    product_name,
    price,
    quantity,
    updated_at,
    source_file,
    partition_date,
    run_id,
    loaded_at,
    coalesce(category, 'uncategorized') as category,
    price * quantity as stock_value
from {{ source('xetl', 'products') }}
