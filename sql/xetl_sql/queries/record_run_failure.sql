-- Record that a run failed for a partition, after the fact and in its own transaction (one Data
-- API batch of these two statements). The load procedure cannot do it: its transaction is the one
-- that was rolled back (see migrations/0005_sp_load_products_partition.sql).
--
-- If the run already has a row (it loaded, then a data-quality query or the UNLOAD failed), that
-- row is marked failed and keeps its counts; otherwise a failed row is added. A later successful
-- attempt of the same run replaces the row again (the procedure deletes it first).
--
-- Parameters: partition, run_id, marker (or None), error_message (free text; sanitised to one
-- printable line of at most 1000 characters).
UPDATE xetl.pipeline_runs
SET status = 'failed',
    error_message = {{ error_message }},
    marker = COALESCE(marker, CAST({{ marker }} AS VARCHAR)),
    finished_at = DEFAULT
WHERE run_id = {{ run_id }}
  AND partition_date = CAST({{ partition }} AS DATE);

-- started_at and finished_at take their defaults (now). The FROM clause reads a real table: in
-- Redshift a SELECT without FROM runs on the leader node only.
INSERT INTO xetl.pipeline_runs (run_id, partition_date, status, marker, error_message)
SELECT {{ run_id }}, CAST({{ partition }} AS DATE), 'failed', CAST({{ marker }} AS VARCHAR), {{ error_message }}
FROM (
    SELECT COUNT(*) AS existing
    FROM xetl.pipeline_runs
    WHERE run_id = {{ run_id }}
      AND partition_date = CAST({{ partition }} AS DATE)
) AS runs
WHERE runs.existing = 0;
