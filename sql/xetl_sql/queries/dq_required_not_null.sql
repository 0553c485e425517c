-- Data-quality check: no required column is NULL in the partition (every curated column except
-- category; partition_date is the filter). On xetl.products the NOT NULL constraints already
-- guarantee it and the check is a cheap post-condition; on xetl.products_staging (all nullable,
-- a landing table) it finds what the COPY brought in. Returns exactly one row: check_name,
-- table_name, partition_date, passed, rows_checked, rows_with_nulls, one null count per required
-- column, and detail.
--
-- Parameters: table, partition.
SELECT
    'required_not_null' AS check_name,
    {{ table_name }} AS table_name,
    CAST({{ partition }} AS DATE) AS partition_date,
    CASE
        WHEN COUNT(CASE WHEN product_id IS NULL OR product_name IS NULL OR price IS NULL OR quantity IS NULL
                             OR updated_at IS NULL OR source_file IS NULL THEN 1 END) = 0 THEN TRUE
        ELSE FALSE
    END AS passed,
    COUNT(*) AS rows_checked,
    COUNT(CASE WHEN product_id IS NULL OR product_name IS NULL OR price IS NULL OR quantity IS NULL
                    OR updated_at IS NULL OR source_file IS NULL THEN 1 END) AS rows_with_nulls,
    COUNT(*) - COUNT(product_id) AS null_product_id,
    COUNT(*) - COUNT(product_name) AS null_product_name,
    COUNT(*) - COUNT(price) AS null_price,
    COUNT(*) - COUNT(quantity) AS null_quantity,
    COUNT(*) - COUNT(updated_at) AS null_updated_at,
    COUNT(*) - COUNT(source_file) AS null_source_file,
    'required_not_null '
        || CASE
            WHEN COUNT(CASE WHEN product_id IS NULL OR product_name IS NULL OR price IS NULL OR quantity IS NULL
                                 OR updated_at IS NULL OR source_file IS NULL THEN 1 END) = 0 THEN 'passed'
            ELSE 'FAILED'
        END
        || ' for partition ' || {{ partition }} || ' in ' || {{ table_name }}
        || ': ' || CAST(COUNT(CASE WHEN product_id IS NULL OR product_name IS NULL OR price IS NULL OR quantity IS NULL
                                    OR updated_at IS NULL OR source_file IS NULL THEN 1 END) AS VARCHAR)
        || ' of ' || CAST(COUNT(*) AS VARCHAR) || ' rows have a NULL required column'
        || ' (product_id ' || CAST(COUNT(*) - COUNT(product_id) AS VARCHAR)
        || ', product_name ' || CAST(COUNT(*) - COUNT(product_name) AS VARCHAR)
        || ', price ' || CAST(COUNT(*) - COUNT(price) AS VARCHAR)
        || ', quantity ' || CAST(COUNT(*) - COUNT(quantity) AS VARCHAR)
        || ', updated_at ' || CAST(COUNT(*) - COUNT(updated_at) AS VARCHAR)
        || ', source_file ' || CAST(COUNT(*) - COUNT(source_file) AS VARCHAR) || ')'
        AS detail
FROM {{ table }}
WHERE partition_date = CAST({{ partition }} AS DATE);
