-- Publish one partition of xetl.products to the target bucket in account A as Parquet
-- (docs/pipeline-sql.md, "UNLOAD").
--
-- Run it after the load committed and the data-quality queries passed, as one statement of its own:
-- UNLOAD writes to S3 outside any transaction and cannot be rolled back. It is idempotent: a re-run
-- cleans the prefix again and rewrites the same rows.
--
-- Parameters: partition, target_bucket and target_prefix (account A), unload_role_chain
-- ('arn:aws:iam::<B>:role/<namespace role>,arn:aws:iam::<A>:role/<writer role>': Redshift assumes
-- the first, which assumes the second, which writes the bucket), target_kms_key_arn (the target
-- bucket's key in account A). The target is derived:
-- s3://<target_bucket>/<target_prefix>/year=YYYY/month=MM/day=DD/part_ ; the options are the
-- shared partials/unload_to_target.sql.
UNLOAD ('
    SELECT product_id, product_name, category, price, quantity, updated_at, source_file,
           partition_date, run_id, loaded_at
    FROM xetl.products
    WHERE partition_date = CAST({{ partition }} AS DATE)
    ORDER BY product_id
')
-- xetl:include unload_to_target
