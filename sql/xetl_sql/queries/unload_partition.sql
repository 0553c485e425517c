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
-- s3://<target_bucket>/<target_prefix>/year=YYYY/month=MM/day=DD/part_
--
--   CLEANPATH            deletes the objects under that prefix first, so the partition holds exactly
--                        one run's output (the writer role needs s3:DeleteObject there).
--   KMS_KEY_ID/ENCRYPTED SSE-KMS with the target's key. Without them UNLOAD writes SSE-S3 even when
--                        the bucket's default is SSE-KMS, and a bucket policy requiring the key
--                        would refuse the objects.
--   PARALLEL OFF         one file per 256 MB rather than one per slice: a day of products is small,
--                        and consumers prefer a few files to hundreds of tiny ones.
UNLOAD ('
    SELECT product_id, product_name, category, price, quantity, updated_at, source_file,
           partition_date, run_id, loaded_at
    FROM xetl.products
    WHERE partition_date = CAST({{ partition }} AS DATE)
    ORDER BY product_id
')
TO {{ target_uri }}
IAM_ROLE {{ unload_role_chain }}
FORMAT AS PARQUET
PARALLEL OFF
MAXFILESIZE 256 MB
CLEANPATH
KMS_KEY_ID {{ target_kms_key_arn }}
ENCRYPTED;
