-- Publish one partition of the dbt mart xetl_marts.daily_category_summary to the target bucket in
-- account A as Parquet: the alternative to unload_partition.sql, chosen per environment in the
-- config (`airflow.unloadTemplate`, the pipeline variable's `unload_template`).
--
-- Same rules as unload_partition.sql: after every check passed, as its own statement (UNLOAD is
-- outside any transaction); where and how it writes is the shared partials/unload_to_target.sql.
--
-- Parameters: partition, target_bucket, target_prefix, unload_role_chain, target_kms_key_arn.
UNLOAD ('
    SELECT partition_date, category, product_count, total_quantity, stock_value, min_price, max_price,
           avg_price, median_price, run_id, loaded_at
    FROM xetl_marts.daily_category_summary
    WHERE partition_date = CAST({{ partition }} AS DATE)
    ORDER BY category
')
-- xetl:include unload_to_target
