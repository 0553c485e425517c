"""The local runtime: the DAG's task graph (ids, order, templates, variable, SQL) on one machine.

Selected with `XETL_RUNTIME=xetl_local.runtime:LocalRuntime` (the local run sets it); it lives
here, with the local runner, so nothing of it is imported or uploaded on MWAA. It implements the
same `PipelineRuntime` interface as `xetl_tasks.aws.AwsRuntime`, step for step:

| task | local engine | stands in for |
|---|---|---|
| wait_for_marker | the AWS runtime's `MarkerSensor` (poke mode) against moto's S3 | the same, deferred |
| start/wait_for_glue_crawler | `catalog.register_partition`: CSV header -> Glue table/partition in moto; the wait proves the partition is registered | Glue crawler |
| start/wait_for_glue_job | `glue-scripts/xetl_products_job.py` under local PySpark (glue venv), outputs to moto's staging bucket; the wait proves the manifest is there | Glue job |
| check_manifest | the AWS runtime's own task body (S3 hook against moto) | same |
| stage_partition, check_data_quality, publish_partition, unload_to_target | the same `xetl_sql` statements, on PostgreSQL through `xetl_sql_tools.warehouse` (COPY from a local mirror of the staging prefix; UNLOAD to Parquet, then CLEANPATH + put in moto's target bucket) | Redshift Data API |
| publish_dbt_docs | the AWS runtime's task (`dbt docs generate` on PostgreSQL), the site into moto's staging bucket | the same, on Redshift |
| notify_success / notify_failure | the AWS runtime's notification bodies and chat message, SNS in moto; the failure is recorded on PostgreSQL | SNS, Redshift |

Everything AWS is reached through the `aws_default` connection; the local run points it at the
emulator with `extra.endpoint_url`, so no code here names an endpoint. Local failures are
deterministic (bad data, a broken script), so these tasks do not retry; they raise
AirflowFailException with the reason, and keep it as a file for the run's summary.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from airflow.sdk import get_current_context, task
from xetl_tasks import sql
from xetl_tasks.aws import (
    AWS_CONN_ID,
    FAILURE_CHAT_ARGS,
    MARKER_KEY,
    ONE_FAILED,
    RUN_MARKER,
    MarkerSensor,
    check_manifest_task,
    failed_tasks,
    notify_success_task,
    publish_dbt_docs_task,
    publish_failure,
)
from xetl_tasks.partition import DATASET, STAGING_AREAS, manifest_uri, partition_path, staging_uri
from xetl_tasks.quality import STAGED_CHECKS, DataQualityError, check_staged, staged_check_parameters
from xetl_tasks.runtime import PipelineRuntime, TaskIds
from xetl_tasks.templates import PARTITION, PARTITION_OR_PROBLEM, RUN_ID, macros, var

from xetl_local.catalog import register_partition
from xetl_local.files import (
    download_prefix,
    failure_file,
    glue_python,
    list_keys,
    replace_prefix,
    work_dir,
)
from xetl_local.warehouse import REPO_ROOT, WarehouseError, run_statements

if TYPE_CHECKING:
    from airflow.sdk import BaseOperator, TaskGroup

GLUE_SCRIPT = REPO_ROOT / "glue-scripts" / "xetl_products_job.py"
# How the Glue script starts the one line that says why it failed (its SystemExit messages).
GLUE_FAILURE_PREFIX = "xetl-products failed:"
LOCAL_TASK_ARGS: dict[str, Any] = {"retries": 0}


def _fail(message: str) -> Exception:
    """AirflowFailException (no retry), and the message kept as a file for the run's summary: the
    task log is for people (colours, wrapping), the summary wants the exact text."""
    from airflow.exceptions import AirflowFailException

    try:
        ti = get_current_context()["ti"]
        path = failure_file(ti.run_id, ti.task_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(message, encoding="utf-8")
    except Exception:  # outside a task (unit tests): the exception alone carries the message
        pass
    return AirflowFailException(message)


def _s3(region: str) -> Any:
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    return S3Hook(aws_conn_id=AWS_CONN_ID, region_name=region).get_conn()


# ---- task bodies (plain functions: the tests call them against moto and PostgreSQL) ---------------


def run_glue_job_locally(
    *, partition: str, run_id: str, source_bucket: str, source_prefix: str, staging_bucket: str, region: str
) -> dict[str, Any]:
    """Mirror the partition's CSV files, run the Glue script under local PySpark, publish its outputs."""
    s3 = _s3(region)
    base = work_dir() / "glue" / partition
    # A fixed directory per partition, not a temp dir: the job records each row's source file, and
    # a re-run must write the same values (idempotence): the path is part of the data.
    source_root = base / "source" / source_prefix
    source_part = partition_path(partition, source_prefix)
    hive = source_part.removeprefix(source_prefix + "/")  # year=YYYY/month=MM/day=DD/
    files = download_prefix(s3, source_bucket, source_part, source_root / hive)
    staging_root = base / "staging"
    shutil.rmtree(staging_root, ignore_errors=True)
    staging_root.mkdir(parents=True)
    command = [
        glue_python(), str(GLUE_SCRIPT),
        "--partition", partition, "--run_id", run_id,
        "--source_uri", source_root.as_uri(), "--staging_uri", staging_root.as_uri() + "/",
    ]  # fmt: skip
    log_file = base / "glue-job.log"
    with log_file.open("w") as log:
        proc = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYSPARK_PYTHON": glue_python()}, check=False)
    rel = partition_path(partition, DATASET)
    # Whatever the job wrote (nothing, when it failed) replaces the partition's staging prefixes:
    # a stale manifest of an earlier run must never pass for this one's.
    written = {area: len(replace_prefix(s3, staging_bucket, f"{area}/{rel}", staging_root / area / rel)) for area in STAGING_AREAS}
    if proc.returncode != 0:
        lines = log_file.read_text(errors="replace").splitlines()
        # The job ends a failure with one line saying why (SystemExit in xetl_products_job.py);
        # Spark's shutdown noise follows it, so that line, not the log's tail, is the reason.
        reason = [line for line in lines if line.startswith(GLUE_FAILURE_PREFIX)]
        detail = reason[-1] if reason else "\n".join(lines[-15:])
        raise _fail(f"Glue job (local PySpark) failed with exit code {proc.returncode}: {detail} (log {log_file})")
    return {"files_read": len(files), "objects_written": written}


def _dq_rows(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    rows = [r.get("rows") for r in results if r.get("kind") == "sql"]
    if len(rows) != len(STAGED_CHECKS) or any(not r or len(r) != 1 for r in rows):
        raise _fail(f"the data-quality queries returned {rows!r}, expected one row each")
    return {name: r[0] for name, r in zip(STAGED_CHECKS, rows, strict=True)}


def _warehouse(statements: list[str], what: str, **kwargs: Any) -> list[dict[str, Any]]:
    try:
        return run_statements(statements, **kwargs)
    except WarehouseError as err:
        raise _fail(f"{what} failed: {err}") from err


class LocalRuntime(PipelineRuntime):
    """The pipeline on one machine: moto (S3, Glue catalog, SNS), local PySpark, PostgreSQL."""

    def template_macros(self) -> dict[str, Any]:
        return {**macros(), "xetl_marker_uri": sql.marker_uri}

    def wait_for_marker(self) -> BaseOperator:
        # Poke mode: `airflow dags test` runs no triggerer; a local wait is seconds, not hours.
        return MarkerSensor(
            task_id=TaskIds.WAIT_FOR_MARKER, bucket_name=var("source_bucket"), bucket_key=MARKER_KEY,
            deferrable=False, mode="poke", poke_interval=2, timeout_seconds=var("sensor_timeout_seconds"),
            aws_conn_id=AWS_CONN_ID, region_name=var("region"), **LOCAL_TASK_ARGS,
        )  # fmt: skip

    def start_glue_crawler(self) -> BaseOperator:
        @task(task_id=TaskIds.START_GLUE_CRAWLER, execution_timeout=timedelta(minutes=10), **LOCAL_TASK_ARGS)
        def start_glue_crawler(
            partition: str, source_bucket: str, source_prefix: str, database: str, crawler: str, region: str
        ) -> dict[str, Any]:
            """Infer the table from the CSV header and register table + partition in the catalog."""
            from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook

            glue = AwsBaseHook(aws_conn_id=AWS_CONN_ID, client_type="glue", region_name=region).get_conn()
            try:
                return register_partition(
                    _s3(region), glue, partition=partition, bucket=source_bucket, prefix=source_prefix,
                    database=database, crawler=crawler,
                )  # fmt: skip
            except ValueError as err:
                raise _fail(str(err)) from err

        return start_glue_crawler(
            partition=PARTITION, source_bucket=var("source_bucket"), source_prefix=var("source_prefix"),
            database=var("glue_database"), crawler=var("glue_crawler"), region=var("region"),
        ).operator  # fmt: skip

    def wait_for_glue_crawler(self) -> BaseOperator:
        @task(task_id=TaskIds.WAIT_FOR_GLUE_CRAWLER, execution_timeout=timedelta(minutes=5), **LOCAL_TASK_ARGS)
        def wait_for_glue_crawler(partition: str, database: str, region: str) -> str:
            """Prove the crawl's result: the partition is in the catalog."""
            from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook

            glue = AwsBaseHook(aws_conn_id=AWS_CONN_ID, client_type="glue", region_name=region).get_conn()
            values = partition.split("-")
            tables = glue.get_tables(DatabaseName=database)["TableList"]
            for table in tables:
                try:
                    glue.get_partition(DatabaseName=database, TableName=table["Name"], PartitionValues=values)
                    return table["Name"]
                except glue.exceptions.EntityNotFoundException:
                    continue
            raise _fail(f"no table of {database} has partition {values} after the crawl")

        return wait_for_glue_crawler(partition=PARTITION, database=var("glue_database"), region=var("region")).operator

    def start_glue_job(self) -> BaseOperator:
        @task(task_id=TaskIds.START_GLUE_JOB, execution_timeout=timedelta(hours=1), **LOCAL_TASK_ARGS)
        def start_glue_job(
            partition: str, dag_run_id: str, source_bucket: str, source_prefix: str, staging_bucket: str, region: str
        ) -> dict[str, Any]:
            """Run glue-scripts/xetl_products_job.py under local PySpark for the partition (to completion)."""
            return run_glue_job_locally(
                partition=partition, run_id=dag_run_id, source_bucket=source_bucket,
                source_prefix=source_prefix, staging_bucket=staging_bucket, region=region,
            )  # fmt: skip

        return start_glue_job(
            partition=PARTITION, dag_run_id=RUN_ID, source_bucket=var("source_bucket"),
            source_prefix=var("source_prefix"), staging_bucket=var("staging_bucket"), region=var("region"),
        ).operator  # fmt: skip

    def wait_for_glue_job(self) -> BaseOperator:
        @task(task_id=TaskIds.WAIT_FOR_GLUE_JOB, execution_timeout=timedelta(minutes=5), **LOCAL_TASK_ARGS)
        def wait_for_glue_job(partition: str, staging_bucket: str, region: str) -> str:
            """Prove the job's result: its run manifest (written last) is in the staging bucket."""
            uri = manifest_uri(staging_bucket, partition)
            key = uri.removeprefix(f"s3://{staging_bucket}/")
            if key not in list_keys(_s3(region), staging_bucket, key):
                raise _fail(f"the Glue job wrote no run manifest at {uri}")
            return uri

        return wait_for_glue_job(partition=PARTITION, staging_bucket=var("staging_bucket"), region=var("region")).operator

    def check_manifest(self) -> BaseOperator:
        @task(task_id=TaskIds.CHECK_MANIFEST, execution_timeout=timedelta(minutes=10), **LOCAL_TASK_ARGS)
        def check_manifest(partition: str, dag_run_id: str, staging_bucket: str, region: str, max_ratio: str) -> dict[str, Any]:
            """Gate on the Glue job's run manifest: its counts, the partition not empty, the quarantine ratio."""
            try:
                return check_manifest_task(
                    partition=partition, run_id=dag_run_id, staging_bucket=staging_bucket, region=region,
                    max_quarantine_ratio=max_ratio,
                )  # fmt: skip
            except Exception as err:
                raise _fail(str(err)) from err

        return check_manifest(
            partition=PARTITION, dag_run_id=RUN_ID, staging_bucket=var("staging_bucket"), region=var("region"),
            max_ratio=var("max_quarantine_ratio"),
        ).operator  # fmt: skip

    def stage_partition(self) -> BaseOperator:
        @task(task_id=TaskIds.STAGE_PARTITION, execution_timeout=timedelta(hours=1), **LOCAL_TASK_ARGS)
        def stage_partition(partition: str, staging_bucket: str, copy_role_arn: str, region: str) -> dict[str, Any]:
            """DELETE + COPY into xetl.products_staging, one transaction (COPY reads a local mirror)."""
            statements = sql.statements("stage_partition", {
                "partition": partition, "staging_bucket": staging_bucket, "copy_role_arn": copy_role_arn,
            })  # fmt: skip
            curated = staging_uri(staging_bucket, "curated", partition)
            mirror = work_dir() / "warehouse" / partition / "curated"
            files = download_prefix(_s3(region), staging_bucket, curated.removeprefix(f"s3://{staging_bucket}/"), mirror)
            results = _warehouse(statements, f"staging partition {partition}", copy_mirrors={curated: str(mirror)})
            copied = next(r["rowcount"] for r in results if r.get("kind") == "copy")
            return {"curated_files": len(files), "rows_staged": copied}

        return stage_partition(
            partition=PARTITION, staging_bucket=var("staging_bucket"), copy_role_arn=var("redshift_copy_role_arn"),
            region=var("region"),
        ).operator  # fmt: skip

    def check_data_quality(self) -> BaseOperator:
        @task(task_id=TaskIds.CHECK_DATA_QUALITY, execution_timeout=timedelta(minutes=30), **LOCAL_TASK_ARGS)
        def check_data_quality(partition: str) -> dict[str, Any]:
            """Check the staged rows: reconciliation with the manifest, unique keys, no required NULLs."""
            counts = get_current_context()["ti"].xcom_pull(task_ids=TaskIds.CHECK_MANIFEST)
            parameters = staged_check_parameters(partition, counts)
            statements = [s for name in STAGED_CHECKS for s in sql.statements(name, parameters[name])]
            rows = _dq_rows(_warehouse(statements, "the data-quality queries"))
            try:
                return check_staged(partition, counts, rows)
            except DataQualityError as err:
                raise _fail(str(err)) from err

        return check_data_quality(partition=PARTITION).operator

    def publish_partition(self) -> BaseOperator:
        @task(task_id=TaskIds.PUBLISH_PARTITION, execution_timeout=timedelta(hours=1), **LOCAL_TASK_ARGS)
        def publish_partition(partition: str, dag_run_id: str, marker: str) -> dict[str, Any]:
            """CALL xetl.sp_load_products_partition: replace the partition and write the audit row."""
            counts: Mapping[str, Any] = get_current_context()["ti"].xcom_pull(task_ids=TaskIds.CHECK_MANIFEST)
            statements = sql.statements("publish_partition", {
                "partition": partition, "run_id": dag_run_id, "rows_read": counts["rows_read"],
                "rows_quarantined": counts["rows_quarantined"], "marker": marker,
            })  # fmt: skip
            results = _warehouse(statements, f"publishing partition {partition}")
            return {"notices": [r["notice"] for r in results if "notice" in r]}

        return publish_partition(partition=PARTITION, dag_run_id=RUN_ID, marker=RUN_MARKER).operator

    def transform_with_dbt(self) -> TaskGroup:
        """The same dbt models and task group, on the local PostgreSQL (the settings' environment
        variables, set by the local run, point it at the packaged project and the dbt venv)."""
        from xetl_tasks.dbt import DbtSettings, add_dbt_task_group

        return add_dbt_task_group(DbtSettings.from_env())

    def unload_to_target(self) -> BaseOperator:
        @task(task_id=TaskIds.UNLOAD_TO_TARGET, execution_timeout=timedelta(hours=1), **LOCAL_TASK_ARGS)
        def unload_to_target(
            partition: str, template: str, target_bucket: str, target_prefix: str, role_chain: str, kms_key_arn: str,
            region: str,
        ) -> dict[str, Any]:
            """UNLOAD: the SELECT on PostgreSQL -> Parquet; CLEANPATH; SSE-KMS put to the target prefix."""
            statements = sql.statements(template, {
                "partition": partition, "target_bucket": target_bucket, "target_prefix": target_prefix,
                "unload_role_chain": role_chain, "target_kms_key_arn": kms_key_arn,
            })  # fmt: skip
            out = work_dir() / "unload" / partition
            shutil.rmtree(out, ignore_errors=True)
            [result] = [r for r in _warehouse(statements, f"unload of partition {partition}", unload_dir=str(out)) if r.get("kind") == "unload"]
            if "CLEANPATH" not in result["options"].upper():
                raise _fail("the UNLOAD statement lost CLEANPATH; the target prefix would keep stale files")
            bucket, _, prefix = result["target_uri"].removeprefix("s3://").partition("/")
            # UNLOAD's target ends with the file-name prefix ("…/day=DD/part_"); CLEANPATH cleans its folder.
            folder = prefix.rsplit("/", 1)[0] + "/"
            keys = replace_prefix(_s3(region), bucket, folder, out, {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_arn})
            return {"rows_unloaded": result["rowcount"], "files": [f"s3://{bucket}/{k}" for k in keys]}

        return unload_to_target(
            partition=PARTITION, template=var("unload_template"), target_bucket=var("target_bucket"), target_prefix=var("target_prefix"),
            role_chain=var("unload_role_chain"), kms_key_arn=var("target_kms_key_arn"), region=var("region"),
        ).operator  # fmt: skip

    def publish_dbt_docs(self) -> BaseOperator:
        # The same task: the aws_default connection points S3 at the emulator, the settings at PostgreSQL.
        return publish_dbt_docs_task()

    def notify_success(self) -> BaseOperator:
        return notify_success_task()

    def notify_failure(self) -> BaseOperator:
        @task(task_id=TaskIds.NOTIFY_FAILURE, trigger_rule=ONE_FAILED, execution_timeout=timedelta(minutes=5), **LOCAL_TASK_ARGS)
        def notify_failure(
            partition: str, dag_run_id: str, marker: str, environment: str, topic_arn: str, region: str,
            chat_topic_arn: str, airflow_url: str, staging_bucket: str,
        ) -> str:
            """Record the failure in the audit table (PostgreSQL), then publish it to the SNS topic (moto)."""
            failed, blocked = failed_tasks(dag_run_id)
            if not partition.startswith("<"):
                statements = sql.statements("record_run_failure", {
                    "partition": partition, "run_id": dag_run_id, "marker": marker,
                    "error_message": f"failed at {', '.join(failed) or 'an unknown task'}",
                })  # fmt: skip
                try:
                    run_statements(statements)
                except WarehouseError as err:
                    get_current_context()["ti"].log.warning("could not record the failure: %s", err)
            return publish_failure(
                partition, dag_run_id, environment, topic_arn, region, failed, blocked, chat_topic_arn, airflow_url,
                staging_bucket,
            )

        return notify_failure(
            partition=PARTITION_OR_PROBLEM, dag_run_id=RUN_ID, marker=RUN_MARKER, environment=var("environment"),
            topic_arn=var("sns_topic_arn"), region=var("region"), **FAILURE_CHAT_ARGS,
        ).operator  # fmt: skip
