-- Publish one staged partition to xetl.products (docs/pipeline-sql.md, "Load sequence").
--
-- Step 3 of 3, after stage_partition.sql and the data-quality checks of the staged rows passed.
-- The procedure replaces exactly this partition of xetl.products from xetl.products_staging, records
-- the audit row ('succeeded') and clears the staged rows, all in this statement's transaction. It
-- checks again, inside that transaction, what the published table must never hold: duplicate keys,
-- NULLs in required columns (NOT NULL) and rows that do not reconcile with the run manifest
-- (rows_read = rows_loaded + rows_quarantined); any of them rolls everything back.
--
-- Parameters: partition, run_id, rows_read and rows_quarantined (from the run manifest), marker (the
-- triggering object's s3:// URI, or None).
CALL xetl.sp_load_products_partition(
    CAST({{ partition }} AS DATE),
    {{ run_id }},
    CAST({{ rows_read }} AS BIGINT),
    CAST({{ rows_quarantined }} AS BIGINT),
    CAST({{ marker }} AS VARCHAR)
);
