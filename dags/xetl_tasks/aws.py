"""The AWS runtime: the pipeline's steps as Amazon provider (9.12.0) operators, sensors and hooks.

Every name comes from the pipeline variable through templates, rendered on the worker; nothing here
reads a variable, a connection or AWS while the DAG file is parsed. Every statement sent to
Redshift is rendered by `xetl_sql` (through `xetl_tasks.sql`). Service calls run with botocore's
standard retry mode, and each task also has Airflow retries with exponential backoff from the DAG's
default_args.

Who owns retries and waits (docs/pipeline-dag.md, "Retries and waits"):
- Submitting and waiting are separate tasks for the crawler and the Glue job, so retrying a wait
  never starts a second run; starting the crawler is idempotent (a crawl already running counts).
- Every wait is bounded while it is not holding a worker: the marker sensor and the Glue job
  sensor defer with a trigger-side timeout, the crawler sensor reschedules with a sensor timeout.
  A failed or timed-out Glue job wait stops the job run; a timed-out crawler wait stops the crawl.
- Redshift statements are submitted and polled by `RedshiftSqlOperator` in the worker (seconds to
  minutes), so `execution_timeout` holds; on a timeout, a kill or any other failure of the wait the
  statement is cancelled.
- Redshift runs as the MWAA execution role (IAM authentication through the Data API, no secret).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from airflow.providers.amazon.aws.operators.glue import GlueJobOperator
from airflow.providers.amazon.aws.sensors.glue import GlueJobSensor
from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor
from airflow.sdk import BaseOperator, BaseSensorOperator, get_current_context, task

from xetl_tasks import sql
from xetl_tasks.contract import DBT_DOCS_PREFIX, MARKER_FILE_NAME, VARIABLE_KEY, variable_problems
from xetl_tasks.notify import chat_message, failed_and_blocked, failure_message, success_message
from xetl_tasks.partition import manifest_uri
from xetl_tasks.quality import (
    STAGED_CHECKS,
    DataQualityError,
    check_manifest,
    check_staged,
    staged_check_parameters,
    statement_result_rows,
)
from xetl_tasks.runtime import PipelineRuntime, TaskIds
from xetl_tasks.templates import (
    PARTITION,
    PARTITION_OR_PROBLEM,
    RUN_ID,
    macros,
    path_expr,
    var,
    var_expr,
)

if TYPE_CHECKING:
    from airflow.sdk import Context, TaskGroup

AWS_CONN_ID = "aws_default"
# botocore's own retries: "standard" mode retries throttling and transient 5xx with backoff.
BOTOCORE_CONFIG: dict[str, Any] = {"retries": {"mode": "standard", "max_attempts": 10}}
# Do not import airflow.utils.trigger_rule in a DAG module (moving in Airflow 3.x); the value is stable.
ONE_FAILED = "one_failed"

# How long each wait may take (the Glue job's own timeout is set on the job, see the analytics
# stack; the wait outlasts it a little so the job's own timeout is what normally ends it).
CRAWLER_WAIT = timedelta(hours=1)
GLUE_JOB_WAIT = timedelta(hours=3, minutes=15)
GLUE_JOB_POLL = timedelta(minutes=1)
STATEMENT_WAIT = timedelta(hours=1)

SOURCE_PATH = path_expr(var_expr("source_prefix"))
TARGET_PATH = path_expr(var_expr("target_prefix"))
# The feed's base, not the partition folder: the Glue job derives year=/month=/day= from
# --partition itself (glue-scripts/xetl_transform/paths.py), as it does for the staging paths.
SOURCE_BASE_URI = "s3://" + var("source_bucket") + "/" + var("source_prefix")
TARGET_URI = "s3://" + var("target_bucket") + "/{{ " + TARGET_PATH + " }}"
# The marker itself: its presence means every data file of the drop has landed.
MARKER_KEY = "{{ " + SOURCE_PATH + " }}" + MARKER_FILE_NAME
# The marker of this run as an s3:// URI for the audit row (conf.marker from the event trigger, or
# the `marker` param; empty for other runs).
RUN_MARKER = "{{ xetl_marker_uri(params.marker, " + var_expr("source_bucket") + ") or '' }}"
# The manifest counts check_manifest returned (XCom).
MANIFEST_COUNT = "{{{{ ti.xcom_pull(task_ids='" + TaskIds.CHECK_MANIFEST + "')['{}'] }}}}"


def _aws_kwargs() -> dict[str, Any]:
    return {"aws_conn_id": AWS_CONN_ID, "region_name": var("region"), "botocore_config": BOTOCORE_CONFIG}


def _fail(message: str) -> Exception:
    """A failure no retry can fix (bad data, a wrong setting): fail the task now."""
    from airflow.exceptions import AirflowFailException

    return AirflowFailException(message)


class MarkerSensor(S3KeySensor):
    """S3KeySensor for the partition's marker, with its timeout taken from the pipeline variable.

    As the run's first task, it also checks the whole variable against the pipeline contract, so a
    misdeployed stack (a missing field, the alias ARN of account A's key instead of its key ARN)
    stops the run before anything is read or written, with every problem named.

    `timeout` is a plain constructor argument in Airflow, and reading the variable at parse time is
    not allowed here, so the rendered `timeout_seconds` is applied when the task starts, before the
    first poke and before deferring (the trigger's timeout is taken from it).
    """

    template_fields = (*S3KeySensor.template_fields, "timeout_seconds")

    def __init__(self, *, timeout_seconds: str | float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.timeout_seconds = timeout_seconds

    def execute(self, context: Context) -> None:
        from airflow.sdk import Variable

        problems = variable_problems(Variable.get(VARIABLE_KEY, deserialize_json=True))
        if problems:
            raise _fail(
                f"the {VARIABLE_KEY} variable does not match the pipeline contract; nothing was read or written. "
                + "; ".join(problems)
                + (" (target_kms_key_arn: deploy the analytics stack with --var source_data_key_arn=<data_key_arn "
                   "output of the source stack>)" if any(p.startswith("target_kms_key_arn") for p in problems) else "")
            )
        try:
            seconds = float(self.timeout_seconds)
        except (TypeError, ValueError):
            seconds = -1.0
        if seconds <= 0:
            raise _fail(f"sensor_timeout_seconds must be a positive number of seconds, got {self.timeout_seconds!r}")
        self.timeout = seconds
        return super().execute(context)


class StartGlueCrawlerOperator(BaseOperator):
    """Start the crawler, or join the crawl already running (a retry after the start went through).

    Returns the crawler's previous `LastCrawl.StartTime` (ISO), so the wait can prove it saw a newer
    crawl finish rather than the previous one. Calls `glue:GetCrawler` and `glue:StartCrawler`.
    """

    template_fields = ("crawler_name", "region_name")

    def __init__(self, *, crawler_name: str, region_name: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.crawler_name = crawler_name
        self.region_name = region_name

    def execute(self, context: Context) -> str:
        from airflow.providers.amazon.aws.hooks.glue_crawler import GlueCrawlerHook

        hook = GlueCrawlerHook(aws_conn_id=AWS_CONN_ID, region_name=self.region_name, config=BOTOCORE_CONFIG)
        crawler = hook.get_crawler(self.crawler_name)
        previous = (crawler.get("LastCrawl") or {}).get("StartTime")
        previous_iso = previous.isoformat() if isinstance(previous, datetime) else ""
        if crawler.get("State") != "READY":
            self.log.info("crawler %s is %s: waiting for that crawl", self.crawler_name, crawler.get("State"))
            return previous_iso
        hook.start_crawler(self.crawler_name)
        return previous_iso


class GlueCrawlDoneSensor(BaseSensorOperator):
    """Waits until the crawler is READY with a crawl that started after `started_after` and succeeded.

    Proves what it waits for: a READY crawler whose last crawl is the previous one (the new crawl not
    started yet) keeps it waiting. Rescheduled between pokes; a timeout stops the crawl. Calls
    `glue:GetCrawler` (and `glue:StopCrawler` on timeout).
    """

    template_fields = ("crawler_name", "region_name", "started_after")

    def __init__(self, *, crawler_name: str, region_name: str, started_after: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.crawler_name = crawler_name
        self.region_name = region_name
        self.started_after = started_after

    def _hook(self) -> Any:
        from airflow.providers.amazon.aws.hooks.glue_crawler import GlueCrawlerHook

        return GlueCrawlerHook(aws_conn_id=AWS_CONN_ID, region_name=self.region_name, config=BOTOCORE_CONFIG)

    def poke(self, context: Context) -> bool:
        crawler = self._hook().get_crawler(self.crawler_name)
        last = crawler.get("LastCrawl") or {}
        started = last.get("StartTime")
        if crawler.get("State") != "READY" or not isinstance(started, datetime):
            return False
        if self.started_after and started <= datetime.fromisoformat(self.started_after):
            return False  # READY, but the last crawl is still the one before ours
        if last.get("Status") == "SUCCEEDED":
            return True
        raise _fail(f"crawler {self.crawler_name} ended {last.get('Status')}: {last.get('ErrorMessage', '')}")

    def execute(self, context: Context) -> Any:
        from airflow.exceptions import AirflowSensorTimeout

        try:
            return super().execute(context)
        except AirflowSensorTimeout:
            self.log.warning("the crawl did not finish within %s: stopping crawler %s", self.timeout, self.crawler_name)
            try:
                self._hook().glue_client.stop_crawler(Name=self.crawler_name)
            except Exception as err:  # already stopped or never started: the timeout is what matters
                self.log.warning("could not stop crawler %s: %s", self.crawler_name, err)
            raise


class GlueJobRunSensor(GlueJobSensor):
    """GlueJobSensor that stops the run when the wait fails or times out (deferred, the trigger's
    waiter gives up after `max_retries` x `poke_interval`), so no run outlives the task that owns it.
    Calls `glue:GetJobRun` (and `glue:BatchStopJobRun` when the wait fails)."""

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> None:
        try:
            super().execute_complete(context, event)
        except Exception:
            self._stop_run()
            raise

    def poke(self, context: Context) -> bool:
        try:
            return super().poke(context)
        except Exception:
            self._stop_run()
            raise

    def _stop_run(self) -> None:
        try:
            state = self.hook.get_job_state(job_name=self.job_name, run_id=self.run_id)
            if state in ("STARTING", "RUNNING", "WAITING"):
                self.log.warning("stopping Glue job %s run %s (%s)", self.job_name, self.run_id, state)
                self.hook.conn.batch_stop_job_run(JobName=self.job_name, JobRunIds=[self.run_id])
        except Exception as err:  # the failure being reported matters more than the clean-up
            self.log.warning("could not stop Glue job run %s: %s", self.run_id, err)


class RedshiftSqlOperator(BaseOperator):
    """Runs one `xetl_sql` query on Redshift Serverless through the Data API and waits for it.

    `query` names the template (`xetl_sql/queries/<query>.sql`, itself templatable); `query_params` are templated and
    rendered into SQL by `xetl_tasks.sql.statements`, so the exact statements appear in the task's
    rendered fields ("Rendered Template") and in its log. Several statements go as one
    BatchExecuteStatement (one transaction). The wait polls in the worker: `execution_timeout`
    holds, and a timeout, a kill or any failure while waiting cancels the statement. Authenticates
    with the worker's IAM role (no secret). Calls `redshift-data:BatchExecuteStatement` or
    `ExecuteStatement`, `DescribeStatement`, and `CancelStatement` when it gives up.
    """

    # `sql` is listed so that the statements computed from the rendered parameters are stored with
    # the task's rendered fields; it is never a template itself (it starts empty).
    template_fields = ("sql", "query", "query_params", "database", "workgroup_name", "region_name", "statement_name")
    template_fields_renderers = {"sql": "sql"}

    def __init__(
        self,
        *,
        query: str,
        query_params: Mapping[str, Any],
        database: str,
        workgroup_name: str,
        region_name: str,
        statement_name: str,
        poll_interval: float = 5.0,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("execution_timeout", STATEMENT_WAIT)
        super().__init__(**kwargs)
        self.query = query
        self.query_params = dict(query_params)
        self.database = database
        self.workgroup_name = workgroup_name
        self.region_name = region_name
        self.statement_name = statement_name
        self.poll_interval = poll_interval
        self.sql: list[str] = []
        self._statement_id: str | None = None

    def render_template_fields(self, context: Context, jinja_env: Any = None) -> None:
        super().render_template_fields(context, jinja_env)
        # After the parameters are rendered: the statements themselves, validated by the renderer.
        self.sql = sql.statements(self.query, self.query_params)

    def _client(self) -> Any:
        from airflow.providers.amazon.aws.hooks.redshift_data import RedshiftDataHook

        return RedshiftDataHook(aws_conn_id=AWS_CONN_ID, region_name=self.region_name, config=BOTOCORE_CONFIG).conn

    def execute(self, context: Context) -> str:
        if not self.sql:
            self.sql = sql.statements(self.query, self.query_params)
        for statement in self.sql:
            self.log.info("SQL (%s):\n%s", self.query, statement)
        return run_statements(
            self._client(), self.sql, database=self.database, workgroup=self.workgroup_name,
            name=self.statement_name, poll_interval=self.poll_interval, on_submit=self._remember, log=self.log,
        )  # fmt: skip

    def _remember(self, statement_id: str) -> None:
        self._statement_id = statement_id

    def on_kill(self) -> None:
        if self._statement_id:
            cancel_statement(self._client(), self._statement_id, self.log)


def run_statements(
    client: Any,
    statements: list[str],
    *,
    database: str,
    workgroup: str,
    name: str,
    poll_interval: float = 5.0,
    on_submit: Any = None,
    log: Any = None,
) -> str:
    """Submit `statements` (one: ExecuteStatement; several: one BatchExecuteStatement, i.e. one
    transaction), wait until they finished, return the statement id. Any failure while waiting
    (including the task's timeout) cancels the statement before it propagates."""
    common = {"WorkgroupName": workgroup, "Database": database, "StatementName": name[:500]}
    if len(statements) == 1:
        statement_id = client.execute_statement(Sql=statements[0], **common)["Id"]
    else:
        statement_id = client.batch_execute_statement(Sqls=statements, **common)["Id"]
    if on_submit:
        on_submit(statement_id)
    try:
        while True:
            described = client.describe_statement(Id=statement_id)
            status = described["Status"]
            if status == "FINISHED":
                return statement_id
            if status in ("FAILED", "ABORTED"):
                error = described.get("Error") or status
                sub_errors = [s.get("Error") for s in described.get("SubStatements", []) if s.get("Error")]
                raise RuntimeError(f"statement {name} {status.lower()}: {'; '.join(sub_errors) or error}")
            time.sleep(poll_interval)
    except RuntimeError:
        raise
    except BaseException:
        cancel_statement(client, statement_id, log)
        raise


def cancel_statement(client: Any, statement_id: str, log: Any = None) -> None:
    try:
        client.cancel_statement(Id=statement_id)
        if log:
            log.warning("cancelled Redshift statement %s", statement_id)
    except Exception as err:  # already finished: nothing to cancel
        if log:
            log.info("statement %s not cancelled: %s", statement_id, err)


def read_manifest(s3_hook: Any, staging_bucket: str, partition: str) -> dict[str, Any]:
    """The Glue job's run manifest for the partition; a missing or unreadable one fails for good."""
    uri = manifest_uri(staging_bucket, partition)
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    if s3_hook.head_object(key, bucket) is None:
        raise _fail(f"run manifest not found at {uri}: the Glue job did not write one")
    try:
        manifest = json.loads(s3_hook.read_key(key, bucket))
    except json.JSONDecodeError as err:
        raise _fail(f"run manifest at {uri} is not JSON: {err}") from None
    if not isinstance(manifest, dict):
        raise _fail(f"run manifest at {uri} is not a JSON object")
    return manifest


# TaskFlow fills parameters named like context keys (run_id, params, ...) from the context; the
# task callables below take "dag_run_id" so that every input is an explicit, rendered template.


def check_manifest_task(*, partition: str, run_id: str, staging_bucket: str, region: str, max_quarantine_ratio: str) -> dict[str, Any]:
    """Body of `check_manifest`: fetch the run manifest and apply the manifest rules."""
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    manifest = read_manifest(S3Hook(aws_conn_id=AWS_CONN_ID, region_name=region, config=BOTOCORE_CONFIG), staging_bucket, partition)
    try:
        return check_manifest(partition, run_id, manifest, float(max_quarantine_ratio))
    except DataQualityError as err:
        # The data will not change by retrying: fail now, with every broken check in the message.
        raise _fail(str(err)) from err


def check_staged_task(
    *, partition: str, counts: Mapping[str, Any], database: str, workgroup: str, region: str
) -> dict[str, Any]:
    """Body of `check_data_quality`: the data-quality queries on the staged rows, then the rules."""
    from airflow.providers.amazon.aws.hooks.redshift_data import RedshiftDataHook

    client = RedshiftDataHook(aws_conn_id=AWS_CONN_ID, region_name=region, config=BOTOCORE_CONFIG).conn
    parameters = staged_check_parameters(partition, counts)
    rows: dict[str, dict[str, Any]] = {}
    for name in STAGED_CHECKS:
        [statement] = sql.statements(name, parameters[name])
        statement_id = run_statements(client, [statement], database=database, workgroup=workgroup, name=f"xetl_{name}_{partition}")
        result = statement_result_rows(client.get_statement_result(Id=statement_id))
        if len(result) != 1:
            raise _fail(f"{name} returned {len(result)} rows, expected 1")
        rows[name] = result[0]
    try:
        return check_staged(partition, counts, rows)
    except DataQualityError as err:
        raise _fail(str(err)) from err


def record_failure_task(
    *, partition: str, run_id: str, marker: str, error_message: str, database: str, workgroup: str, region: str
) -> None:
    """Write 'failed' into the audit table (xetl_sql/queries/record_run_failure.sql); best effort."""
    from airflow.providers.amazon.aws.hooks.redshift_data import RedshiftDataHook

    statements = sql.statements(
        "record_run_failure",
        {"partition": partition, "run_id": run_id, "marker": marker, "error_message": error_message},
    )
    client = RedshiftDataHook(aws_conn_id=AWS_CONN_ID, region_name=region, config=BOTOCORE_CONFIG).conn
    run_statements(client, statements, database=database, workgroup=workgroup, name=f"xetl_failed_{partition}")


class AwsRuntime(PipelineRuntime):
    """The pipeline on AWS: S3 (account A), Glue, Redshift Serverless Data API and SNS (account B)."""

    def template_macros(self) -> dict[str, Any]:
        return {**macros(), "xetl_marker_uri": sql.marker_uri}

    def wait_for_marker(self) -> BaseOperator:
        return MarkerSensor(
            task_id=TaskIds.WAIT_FOR_MARKER,
            bucket_name=var("source_bucket"),
            bucket_key=MARKER_KEY,
            deferrable=True,
            poke_interval=60,
            timeout_seconds=var("sensor_timeout_seconds"),
            **_aws_kwargs(),
        )

    def start_glue_crawler(self) -> BaseOperator:
        return StartGlueCrawlerOperator(
            task_id=TaskIds.START_GLUE_CRAWLER, crawler_name=var("glue_crawler"), region_name=var("region"),
            execution_timeout=timedelta(minutes=5),
        )  # fmt: skip

    def wait_for_glue_crawler(self) -> BaseOperator:
        return GlueCrawlDoneSensor(
            task_id=TaskIds.WAIT_FOR_GLUE_CRAWLER,
            crawler_name=var("glue_crawler"),
            region_name=var("region"),
            started_after="{{ ti.xcom_pull(task_ids='" + TaskIds.START_GLUE_CRAWLER + "') }}",
            mode="reschedule",
            poke_interval=30,
            timeout=CRAWLER_WAIT.total_seconds(),
        )

    def start_glue_job(self) -> BaseOperator:
        return GlueJobOperator(
            task_id=TaskIds.START_GLUE_JOB,
            job_name=var("glue_job"),
            script_args={
                "--partition": PARTITION,
                "--run_id": RUN_ID,
                "--source_uri": SOURCE_BASE_URI,
                "--staging_uri": "s3://" + var("staging_bucket") + "/",
            },
            wait_for_completion=False,
            execution_timeout=timedelta(minutes=5),
            **_aws_kwargs(),
        )

    def wait_for_glue_job(self) -> BaseOperator:
        return GlueJobRunSensor(
            task_id=TaskIds.WAIT_FOR_GLUE_JOB,
            job_name=var("glue_job"),
            run_id="{{ ti.xcom_pull(task_ids='" + TaskIds.START_GLUE_JOB + "') }}",
            deferrable=True,
            poke_interval=GLUE_JOB_POLL.total_seconds(),
            max_retries=int(GLUE_JOB_WAIT / GLUE_JOB_POLL),
            **_aws_kwargs(),
        )

    def check_manifest(self) -> BaseOperator:
        @task(task_id=TaskIds.CHECK_MANIFEST, execution_timeout=timedelta(minutes=10))
        def check_manifest(partition: str, dag_run_id: str, staging_bucket: str, region: str, max_ratio: str) -> dict[str, Any]:
            """Gate on the Glue job's run manifest: its counts, the partition not empty, the quarantine ratio."""
            return check_manifest_task(
                partition=partition, run_id=dag_run_id, staging_bucket=staging_bucket, region=region,
                max_quarantine_ratio=max_ratio,
            )  # fmt: skip

        return check_manifest(
            partition=PARTITION, dag_run_id=RUN_ID, staging_bucket=var("staging_bucket"), region=var("region"),
            max_ratio=var("max_quarantine_ratio"),
        ).operator  # fmt: skip

    def _sql(self, task_id: str, query: str, params: Mapping[str, str]) -> BaseOperator:
        return RedshiftSqlOperator(
            task_id=task_id,
            query=query,
            query_params=params,
            database=var("redshift_database"),
            workgroup_name=var("redshift_workgroup"),
            region_name=var("region"),
            statement_name=f"xetl_{task_id}_" + PARTITION,
        )

    def stage_partition(self) -> BaseOperator:
        return self._sql(TaskIds.STAGE_PARTITION, "stage_partition", {
            "partition": PARTITION, "staging_bucket": var("staging_bucket"), "copy_role_arn": var("redshift_copy_role_arn"),
        })  # fmt: skip

    def check_data_quality(self) -> BaseOperator:
        @task(task_id=TaskIds.CHECK_DATA_QUALITY, execution_timeout=timedelta(minutes=30))
        def check_data_quality(partition: str, database: str, workgroup: str, region: str) -> dict[str, Any]:
            """Check the staged rows: reconciliation with the manifest, unique keys, no required NULLs."""
            counts = get_current_context()["ti"].xcom_pull(task_ids=TaskIds.CHECK_MANIFEST)
            return check_staged_task(partition=partition, counts=counts, database=database, workgroup=workgroup, region=region)

        return check_data_quality(
            partition=PARTITION, database=var("redshift_database"), workgroup=var("redshift_workgroup"),
            region=var("region"),
        ).operator  # fmt: skip

    def publish_partition(self) -> BaseOperator:
        return self._sql(TaskIds.PUBLISH_PARTITION, "publish_partition", {
            "partition": PARTITION, "run_id": RUN_ID, "rows_read": MANIFEST_COUNT.format("rows_read"),
            "rows_quarantined": MANIFEST_COUNT.format("rows_quarantined"), "marker": RUN_MARKER,
        })  # fmt: skip

    def transform_with_dbt(self) -> TaskGroup:
        # Cosmos is imported here only: a DAG parse pays for it once, with the pre-built manifest.
        from xetl_tasks.dbt import DbtSettings, add_dbt_task_group

        return add_dbt_task_group(DbtSettings.from_env())

    def unload_to_target(self) -> BaseOperator:
        # Which table or mart is unloaded is the environment's choice (config airflow.unloadTemplate).
        return self._sql(TaskIds.UNLOAD_TO_TARGET, var("unload_template"), {
            "partition": PARTITION, "target_bucket": var("target_bucket"), "target_prefix": var("target_prefix"),
            "unload_role_chain": var("unload_role_chain"), "target_kms_key_arn": var("target_kms_key_arn"),
        })  # fmt: skip

    def publish_dbt_docs(self) -> BaseOperator:
        return publish_dbt_docs_task()

    def notify_success(self) -> BaseOperator:
        return notify_success_task()

    def notify_failure(self) -> BaseOperator:
        @task(task_id=TaskIds.NOTIFY_FAILURE, trigger_rule=ONE_FAILED, execution_timeout=timedelta(minutes=10))
        def notify_failure(
            partition: str, dag_run_id: str, marker: str, environment: str, topic_arn: str, region: str,
            database: str, workgroup: str, chat_topic_arn: str, airflow_url: str, staging_bucket: str,
        ) -> str:
            """Record the failure in the audit table, then publish 'run failed at <task>' to the SNS topic."""
            failed, blocked = failed_tasks(dag_run_id)
            if not partition.startswith("<"):
                try:
                    record_failure_task(
                        partition=partition, run_id=dag_run_id, marker=marker,
                        error_message=f"failed at {', '.join(failed) or 'an unknown task'}",
                        database=database, workgroup=workgroup, region=region,
                    )  # fmt: skip
                except Exception as err:  # the notice matters more than the audit row: send it regardless
                    get_current_context()["ti"].log.warning("could not record the failure in xetl.pipeline_runs: %s", err)
            return publish_failure(
                partition, dag_run_id, environment, topic_arn, region, failed, blocked, chat_topic_arn, airflow_url,
                staging_bucket,
            )

        return notify_failure(
            partition=PARTITION_OR_PROBLEM, dag_run_id=RUN_ID, marker=RUN_MARKER, environment=var("environment"),
            topic_arn=var("sns_topic_arn"), region=var("region"), database=var("redshift_database"),
            workgroup=var("redshift_workgroup"), **FAILURE_CHAT_ARGS,
        ).operator  # fmt: skip


# ---- the dbt docs site and the notifications (shared with other runtimes: plain functions) -------


def publish_dbt_docs_task() -> BaseOperator:
    """The `publish_dbt_docs` task: `dbt docs generate` (the settings of the dbt group, from the
    environment) and the site to `s3://<staging bucket>/dbt-docs/`, which `xetl docs` serves."""
    # Cosmos is imported here only, as for the group.
    from xetl_tasks.dbt import DbtSettings, add_dbt_docs_task

    return add_dbt_docs_task(DbtSettings.from_env(), bucket=var("staging_bucket"), prefix=DBT_DOCS_PREFIX, conn_id=AWS_CONN_ID)


# What the notices need to also tell the chat channels (empty chat_topic_arn: no chat channel).
CHAT_ARGS = {"chat_topic_arn": var("chat_topic_arn"), "airflow_url": var("airflow_url")}
# The failure notice also reads the run manifest when no check returned the counts.
FAILURE_CHAT_ARGS = {**CHAT_ARGS, "staging_bucket": var("staging_bucket")}


def notify_success_task() -> BaseOperator:
    """The `notify_success` task: 'partition published' with the data-quality counts, to SNS (and the chat topic)."""

    @task(task_id=TaskIds.NOTIFY_SUCCESS, execution_timeout=timedelta(minutes=5))
    def notify_success(
        partition: str, dag_run_id: str, environment: str, topic_arn: str, region: str, target_uri: str,
        chat_topic_arn: str, airflow_url: str,
    ) -> str:
        """Publish 'partition published' with the data-quality counts to the SNS topic, then to the chat topic."""
        ti = get_current_context()["ti"]
        # Pulled here, not passed as an argument: an XComArg would add a graph edge from the
        # quality check, and the graph is meant to stay one straight line.
        quality = ti.xcom_pull(task_ids=TaskIds.CHECK_DATA_QUALITY)
        subject, body = success_message(ti.dag_id, environment, partition, dag_run_id, target_uri, quality)
        message_id = _publish(topic_arn, region, subject, body, "success", partition, environment)
        _publish_chat(chat_topic_arn, region, chat_message(
            dag_id=ti.dag_id, environment=environment, partition=partition, run_id=dag_run_id, counts=quality,
            airflow_url=airflow_url, target_uri=target_uri,
        ))  # fmt: skip
        return message_id

    return notify_success(
        partition=PARTITION, dag_run_id=RUN_ID, environment=var("environment"), topic_arn=var("sns_topic_arn"),
        region=var("region"), target_uri=TARGET_URI, **CHAT_ARGS,
    ).operator  # fmt: skip


def failed_tasks(dag_run_id: str) -> tuple[list[str], list[str]]:
    """(failed, blocked) pipeline tasks of this run, as far as the task can see them."""
    ti = get_current_context()["ti"]
    try:
        states = ti.get_task_states(dag_id=ti.dag_id, run_ids=[dag_run_id]).get(dag_run_id, {})
    except Exception:  # the notice matters more than naming the task: send it regardless
        states = {}
    return failed_and_blocked(states, TaskIds.PIPELINE, TaskIds.NOTIFY_SUCCESS)


def _run_counts(ti: Any, staging_bucket: str, region: str, partition: str) -> dict[str, Any] | None:
    """The counts the run got to: the checks' (XCom), else the Glue job's manifest when there is one
    (the manifest gate itself failed), else None."""
    counts = ti.xcom_pull(task_ids=TaskIds.CHECK_DATA_QUALITY) or ti.xcom_pull(task_ids=TaskIds.CHECK_MANIFEST)
    if counts or partition.startswith("<"):
        return counts
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    try:
        return read_manifest(S3Hook(aws_conn_id=AWS_CONN_ID, region_name=region, config=BOTOCORE_CONFIG), staging_bucket, partition)
    except Exception:  # no manifest (the run stopped before the job wrote one): no counts
        return None


def publish_failure(
    partition: str, dag_run_id: str, environment: str, topic_arn: str, region: str, failed: list[str], blocked: list[str],
    chat_topic_arn: str = "", airflow_url: str = "", staging_bucket: str = "",
) -> str:
    """The failure notice to the SNS topic, then to the chat topic (with the counts the run got to)."""
    ti = get_current_context()["ti"]
    subject, body = failure_message(ti.dag_id, environment, partition, dag_run_id, failed, blocked)
    message_id = _publish(topic_arn, region, subject, body, "failure", partition, environment)
    if chat_topic_arn:
        counts = _run_counts(ti, staging_bucket, region, partition)
        _publish_chat(chat_topic_arn, region, chat_message(
            dag_id=ti.dag_id, environment=environment, partition=partition, run_id=dag_run_id, counts=counts,
            airflow_url=airflow_url, failed=failed or ["unknown task"], blocked=blocked,
        ))  # fmt: skip
    return message_id


def _publish_chat(chat_topic_arn: str, region: str, message: dict[str, Any]) -> str | None:
    """Publish the chat message (Chatbot's JSON, no subject) to the chat topic; nothing without one.

    After the e-mail notice went out: a failure here is logged, not raised, because a retry of the
    task would send that notice a second time.
    """
    if not chat_topic_arn:
        return None
    from airflow.providers.amazon.aws.hooks.sns import SnsHook

    try:
        hook = SnsHook(aws_conn_id=AWS_CONN_ID, region_name=region, config=BOTOCORE_CONFIG)
        return hook.publish_to_target(target_arn=chat_topic_arn, message=json.dumps(message, ensure_ascii=False))
    except Exception as err:
        get_current_context()["ti"].log.warning("the chat notice was not published to %s: %s", chat_topic_arn, err)
        return None


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
