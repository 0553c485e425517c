-- xetl.pipeline_runs: the audit, one row per (run_id, partition_date).
--
-- status is 'succeeded' (written by xetl.sp_load_products_partition in the load's own transaction,
-- so it exists exactly when the partition it describes was committed) or 'failed' (written by the
-- caller afterwards with xetl_sql/queries/record_run_failure.sql). The procedure also writes 'running' at its
-- start, but that value is never committed: the same transaction turns it into 'succeeded' or
-- rolls it back. Redshift has no CHECK constraints, so these values are documented, not enforced.
--
-- marker: the s3:// URI of the _SUCCESS or manifest object whose arrival triggered the run (NULL
-- for scheduled and manual runs). rows_read and rows_quarantined come from the run manifest,
-- rows_loaded is what the procedure inserted, rows_replaced what it removed of the partition's
-- previous version.
--
-- The table stays tiny, so it is copied to every node (DISTSTYLE ALL) and sorted by partition for
-- "what happened to day X" questions.
CREATE TABLE IF NOT EXISTS xetl.pipeline_runs (
    run_id           VARCHAR(256)  ENCODE zstd NOT NULL,
    partition_date   DATE          ENCODE raw NOT NULL,
    status           VARCHAR(16)   ENCODE zstd NOT NULL,
    marker           VARCHAR(1100) ENCODE zstd,
    rows_read        BIGINT        ENCODE az64,
    rows_loaded      BIGINT        ENCODE az64,
    rows_quarantined BIGINT        ENCODE az64,
    rows_replaced    BIGINT        ENCODE az64,
    error_message    VARCHAR(4096) ENCODE zstd,
    started_at       TIMESTAMP     DEFAULT GETDATE() ENCODE az64 NOT NULL,
    finished_at      TIMESTAMP     DEFAULT GETDATE() ENCODE az64,
    PRIMARY KEY (run_id, partition_date)
)
DISTSTYLE ALL
SORTKEY (partition_date);
