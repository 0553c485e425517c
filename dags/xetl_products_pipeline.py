"""
### xetl products pipeline

Moves one day (a **partition**, `YYYY-MM-DD`) of product CSV files from account A's source bucket
through Glue and Redshift Serverless in account B, and publishes it back to account A's target
bucket as Parquet, only when every check passed. Contract: `docs/data-contract.md`; operations:
`docs/pipeline-dag.md`.

| # | task | does |
|---|---|---|
| 1 | `wait_for_marker` | waits (deferred) for the partition's `_SUCCESS` marker: the drop is complete |
| 2 | `start_glue_crawler` | starts the catalog crawler (or joins the crawl already running) |
| 3 | `wait_for_glue_crawler` | waits for a crawl newer than the previous one to succeed; stops it on timeout |
| 4 | `start_glue_job` | starts the Glue job with `--partition`, `--run_id`, `--source_uri`, `--staging_uri` |
| 5 | `wait_for_glue_job` | waits (deferred) for that job run; stops it when the wait fails |
| 6 | `check_manifest` | the run manifest: counts balance, not empty, not all quarantined, quarantine ratio |
| 7 | `stage_partition` | DELETE + COPY into `xetl.products_staging`, one transaction; nothing published changes |
| 8 | `check_data_quality` | the staged rows: reconcile with the manifest, unique keys, no NULL required columns |
| 9 | `publish_partition` | CALL `xetl.sp_load_products_partition`: replace the partition + audit row, atomically |
| 10 | `transform_with_dbt.*` | the dbt models (sql/dbt), one task per model with its tests (Cosmos); a failed test stops here |
| 11 | `unload_to_target` | UNLOAD the partition (or the configured mart) to the target bucket (Parquet, SSE-KMS, CLEANPATH) |
| 12 | `notify_success` | SNS: partition published, with counts (and the chat channels, when configured) |
| 12 | `publish_dbt_docs` | beside 12: `dbt docs generate`, the site to the staging bucket's `dbt-docs/` (`xetl docs` serves it) |
| - | `notify_failure` | audit row 'failed' + SNS: run failed at which task (`one_failed` on tasks 1-11 and the docs) |

**Which partition:** `dag_run.conf["partition"]` (event trigger, `xetl trigger`, `airflow dags
trigger -c`), else the `partition` param (trigger form), else the UTC day of the logical date
(backfills). Malformed values fail the run at its first task.

**When it runs:** no schedule. The `_SUCCESS` marker's event starts a run for its partition (the
event trigger); re-runs and backfills start from `xetl trigger` (Airflow's own backfill command
refuses a DAG without a schedule). One run at a time: runs queue behind `max_active_runs=1`.
Every task also takes the one slot of the `xetl_pipeline` pool (deferred waits included), so at
most one pipeline task holds it at a time.

All names come from the Airflow variable `xetl_pipeline` (JSON, from Secrets Manager; its fields
are the pipeline contract's), rendered when a task runs. `XETL_RUNTIME` (default `aws`) picks where
the steps run.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import DAG, Param, chain
from xetl_tasks import get_runtime
from xetl_tasks.contract import DAG_ID, POOL

OWNER = "xetl-data-engineering"
TAGS = ["xetl", "products", "etl", "cross-account"]
DEFAULT_ARGS = {
    "owner": OWNER,
    "depends_on_past": False,
    # One slot, deferred tasks included (created by `xetl bootstrap`): at most one pipeline task holds
    # it at a time. What keeps runs of different partitions apart is max_active_runs=1; the pool is
    # the second guard (a rescheduled sensor between pokes holds no slot; docs/pipeline-dag.md, "Backfills").
    "pool": POOL,
    # Service calls fail transiently (throttling, a crawler still busy): retry with growing pauses,
    # capped, rather than page someone for a blip. Bad data fails at once (AirflowFailException).
    "retries": 3,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
}

# Chosen once per parse from XETL_RUNTIME (an environment read, no I/O).
runtime = get_runtime()

with DAG(
    dag_id=DAG_ID,
    description="Products CSV (account A) -> Glue -> Redshift Serverless -> Parquet (account A), one day at a time",
    doc_md=__doc__,
    schedule=None,
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    # New DAGs are paused by default; a paused pipeline would ignore every marker event.
    is_paused_upon_creation=False,
    max_active_runs=1,
    # Holds while tasks are deferred (execution_timeout does not, in Airflow 3.0.6): no run can
    # hold the queue for more than this.
    dagrun_timeout=timedelta(hours=8),
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
    user_defined_macros=runtime.template_macros(),
) as dag:
    pipeline = [
        runtime.wait_for_marker(),
        runtime.start_glue_crawler(),
        runtime.wait_for_glue_crawler(),
        runtime.start_glue_job(),
        runtime.wait_for_glue_job(),
        runtime.check_manifest(),
        runtime.stage_partition(),
        runtime.check_data_quality(),
        runtime.publish_partition(),
        runtime.transform_with_dbt(),
        runtime.unload_to_target(),
    ]
    chain(*pipeline, runtime.notify_success())
    # The docs site only once the partition is published, beside the success notice: its failure
    # can neither stop nor undo the publication (docs/dbt.md, "Docs").
    docs = runtime.publish_dbt_docs()
    pipeline[-1] >> docs
    # Any failed step (trigger rule one_failed) records and announces the failure at once. On a
    # successful run the notice is skipped; after a failure notify_success ends upstream_failed, so
    # the run is still marked failed even though the notice itself succeeded. A failed docs task is
    # announced as such: published, only the docs site not refreshed.
    [*pipeline, docs] >> runtime.notify_failure()
