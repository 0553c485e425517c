-- Where and how every UNLOAD of the pipeline writes (included by the unload_* templates, so the
-- partition's folder, the role chain and the encryption are one fact):
--   TO                   s3://<target_bucket>/<target_prefix>/year=YYYY/month=MM/day=DD/part_
--   IAM_ROLE             the role chain B -> A: Redshift assumes B's role, which assumes A's writer role.
--   CLEANPATH            deletes the objects under that prefix first, so the partition holds exactly
--                        one run's output (the writer role needs s3:DeleteObject there).
--   KMS_KEY_ID/ENCRYPTED SSE-KMS with the target's key. Without them UNLOAD writes SSE-S3 even when
--                        the bucket's default is SSE-KMS, and a bucket policy requiring the key
--                        would refuse the objects.
--   PARALLEL OFF         one file per 256 MB rather than one per slice: a day is small, and
--                        consumers prefer a few files to hundreds of tiny ones.
TO {{ target_uri }}
IAM_ROLE {{ unload_role_chain }}
FORMAT AS PARQUET
PARALLEL OFF
MAXFILESIZE 256 MB
CLEANPATH
KMS_KEY_ID {{ target_kms_key_arn }}
ENCRYPTED;
