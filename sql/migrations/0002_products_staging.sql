-- xetl.products_staging: the COPY target for one partition's curated Parquet.
--
-- COPY ... FORMAT AS PARQUET maps file columns to table columns BY POSITION and requires the same
-- number of columns, so this table has exactly the curated columns, in the contract's order, and
-- nothing else (no defaults, no run metadata): the curated column order is part of the contract.
--
-- Every column is nullable on purpose: this is a landing table. A bad row must not make the COPY
-- fail with a vague message; it is caught inside the same transaction by the load procedure (key
-- rule) or by xetl.products' NOT NULL columns, and the data-quality queries can report it.
--
-- VARCHAR lengths are BYTES in Redshift (characters in PostgreSQL): the contract's character limits
-- are multiplied by 4, the most a UTF-8 character takes (product_name 256 -> 1024, category 64 ->
-- 256); product_id is ASCII by contract. source_file is an s3:// URI: 5 + 63 (bucket) + 1 + 1024
-- (key) = 1093 bytes, rounded up.
--
-- DISTKEY(product_id) matches xetl.products, so the procedure's INSERT ... SELECT moves no rows
-- between slices; SORTKEY(partition_date) lets the per-partition DELETE and SELECT skip the blocks
-- of other partitions. Encodings are left to Redshift (ENCODE AUTO): the table is empty between
-- loads and its rows live for one transaction.
CREATE TABLE IF NOT EXISTS xetl.products_staging (
    product_id     VARCHAR(64),
    product_name   VARCHAR(1024),
    category       VARCHAR(256),
    price          DECIMAL(12, 2),
    quantity       INTEGER,
    updated_at     TIMESTAMP,
    source_file    VARCHAR(1100),
    partition_date DATE
)
DISTSTYLE KEY
DISTKEY (product_id)
SORTKEY (partition_date);
