"""Shared test values and the template-rendering harness (imported by the tests, not collected)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xetl_tasks.contract import DAG_ID, validate_variable

DAG_FILE = "xetl_products_pipeline.py"
LOOPBACK_DEAD_ENDPOINT = "http://127.0.0.1:9"

# Account A = 111111111111 (source, target), account B = 222222222222 (analytics). Checked against
# the pipeline contract's schema: a field the stack stops writing fails here, not on MWAA.
TEST_PIPELINE: dict[str, Any] = validate_variable({
    "environment": "test",
    "region": "eu-west-1",
    "source_bucket": "xetl-test-source-111111111111",
    "source_prefix": "products",
    "staging_bucket": "xetl-test-staging-222222222222",
    "target_bucket": "xetl-test-target-111111111111",
    "target_prefix": "products",
    "glue_database": "xetl_test",
    "glue_crawler": "xetl-test-products-crawler",
    "glue_job": "xetl-test-products-job",
    "redshift_workgroup": "xetl-test",
    "redshift_database": "dev",
    "redshift_endpoint": "xetl-test.222222222222.eu-west-1.redshift-serverless.amazonaws.com",
    "redshift_port": 5439,
    "redshift_copy_role_arn": "arn:aws:iam::222222222222:role/xetl-test-redshift-copy",
    "unload_role_chain": (
        "arn:aws:iam::222222222222:role/xetl-test-redshift-unload,"
        "arn:aws:iam::111111111111:role/xetl-test-target-writer"
    ),
    "target_kms_key_arn": "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "sns_topic_arn": "arn:aws:sns:eu-west-1:222222222222:xetl-test-pipeline",
    "chat_topic_arn": "arn:aws:sns:eu-west-1:222222222222:xetl-test-chat",
    "airflow_url": "https://0123abcd-4567-89ef-0123-456789abcdef.c2.airflow.eu-west-1.on.aws",
    "sensor_timeout_seconds": 21600,
    "max_quarantine_ratio": 0.2,
    "unload_template": "unload_partition",
})


@dataclass(frozen=True)
class Run:
    """What the API server would send a worker about a DAG run."""

    run_id: str
    run_type: str  # "scheduled" | "manual"
    logical_date: datetime | None
    conf: dict[str, Any]
    data_interval: tuple[datetime, datetime] | None = None


def start_task(task_id: str, run: Run, dag_file: str = DAG_FILE):
    """Start a task instance the way a worker does, minus the supervisor: parse the DAG file from
    the dags-folder bundle (Task SDK ``parse``), copy the task for execution, build the template
    context from the run, then render the templated fields with the DAG's Jinja environment (the
    steps of ``task_runner._prepare``). Returns (runtime task instance, context)."""
    import structlog
    from airflow.sdk.api.datamodels._generated import (
        BundleInfo,
        DagRun,
        DagRunState,
        DagRunType,
        TaskInstance,
        TIRunContext,
    )
    from airflow.sdk.execution_time.comms import StartupDetails
    from airflow.sdk.execution_time.task_runner import parse

    started = datetime.fromisoformat("2026-11-22T01:00:05+00:00")
    interval = run.data_interval or (None, None)
    details = StartupDetails(
        ti=TaskInstance(id=uuid.uuid4(), task_id=task_id, dag_id=DAG_ID, run_id=run.run_id, try_number=1),
        dag_rel_path=dag_file,
        bundle_info=BundleInfo(name="dags-folder", version=None),
        start_date=started,
        ti_context=TIRunContext(
            dag_run=DagRun(
                dag_id=DAG_ID,
                run_id=run.run_id,
                logical_date=run.logical_date,
                data_interval_start=interval[0],
                data_interval_end=interval[1],
                run_after=run.logical_date or started,
                start_date=started,
                run_type=DagRunType(run.run_type),
                state=DagRunState.RUNNING,
                conf=run.conf,
                consumed_asset_events=[],
            ),
            max_tries=3,
        ),
    )
    ti = parse(details, structlog.get_logger("xetl-tests"))
    ti.task = ti.task.prepare_for_execution()
    context = ti.get_template_context()
    ti.render_templates(context=context, jinja_env=ti.task.dag.get_template_env())
    return ti, context


def render(task_id: str, run: Run) -> Any:
    """The task with every templated field rendered for ``run``."""
    ti, _ = start_task(task_id, run)
    return ti.task
