-- Stage one partition of curated Parquet in xetl.products_staging (docs/pipeline-sql.md, "Load sequence").
--
-- Step 1 of 3: stage (this file), check the staged rows (dq_*.sql on xetl.products_staging), then
-- publish (publish_partition.sql). Nothing published changes here: a partition whose staged rows
-- fail a check is never published, and the published table and the target prefix stay as they were.
--
-- The two statements run in ONE transaction: send them, in order, as the Sqls of one Redshift Data
-- API BatchExecuteStatement (the default execution mode: one transaction, rolled back whole when any
-- statement fails). A failed COPY then leaves the earlier staged rows in place, never half of them.
--
-- Parameters: partition, staging_bucket and copy_role_arn (account B).
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
