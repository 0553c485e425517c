-- Data-quality check: the partition reconciles with its run manifest,
--     rows_read = rows_loaded + rows_quarantined
-- where rows_read and rows_quarantined are the manifest's and rows_loaded is the number of rows of
-- the partition in the checked table (xetl.products after the load; xetl.products_staging after
-- the COPY, for a caller that holds the transaction open). Returns exactly one row: check_name,
-- table_name, partition_date, passed, the numbers, and detail (a sentence for a failure message).
--
-- Parameters: table, partition, rows_read, rows_quarantined.
SELECT
    'row_count_reconciliation' AS check_name,
    {{ table_name }} AS table_name,
    CAST({{ partition }} AS DATE) AS partition_date,
    CASE
        WHEN CAST({{ rows_read }} AS BIGINT) = COUNT(*) + CAST({{ rows_quarantined }} AS BIGINT) THEN TRUE
        ELSE FALSE
    END AS passed,
    CAST({{ rows_read }} AS BIGINT) AS rows_read,
    COUNT(*) AS rows_loaded,
    CAST({{ rows_quarantined }} AS BIGINT) AS rows_quarantined,
    CAST({{ rows_read }} AS BIGINT) - COUNT(*) - CAST({{ rows_quarantined }} AS BIGINT) AS rows_unaccounted,
    'row_count_reconciliation '
        || CASE
            WHEN CAST({{ rows_read }} AS BIGINT) = COUNT(*) + CAST({{ rows_quarantined }} AS BIGINT) THEN 'passed'
            ELSE 'FAILED'
        END
        || ' for partition ' || {{ partition }} || ' in ' || {{ table_name }}
        || ': rows_read ' || CAST(CAST({{ rows_read }} AS BIGINT) AS VARCHAR)
        || ', rows_loaded ' || CAST(COUNT(*) AS VARCHAR)
        || ', rows_quarantined ' || CAST(CAST({{ rows_quarantined }} AS BIGINT) AS VARCHAR)
        || ', unaccounted ' || CAST(CAST({{ rows_read }} AS BIGINT) - COUNT(*) - CAST({{ rows_quarantined }} AS BIGINT) AS VARCHAR)
        AS detail
FROM {{ table }}
WHERE partition_date = CAST({{ partition }} AS DATE);
