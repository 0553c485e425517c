-- The two marts agree: each product's current price is the price of its current history period.
select
    current_products.product_id,
    current_products.current_price,
    history.price as current_period_price
from {{ ref('products_current') }} as current_products
left join {{ ref('product_price_history') }} as history
    on
        current_products.product_id = history.product_id
        and history.is_current
where history.price is null or history.price <> current_products.current_price
