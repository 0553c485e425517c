-- xetl.sp_load_products_partition: replace exactly one partition of xetl.products with the rows
-- staged for it, record the audit row, and clear that partition from the staging table.
--
-- Transaction semantics (docs/pipeline-sql.md, "The load procedure"):
--   * The procedure is ATOMIC (Redshift's default, no NONATOMIC) and contains no COMMIT, ROLLBACK
--     or TRUNCATE, so it runs inside the caller's transaction (xetl_sql/queries/publish_partition.sql,
--     after stage_partition.sql staged the rows and the data-quality checks passed). Any error rolls
--     all of it back: the partition's previous rows, the staged rows and the audit table stay exactly
--     as they were. No TRUNCATE because Redshift's TRUNCATE commits.
--   * No EXCEPTION block: in Redshift, entering a handler rolls the whole transaction back and then
--     commits the handler's own statements, while PostgreSQL rolls back only to the block's
--     savepoint. The two engines would disagree, and the local stand-in would prove nothing. A
--     failure is recorded by the caller afterwards (xetl_sql/queries/record_run_failure.sql).
--   * Parameters are named p_* and variables v_* so no name can shadow a column: Redshift's
--     PL/pgSQL substitutes variables into the SQL statements by name.
--   * Only syntax that Redshift and PostgreSQL share is used in the bodies (the bodies reach the
--     PostgreSQL stand-in unchanged); time comes from column defaults (GETDATE() in Redshift), not
--     from a function called in the body.
--
-- Arguments: the partition, the run id, the run manifest's rows_read and rows_quarantined, and the
-- marker (the s3:// URI of the object that triggered the run, or NULL). When the counts are given,
-- a partition whose rows do not reconcile (rows_read = rows_loaded + rows_quarantined) is refused;
-- give both counts or neither. A partition with no staged rows is always refused.
CREATE OR REPLACE PROCEDURE xetl.sp_load_products_partition(
    p_partition_date DATE,
    p_run_id VARCHAR,
    p_rows_read BIGINT,
    p_rows_quarantined BIGINT,
    p_marker VARCHAR
)
AS $$
DECLARE
    v_started_at TIMESTAMP;
    v_duplicated_keys BIGINT;
    v_example_key VARCHAR(64);
    v_rows_replaced BIGINT;
    v_rows_loaded BIGINT;
BEGIN
    IF p_partition_date IS NULL OR p_run_id IS NULL OR p_run_id = '' THEN
        RAISE EXCEPTION 'xetl.sp_load_products_partition: partition_date and run_id are required';
    END IF;
    IF (p_rows_read IS NULL) <> (p_rows_quarantined IS NULL) THEN
        RAISE EXCEPTION 'xetl.sp_load_products_partition: give rows_read and rows_quarantined together, or neither';
    END IF;
    IF p_rows_read < 0 OR p_rows_quarantined < 0 THEN
        RAISE EXCEPTION 'xetl.sp_load_products_partition: counts cannot be negative (rows_read %, rows_quarantined %)',
            p_rows_read, p_rows_quarantined;
    END IF;

    -- One audit row per (run_id, partition_date): a retry of the same run replaces its own row
    -- (for example a failure the caller recorded). started_at comes from the column default.
    DELETE FROM xetl.pipeline_runs
    WHERE run_id = p_run_id AND partition_date = p_partition_date;
    INSERT INTO xetl.pipeline_runs (run_id, partition_date, status, marker, rows_read, rows_quarantined, finished_at)
    VALUES (p_run_id, p_partition_date, 'running', p_marker, p_rows_read, p_rows_quarantined, NULL);
    SELECT INTO v_started_at started_at
    FROM xetl.pipeline_runs
    WHERE run_id = p_run_id AND partition_date = p_partition_date;

    -- Nothing staged (an empty drop, every row quarantined, a COPY that found no files): refuse,
    -- so a published partition is never replaced by nothing.
    IF NOT EXISTS (SELECT 1 FROM xetl.products_staging WHERE partition_date = p_partition_date) THEN
        RAISE EXCEPTION 'xetl.sp_load_products_partition: no rows staged for partition %: refusing to replace the published partition with nothing',
            p_partition_date;
    END IF;

    -- Redshift does not enforce primary keys, so the key rule is checked here, before anything of
    -- the published partition is touched.
    SELECT INTO v_duplicated_keys, v_example_key COUNT(*), MIN(product_id)
    FROM (
        SELECT product_id
        FROM xetl.products_staging
        WHERE partition_date = p_partition_date
        GROUP BY product_id
        HAVING COUNT(*) > 1
    ) AS duplicated;
    IF v_duplicated_keys > 0 THEN
        RAISE EXCEPTION 'xetl.sp_load_products_partition: partition %: % product_id values occur more than once in xetl.products_staging (for example %)',
            p_partition_date, v_duplicated_keys, v_example_key;
    END IF;

    -- Replace the partition. A NULL in a required staged column fails this INSERT (NOT NULL on
    -- xetl.products), which rolls back the DELETE with it.
    DELETE FROM xetl.products
    WHERE partition_date = p_partition_date;
    GET DIAGNOSTICS v_rows_replaced := ROW_COUNT;

    INSERT INTO xetl.products (
        product_id, product_name, category, price, quantity, updated_at, source_file,
        partition_date, run_id, loaded_at
    )
    SELECT
        product_id, product_name, category, price, quantity, updated_at, source_file,
        partition_date, p_run_id, v_started_at
    FROM xetl.products_staging
    WHERE partition_date = p_partition_date;
    GET DIAGNOSTICS v_rows_loaded := ROW_COUNT;

    IF p_rows_read IS NOT NULL AND p_rows_read <> v_rows_loaded + p_rows_quarantined THEN
        RAISE EXCEPTION 'xetl.sp_load_products_partition: partition %: rows_read % <> rows_loaded % + rows_quarantined % (the staged rows do not match the run manifest)',
            p_partition_date, p_rows_read, v_rows_loaded, p_rows_quarantined;
    END IF;

    DELETE FROM xetl.products_staging
    WHERE partition_date = p_partition_date;

    UPDATE xetl.pipeline_runs
    SET status = 'succeeded',
        rows_loaded = v_rows_loaded,
        rows_replaced = v_rows_replaced,
        error_message = NULL,
        finished_at = DEFAULT
    WHERE run_id = p_run_id AND partition_date = p_partition_date;

    RAISE INFO 'xetl.sp_load_products_partition: partition % run %: % rows loaded, % rows replaced',
        p_partition_date, p_run_id, v_rows_loaded, v_rows_replaced;
END;
$$ LANGUAGE plpgsql;

-- The contract's signature, (partition_date, run_id): the same load without manifest counts or
-- marker. Redshift overloads procedure names by argument list, so both signatures coexist.
CREATE OR REPLACE PROCEDURE xetl.sp_load_products_partition(
    p_partition_date DATE,
    p_run_id VARCHAR
)
AS $$
BEGIN
    CALL xetl.sp_load_products_partition(p_partition_date, p_run_id, NULL::BIGINT, NULL::BIGINT, NULL::VARCHAR);
END;
$$ LANGUAGE plpgsql;
