"""
### xetl products pipeline

Moves one day (a **partition**, `YYYY-MM-DD`) of product CSV files from account A's source bucket
through Glue and Redshift Serverless in account B, and publishes it back to account A's target
bucket as Parquet. Contract: `docs/data-contract.md`; operations: `docs/pipeline-dag.md`.

| # | task | does |
|---|---|---|
| 1 | `wait_for_source_files` | waits (deferred) for `products/year=…/month=…/day=…/*.csv` in the source bucket |
| 2 | `run_glue_crawler` | runs the catalog crawler and waits |
| 3 | `run_glue_job` | runs the Glue job with `--partition`, `--run_id`, `--source_uri`, `--staging_uri` |
| 4 | `load_warehouse_partition` | DELETE staging partition + COPY curated Parquet + CALL `xetl.sp_load_products_partition`, one transaction |
| 5 | `check_data_quality` | manifest counts reconcile (`rows_read = rows_loaded + rows_quarantined`), unique keys, no nulls in required columns |
| 6 | `unload_to_target` | UNLOAD the partition to the target bucket (Parquet, SSE-KMS, CLEANPATH) |
| 7 | `notify_success` | SNS: partition published, with counts |
| - | `notify_failure` | SNS: run failed at which task (`one_failed` on tasks 1-6) |

**Which partition:** `dag_run.conf["partition"]` (event trigger, `airflow dags trigger -c`), else
the `partition` param (trigger form), else the UTC day of the logical date (scheduled runs: the
day that ended at 01:00 UTC). Malformed values fail the run at its first task.

**Re-run / backfill a day:** `airflow dags trigger xetl_products_pipeline -c '{"partition": "2026-11-20"}'`.
Every step replaces exactly that partition, so a re-run leaves the same result.

All names come from the Airflow variable `xetl_pipeline` (JSON, from Secrets Manager), rendered
when a task runs; `XETL_TARGET` (default `aws`) picks where the steps run.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import DAG, Param, chain
from airflow.timetables.interval import CronDataIntervalTimetable
from xetl_tasks import get_targets

DAG_ID = "xetl_products_pipeline"
OWNER = "xetl-data-engineering"
TAGS = ["xetl", "products", "etl", "cross-account"]

DEFAULT_ARGS = {
    "owner": OWNER,
    "depends_on_past": False,
    # Service calls fail transiently (throttling, a crawler still running from a previous try):
    # retry with growing pauses, capped, rather than page someone for a blip.
    "retries": 3,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
}

# Chosen once per parse from XETL_TARGET (an environment read, no I/O).
targets = get_targets()

with DAG(
    dag_id=DAG_ID,
    description="Products CSV (account A) -> Glue -> Redshift Serverless -> Parquet (account A), one day at a time",
    doc_md=__doc__,
    # A data-interval timetable: the run starting 01:00 UTC on day D+1 has logical date D 01:00,
    # so its partition is D, a day that is over (the hour's slack lets late files land).
    schedule=CronDataIntervalTimetable("0 1 * * *", timezone="UTC"),
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    # One run at a time: the crawler and the Glue job cannot run twice at once, and backfills of
    # several days then queue instead of failing.
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=TAGS,
    params={
        "partition": Param(
            "",
            type="string",
            # Format only; the resolver also checks that it is a real calendar day.
            pattern=r"^$|^\d{4}-\d{2}-\d{2}$",
            title="Partition (YYYY-MM-DD)",
            description="Day to process. Empty: the UTC day of the run's logical date.",
        ),
        "marker": Param(
            "",
            # Informational only: a trigger that sends null must not be refused for it.
            type=["null", "string"],
            title="Marker",
            description="Set by the event trigger: the object whose arrival triggered the run.",
        ),
    },
    user_defined_macros=targets.template_macros(),
) as dag:
    wait_for_source_files = targets.wait_for_source_files()
    run_glue_crawler = targets.run_glue_crawler()
    run_glue_job = targets.run_glue_job()
    load_warehouse_partition = targets.load_warehouse_partition()
    check_data_quality = targets.check_data_quality()
    unload_to_target = targets.unload_to_target()
    notify_success = targets.notify_success()
    notify_failure = targets.notify_failure()

    pipeline = [
        wait_for_source_files,
        run_glue_crawler,
        run_glue_job,
        load_warehouse_partition,
        check_data_quality,
        unload_to_target,
    ]
    chain(*pipeline, notify_success)
    # Any failed step (trigger rule one_failed) sends the failure notice at once. On a successful
    # run the notice is skipped; after a failure notify_success ends upstream_failed, so the run is
    # still marked failed even though the notice itself succeeded.
    pipeline >> notify_failure
