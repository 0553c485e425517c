-- Load one partition of curated Parquet into xetl.products (docs/pipeline-sql.md, "Load sequence").
--
-- The three statements MUST run in ONE transaction: send the rendered statements, in order, as the
-- Sqls of one Redshift Data API BatchExecuteStatement with the default execution mode (a single
-- transaction, rolled back whole when any statement fails). Run one by one in autocommit mode, a
-- failed CALL would leave the partition's staged rows behind.
--
-- Parameters: partition, run_id, staging_bucket and copy_role_arn (account B), rows_read and
-- rows_quarantined (from the run manifest), marker (the triggering object's s3:// URI, or None).
-- The curated prefix is derived: s3://<staging_bucket>/curated/products/year=YYYY/month=MM/day=DD/

-- 1. Forget whatever is staged for this partition, so the COPY below is its only source. DELETE,
--    never TRUNCATE: Redshift's TRUNCATE commits, which would end the batch's transaction here.
DELETE FROM xetl.products_staging
WHERE partition_date = CAST({{ partition }} AS DATE);

-- 2. Stage the curated Parquet. Columns map by position: the curated column order is the
--    contract's and the staging table's. The prefix ends with '/', so day=2 never reads day=21.
COPY xetl.products_staging
FROM {{ curated_uri }}
IAM_ROLE {{ copy_role_arn }}
FORMAT AS PARQUET;

-- 3. Replace the published partition, record the audit row, clear the staged rows; the procedure
--    refuses duplicate keys and rows that do not reconcile with the manifest's counts.
CALL xetl.sp_load_products_partition(
    CAST({{ partition }} AS DATE),
    {{ run_id }},
    CAST({{ rows_read }} AS BIGINT),
    CAST({{ rows_quarantined }} AS BIGINT),
    CAST({{ marker }} AS VARCHAR)
);
