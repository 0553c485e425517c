-- xetl.products: the published table, one partition per UTC day, replaced whole by
-- xetl.sp_load_products_partition and unloaded to the target bucket per partition.
--
-- Columns: the curated columns (same byte-sized VARCHARs as xetl.products_staging, see there),
-- then run_id (the Airflow run that loaded the row) and loaded_at (set by the procedure to the
-- audit row's started_at, so every row of one load carries the same stamp).
--
-- The primary key is informational in Redshift (not enforced; the planner uses it). The load
-- procedure refuses duplicate keys itself and xetl_sql/queries/dq_key_uniqueness.sql re-checks them.
--
-- Physical design:
--   DISTKEY(product_id): high cardinality, even spread, and the same key as the staging table.
--   COMPOUND SORTKEY(partition_date, product_id): every write (DELETE of a partition) and read
--     (UNLOAD, data-quality queries) filters on partition_date, so zone maps skip other days.
--   ENCODE: RAW for the leading sort key column (compressing it makes range-restricted scans read
--     more blocks), AZ64 for numbers and times, ZSTD for text.
CREATE TABLE IF NOT EXISTS xetl.products (
    product_id     VARCHAR(64)    ENCODE zstd NOT NULL,
    product_name   VARCHAR(1024)  ENCODE zstd NOT NULL,
    category       VARCHAR(256)   ENCODE zstd,
    price          DECIMAL(12, 2) ENCODE az64 NOT NULL,
    quantity       INTEGER        ENCODE az64 NOT NULL,
    updated_at     TIMESTAMP      ENCODE az64 NOT NULL,
    source_file    VARCHAR(1100)  ENCODE zstd NOT NULL,
    partition_date DATE           ENCODE raw NOT NULL,
    run_id         VARCHAR(256)   ENCODE zstd NOT NULL,
    loaded_at      TIMESTAMP      DEFAULT GETDATE() ENCODE az64 NOT NULL,
    PRIMARY KEY (partition_date, product_id)
)
DISTSTYLE KEY
DISTKEY (product_id)
COMPOUND SORTKEY (partition_date, product_id);
