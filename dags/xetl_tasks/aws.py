"""AWS targets: the pipeline's steps as Amazon provider (9.12.0) operators and hooks.

Every name comes from the ``xetl_pipeline`` variable through templates, rendered on the worker;
nothing here reads a variable, a connection or AWS while the DAG file is parsed. Service calls run
with botocore's standard retry mode (throttling and transient errors retried in the client), and
each task also has Airflow retries with exponential backoff from the DAG's default_args.

Long waits (sensor, crawler, Glue job, Redshift statements) are deferrable, so they sit in the
triggerer instead of holding an MWAA worker slot.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from airflow.providers.amazon.aws.operators.glue import GlueJobOperator
from airflow.providers.amazon.aws.operators.glue_crawler import GlueCrawlerOperator
from airflow.providers.amazon.aws.operators.redshift_data import RedshiftDataOperator
from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor
from airflow.sdk import get_current_context, task

from xetl_tasks.base import PipelineTargets, TaskIds
from xetl_tasks.notify import failed_and_blocked, failure_message, success_message
from xetl_tasks.quality import DataQualityError, assert_quality, statement_result_rows
from xetl_tasks.sql import quality_metrics, staging_uri
from xetl_tasks.templates import (
    PARTITION,
    PARTITION_EXPR,
    PARTITION_OR_PROBLEM,
    RUN_ID,
    macros,
    path_expr,
    var,
    var_expr,
)

if TYPE_CHECKING:
    from airflow.sdk import BaseOperator, Context

AWS_CONN_ID = "aws_default"
# botocore's own retries: "standard" mode retries throttling and transient 5xx with backoff.
BOTOCORE_CONFIG: dict[str, Any] = {"retries": {"mode": "standard", "max_attempts": 10}}
# Do not import airflow.utils.trigger_rule in a DAG module (moving in Airflow 3.x); the value is stable.
ONE_FAILED = "one_failed"

SOURCE_PATH = path_expr(var_expr("source_prefix"))
TARGET_PATH = path_expr(var_expr("target_prefix"))
# The feed's base, not the partition folder: the Glue job derives year=/month=/day= from
# --partition itself (glue-scripts/xetl_transform/paths.py), as it does for the staging paths.
SOURCE_BASE_URI = "s3://" + var("source_bucket") + "/" + var("source_prefix")
TARGET_URI = "s3://" + var("target_bucket") + "/{{ " + TARGET_PATH + " }}"
# Data files only: the contract says names starting with "_" or "." (_SUCCESS, temp files) are not data.
SOURCE_FILES_PATTERN = "{{ " + SOURCE_PATH + " }}[!_.]*.csv"

LOAD_SQL = [
    "{{ xetl_sql.delete_staging_partition(" + PARTITION_EXPR + ") }}",
    "{{ xetl_sql.copy_curated_to_staging("
    + ", ".join((var_expr("staging_bucket"), PARTITION_EXPR, var_expr("redshift_copy_role_arn")))
    + ") }}",
    # The marker (conf.marker from the event trigger, or the `marker` param) goes to the audit row.
    "{{ xetl_sql.call_load_partition(" + PARTITION_EXPR + ", run_id, params.marker, " + var_expr("source_bucket") + ") }}",
]
UNLOAD_SQL = (
    "{{ xetl_sql.unload_partition("
    + ", ".join(
        (
            var_expr("target_bucket"),
            var_expr("target_prefix"),
            PARTITION_EXPR,
            var_expr("unload_role_chain"),
            var_expr("target_kms_key_arn"),
        )
    )
    + ") }}"
)


def _aws_kwargs() -> dict[str, Any]:
    return {"aws_conn_id": AWS_CONN_ID, "region_name": var("region"), "botocore_config": BOTOCORE_CONFIG}


def _redshift_kwargs() -> dict[str, Any]:
    return {
        "database": var("redshift_database"),
        "workgroup_name": var("redshift_workgroup"),
        "secret_arn": var("redshift_secret_arn"),
    }


class PartitionFilesSensor(S3KeySensor):
    """S3KeySensor whose timeout is a template (the variable's ``sensor_timeout_seconds``).

    ``timeout`` is a plain constructor argument in Airflow; reading the variable at parse time is
    not allowed here, so the rendered value is applied when the task starts, before the first poke
    and before deferring (the trigger's timeout is taken from it).
    """

    template_fields = (*S3KeySensor.template_fields, "timeout_seconds")

    def __init__(self, *, timeout_seconds: str | float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.timeout_seconds = timeout_seconds

    def execute(self, context: Context) -> None:
        try:
            seconds = float(self.timeout_seconds)
        except (TypeError, ValueError):
            seconds = -1.0
        if seconds <= 0:
            raise ValueError(
                f"sensor_timeout_seconds must be a positive number of seconds, got {self.timeout_seconds!r}"
            )
        self.timeout = seconds
        return super().execute(context)


class RedshiftDataSecretOperator(RedshiftDataOperator):
    """RedshiftDataOperator with ``secret_arn`` templated too (provider 9.12.0 leaves it out)."""

    template_fields = (*RedshiftDataOperator.template_fields, "secret_arn")


def read_manifest(s3_hook: Any, staging_bucket: str, partition: str) -> dict[str, Any]:
    """The Glue job's run manifest for the partition; a missing or unreadable one fails for good."""
    from airflow.exceptions import AirflowFailException

    uri = staging_uri(staging_bucket, "manifests", partition) + "manifest.json"
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    if s3_hook.head_object(key, bucket) is None:
        raise AirflowFailException(f"run manifest not found at {uri}: the Glue job did not write one")
    text = s3_hook.read_key(key, bucket)
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as err:
        raise AirflowFailException(f"run manifest at {uri} is not JSON: {err}") from None
    if not isinstance(manifest, dict):
        raise AirflowFailException(f"run manifest at {uri} is not a JSON object")
    return manifest


# TaskFlow fills parameters named like context keys (run_id, params, ...) from the context; the
# task callables below take "dag_run_id" so that every input is an explicit, rendered template.
def run_quality_checks(
    *,
    partition: str,
    run_id: str,
    staging_bucket: str,
    database: str,
    workgroup: str,
    secret_arn: str,
    region: str,
) -> dict[str, Any]:
    """Body of ``check_data_quality``: fetch the manifest and the metrics, then apply the rules."""
    from airflow.exceptions import AirflowFailException
    from airflow.providers.amazon.aws.hooks.redshift_data import RedshiftDataHook
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    s3 = S3Hook(aws_conn_id=AWS_CONN_ID, region_name=region, config=BOTOCORE_CONFIG)
    manifest = read_manifest(s3, staging_bucket, partition)
    redshift = RedshiftDataHook(aws_conn_id=AWS_CONN_ID, region_name=region, config=BOTOCORE_CONFIG)
    query = redshift.execute_query(
        sql=quality_metrics(partition, run_id),
        database=database,
        workgroup_name=workgroup,
        secret_arn=secret_arn,
        statement_name=f"xetl_quality_{partition}",
        wait_for_completion=True,
        poll_interval=5,
    )
    rows = statement_result_rows(redshift.conn.get_statement_result(Id=query.statement_id))
    if len(rows) != 1:
        raise AirflowFailException(f"quality metrics query returned {len(rows)} rows, expected 1")
    try:
        return assert_quality(partition, run_id, manifest, rows[0])
    except DataQualityError as err:
        # The data will not change by retrying: fail now, with every broken check in the message.
        raise AirflowFailException(str(err)) from err


class AwsTargets(PipelineTargets):
    """The pipeline on AWS: S3 (account A), Glue, Redshift Serverless Data API and SNS (account B)."""

    name = "aws"

    def template_macros(self) -> dict[str, Any]:
        return macros()

    def wait_for_source_files(self) -> BaseOperator:
        return PartitionFilesSensor(
            task_id=TaskIds.WAIT_FOR_SOURCE_FILES,
            bucket_name=var("source_bucket"),
            bucket_key=SOURCE_FILES_PATTERN,
            wildcard_match=True,
            deferrable=True,
            poke_interval=60,
            timeout_seconds=var("sensor_timeout_seconds"),
            **_aws_kwargs(),
        )

    def run_glue_crawler(self) -> BaseOperator:
        # Only the name: with more keys the operator calls UpdateCrawler, and the crawler's
        # definition belongs to the infrastructure, not to the DAG.
        return GlueCrawlerOperator(
            task_id=TaskIds.RUN_GLUE_CRAWLER,
            config={"Name": var("glue_crawler")},
            wait_for_completion=True,
            deferrable=True,
            poll_interval=30,
            execution_timeout=timedelta(hours=1),
            **_aws_kwargs(),
        )

    def run_glue_job(self) -> BaseOperator:
        return GlueJobOperator(
            task_id=TaskIds.RUN_GLUE_JOB,
            job_name=var("glue_job"),
            script_args={
                "--partition": PARTITION,
                "--run_id": RUN_ID,
                "--source_uri": SOURCE_BASE_URI,
                "--staging_uri": "s3://" + var("staging_bucket") + "/",
            },
            wait_for_completion=True,
            deferrable=True,
            # Poll every minute for up to 3 hours; the job's own timeout is set on the job.
            waiter_delay=60,
            waiter_max_attempts=180,
            stop_job_run_on_kill=True,
            execution_timeout=timedelta(hours=3, minutes=15),
            **_aws_kwargs(),
        )

    def load_warehouse_partition(self) -> BaseOperator:
        # A list of statements goes through BatchExecuteStatement, which runs them as one
        # transaction: a failed COPY or CALL rolls the DELETE back too.
        return RedshiftDataSecretOperator(
            task_id=TaskIds.LOAD_WAREHOUSE_PARTITION,
            sql=LOAD_SQL,
            statement_name="xetl_load_" + PARTITION,
            wait_for_completion=True,
            deferrable=True,
            poll_interval=10,
            execution_timeout=timedelta(hours=1),
            **_redshift_kwargs(),
            **_aws_kwargs(),
        )

    def check_data_quality(self) -> BaseOperator:
        @task(task_id=TaskIds.CHECK_DATA_QUALITY, execution_timeout=timedelta(minutes=30))
        def check_data_quality(
            partition: str,
            dag_run_id: str,
            staging_bucket: str,
            database: str,
            workgroup: str,
            secret_arn: str,
            region: str,
        ) -> dict[str, Any]:
            """Reconcile the loaded partition with the Glue job's manifest; check keys and nulls."""
            return run_quality_checks(
                partition=partition,
                run_id=dag_run_id,
                staging_bucket=staging_bucket,
                database=database,
                workgroup=workgroup,
                secret_arn=secret_arn,
                region=region,
            )

        return check_data_quality(
            partition=PARTITION,
            dag_run_id=RUN_ID,
            staging_bucket=var("staging_bucket"),
            database=var("redshift_database"),
            workgroup=var("redshift_workgroup"),
            secret_arn=var("redshift_secret_arn"),
            region=var("region"),
        ).operator

    def unload_to_target(self) -> BaseOperator:
        return RedshiftDataSecretOperator(
            task_id=TaskIds.UNLOAD_TO_TARGET,
            sql=UNLOAD_SQL,
            statement_name="xetl_unload_" + PARTITION,
            wait_for_completion=True,
            deferrable=True,
            poll_interval=10,
            execution_timeout=timedelta(hours=1),
            **_redshift_kwargs(),
            **_aws_kwargs(),
        )

    def notify_success(self) -> BaseOperator:
        @task(task_id=TaskIds.NOTIFY_SUCCESS, execution_timeout=timedelta(minutes=5))
        def notify_success(
            partition: str, dag_run_id: str, environment: str, topic_arn: str, region: str, target_uri: str
        ) -> str:
            """Publish 'partition published' with the data-quality counts to the SNS topic."""
            ti = get_current_context()["ti"]
            # Pulled here, not passed as an argument: an XComArg would add a graph edge from the
            # quality check, and the graph is meant to stay one straight line.
            quality = ti.xcom_pull(task_ids=TaskIds.CHECK_DATA_QUALITY)
            subject, body = success_message(
                ti.dag_id, environment, partition, dag_run_id, target_uri, quality
            )
            return _publish(topic_arn, region, subject, body, "success", partition, environment)

        return notify_success(
            partition=PARTITION,
            dag_run_id=RUN_ID,
            environment=var("environment"),
            topic_arn=var("sns_topic_arn"),
            region=var("region"),
            target_uri=TARGET_URI,
        ).operator

    def notify_failure(self) -> BaseOperator:
        @task(
            task_id=TaskIds.NOTIFY_FAILURE,
            trigger_rule=ONE_FAILED,
            execution_timeout=timedelta(minutes=5),
        )
        def notify_failure(
            partition: str, dag_run_id: str, environment: str, topic_arn: str, region: str
        ) -> str:
            """Publish 'run failed at <task>' to the SNS topic as soon as a pipeline task fails."""
            ti = get_current_context()["ti"]
            try:
                states = ti.get_task_states(dag_id=ti.dag_id, run_ids=[dag_run_id]).get(dag_run_id, {})
            except Exception:  # the notice matters more than naming the task: send it regardless
                states = {}
            failed, blocked = failed_and_blocked(states, TaskIds.PIPELINE, TaskIds.NOTIFY_SUCCESS)
            subject, body = failure_message(ti.dag_id, environment, partition, dag_run_id, failed, blocked)
            return _publish(topic_arn, region, subject, body, "failure", partition, environment)

        return notify_failure(
            partition=PARTITION_OR_PROBLEM,
            dag_run_id=RUN_ID,
            environment=var("environment"),
            topic_arn=var("sns_topic_arn"),
            region=var("region"),
        ).operator


def _publish(
    topic_arn: str, region: str, subject: str, body: str, status: str, partition: str, environment: str
) -> str:
    from airflow.providers.amazon.aws.hooks.sns import SnsHook

    hook = SnsHook(aws_conn_id=AWS_CONN_ID, region_name=region, config=BOTOCORE_CONFIG)
    # Attributes let subscribers filter (e.g. page only on failures) without parsing the text.
    return hook.publish_to_target(
        target_arn=topic_arn,
        message=body,
        subject=subject,
        message_attributes={"status": status, "environment": environment, "partition": partition[:64]},
    )
