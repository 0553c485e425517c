-- Data-quality check: product_id is unique within the partition (Redshift does not enforce the
-- primary key). Rows without a product_id are the not-null check's business and are left out.
-- Returns exactly one row: check_name, table_name, partition_date, passed, rows_checked,
-- distinct_keys, duplicated_keys (keys that occur more than once), surplus_rows (rows beyond the
-- first of each key), example_key (the smallest duplicated key), and detail.
--
-- Parameters: table, partition.
WITH keys AS (
    SELECT product_id, COUNT(*) AS copies
    FROM {{ table }}
    WHERE partition_date = CAST({{ partition }} AS DATE)
      AND product_id IS NOT NULL
    GROUP BY product_id
)
SELECT
    'key_uniqueness' AS check_name,
    {{ table_name }} AS table_name,
    CAST({{ partition }} AS DATE) AS partition_date,
    CASE WHEN COUNT(CASE WHEN copies > 1 THEN 1 END) = 0 THEN TRUE ELSE FALSE END AS passed,
    CAST(COALESCE(SUM(copies), 0) AS BIGINT) AS rows_checked,
    COUNT(*) AS distinct_keys,
    COUNT(CASE WHEN copies > 1 THEN 1 END) AS duplicated_keys,
    CAST(COALESCE(SUM(CASE WHEN copies > 1 THEN copies - 1 END), 0) AS BIGINT) AS surplus_rows,
    MIN(CASE WHEN copies > 1 THEN product_id END) AS example_key,
    'key_uniqueness '
        || CASE WHEN COUNT(CASE WHEN copies > 1 THEN 1 END) = 0 THEN 'passed' ELSE 'FAILED' END
        || ' for partition ' || {{ partition }} || ' in ' || {{ table_name }}
        || ': ' || CAST(COUNT(CASE WHEN copies > 1 THEN 1 END) AS VARCHAR) || ' duplicated keys'
        || ' (' || CAST(CAST(COALESCE(SUM(CASE WHEN copies > 1 THEN copies - 1 END), 0) AS BIGINT) AS VARCHAR)
        || ' surplus rows) among ' || CAST(CAST(COALESCE(SUM(copies), 0) AS BIGINT) AS VARCHAR) || ' rows'
        || COALESCE(', for example ' || MIN(CASE WHEN copies > 1 THEN product_id END), '')
        AS detail
FROM keys;
