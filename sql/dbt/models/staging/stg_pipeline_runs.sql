-- The pipeline's audit rows, one per (run_id, partition_date).
select
    run_id,
    partition_date,
    status,
    marker,
    rows_read,
    rows_loaded,
    rows_quarantined,
    rows_replaced,
    error_message,
    started_at,
    finished_at
from {{ source('xetl', 'pipeline_runs') }}
