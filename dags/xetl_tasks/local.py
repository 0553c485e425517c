"""LOCAL targets: the same task graph (ids, order, templates, variable) on one machine.

What each step runs on (docs/local-run.md):

| task | local engine | stands in for |
|---|---|---|
| wait_for_source_files | the AWS target's S3KeySensor (poke mode) against moto's S3 | the same, deferred on MWAA |
| run_glue_crawler | ``local_catalog``: CSV header + sample -> Glue table/partition in moto's Glue catalog | Glue crawler |
| run_glue_job | ``glue-scripts/xetl_products_job.py`` under local PySpark (glue venv), file:// in and out, then uploaded to moto's staging bucket | Glue job |
| load_warehouse_partition | the AWS target's DELETE + COPY + CALL, translated and run on PostgreSQL in one transaction | Redshift Data API batch |
| check_data_quality | the AWS target's metrics query on PostgreSQL + ``quality.assert_quality`` | same, on Redshift |
| unload_to_target | the AWS target's UNLOAD: its SELECT on PostgreSQL -> Parquet -> CLEANPATH + put (SSE-KMS) in moto's target bucket | Redshift UNLOAD |
| notify_success / notify_failure | inherited unchanged: SNS Publish, to moto | SNS |

Everything AWS is reached through the ``aws_default`` connection; the local run points it at the
emulator with ``extra.endpoint_url`` (``AIRFLOW_CONN_AWS_DEFAULT``), so no code here names an
endpoint and nothing can reach AWS unless the connection says so. PostgreSQL is reached through the
warehouse engine (``local_warehouse``), which runs in the tools venv.

Local failures are deterministic (bad data, a broken script), so these tasks do not retry: a retry
would only repeat the failure minutes later. They raise AirflowFailException with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow.sdk import task

from xetl_tasks import sql as xetl_sql
from xetl_tasks.aws import (
    AWS_CONN_ID,
    SOURCE_FILES_PATTERN,
    AwsTargets,
    PartitionFilesSensor,
    read_manifest,
)
from xetl_tasks.base import TaskIds
from xetl_tasks.local_catalog import register_partition
from xetl_tasks.local_warehouse import REPO_ROOT, WarehouseError, run_in_tools_venv
from xetl_tasks.partition import DATASET, partition_path
from xetl_tasks.quality import DataQualityError, assert_quality
from xetl_tasks.templates import PARTITION, RUN_ID, var

if TYPE_CHECKING:
    from airflow.sdk import BaseOperator

# Working directory of the local run (mirrors of S3 prefixes for the engines); the orchestrator
# sets it to .work/local under the repository.
WORK_ENV = "XETL_LOCAL_WORK"
GLUE_PYTHON_ENV = "XETL_GLUE_PYTHON"
GLUE_SCRIPT = REPO_ROOT / "glue-scripts" / "xetl_products_job.py"
STAGING_AREAS = ("curated", "quarantine", "manifests")
LOCAL_TASK_ARGS: dict[str, Any] = {"retries": 0}


def work_dir() -> Path:
    return Path(os.environ.get(WORK_ENV) or REPO_ROOT / ".work" / "local")


def glue_python() -> str:
    return os.environ.get(GLUE_PYTHON_ENV) or str(REPO_ROOT / ".venvs" / "glue" / "bin" / "python")


FAILURES_DIR = "failures"


def _fail(message: str) -> Exception:
    """AirflowFailException (no retry), and the message kept as a file for the run's summary:
    the task log is for people (colours, wrapping), the summary wants the exact text."""
    from airflow.exceptions import AirflowFailException

    try:
        from airflow.sdk import get_current_context

        ti = get_current_context()["ti"]
        folder = work_dir() / FAILURES_DIR / ti.run_id.replace(":", "_").replace("+", "_")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{ti.task_id}.txt").write_text(message, encoding="utf-8")
    except Exception:  # outside a task (unit tests): the exception alone carries the message
        pass
    return AirflowFailException(message)


def _s3(region: str) -> Any:
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    return S3Hook(aws_conn_id=AWS_CONN_ID, region_name=region).get_conn()


def list_keys(s3: Any, bucket: str, prefix: str) -> list[str]:
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.extend(obj["Key"] for obj in page.get("Contents", []))
    return sorted(keys)


def is_data_file(name: str) -> bool:
    """The contract: names starting with '_' or '.' (markers, checksums) are not data."""
    return not name.rsplit("/", 1)[-1].startswith(("_", "."))


def delete_prefix(s3: Any, bucket: str, prefix: str) -> int:
    """Remove every object under ``prefix`` (must end with '/', so day=2 never matches day=21)."""
    if not prefix.endswith("/"):
        raise ValueError(f"refusing to delete under a prefix without a trailing slash: {prefix!r}")
    keys = list_keys(s3, bucket, prefix)
    for start in range(0, len(keys), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys[start : start + 1000]]})
    return len(keys)


def download_prefix(s3: Any, bucket: str, prefix: str, dest: Path, data_only: bool = True) -> list[Path]:
    """Mirror one S3 prefix into an emptied local directory (same relative layout)."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    paths = []
    for key in list_keys(s3, bucket, prefix):
        if data_only and not is_data_file(key):
            continue
        path = dest / key[len(prefix) :]
        path.parent.mkdir(parents=True, exist_ok=True)
        s3.download_file(bucket, key, str(path))
        paths.append(path)
    return paths


def replace_prefix(s3: Any, bucket: str, prefix: str, source: Path, extra_args: dict[str, str] | None = None) -> list[str]:
    """Delete what ``prefix`` holds, then upload the data files of ``source`` under it."""
    delete_prefix(s3, bucket, prefix)
    keys = []
    if source.is_dir():
        for path in sorted(p for p in source.rglob("*") if p.is_file() and is_data_file(p.name)):
            key = prefix + path.relative_to(source).as_posix()
            s3.upload_file(str(path), bucket, key, ExtraArgs=extra_args or None)
            keys.append(key)
    return keys


# ---- task bodies (plain functions: the unit tests call them with moto in-process) ----------------


def run_glue_job_locally(
    *, partition: str, run_id: str, source_bucket: str, source_prefix: str, staging_bucket: str, region: str
) -> dict[str, Any]:
    """Mirror the partition's CSV files, run the Glue script under local PySpark, publish its outputs."""
    s3 = _s3(region)
    base = work_dir() / "glue" / partition
    # A fixed directory per partition, not a temp dir: the job records each row's source file, and
    # a re-run must write the same values (idempotence) - the path is part of the data.
    source_root = base / "source" / source_prefix
    source_part = partition_path(partition, source_prefix)
    hive = source_part.removeprefix(source_prefix + "/")  # year=YYYY/month=MM/day=DD/
    files = download_prefix(s3, source_bucket, source_part, source_root / hive)
    if not files:
        raise _fail(f"no data files under s3://{source_bucket}/{source_part}: nothing for the Glue job to read")
    staging_root = base / "staging"
    shutil.rmtree(staging_root, ignore_errors=True)
    staging_root.mkdir(parents=True)
    command = [
        glue_python(),
        str(GLUE_SCRIPT),
        "--partition", partition,
        "--run_id", run_id,
        "--source_uri", source_root.as_uri(),
        "--staging_uri", staging_root.as_uri() + "/",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(GLUE_SCRIPT.parent), "PYSPARK_PYTHON": glue_python()}
    log_file = base / "glue-job.log"
    with log_file.open("w") as log:
        proc = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, env=env, check=False)
    if proc.returncode != 0:
        tail = "\n".join(log_file.read_text(errors="replace").splitlines()[-15:])
        raise _fail(f"Glue job (local PySpark) failed with exit code {proc.returncode}; log {log_file}:\n{tail}")
    written: dict[str, int] = {}
    for area in STAGING_AREAS:
        rel = partition_path(partition, DATASET)
        written[area] = len(replace_prefix(s3, staging_bucket, f"{area}/{rel}", staging_root / area / rel))
    manifest = read_manifest(_S3HookAdapter(s3), staging_bucket, partition)
    return {"files_read": len(files), "objects_written": written, "manifest": manifest}


class _S3HookAdapter:
    """The two S3Hook methods ``aws.read_manifest`` uses, over a boto3 client."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def head_object(self, key: str, bucket: str) -> Any:
        try:
            return self.client.head_object(Bucket=bucket, Key=key)
        except self.client.exceptions.ClientError:
            return None

    def read_key(self, key: str, bucket: str) -> str:
        return self.client.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")


def load_partition_locally(
    *, partition: str, run_id: str, staging_bucket: str, copy_role_arn: str, region: str,
    marker: str | None = None, source_bucket: str | None = None,
) -> dict[str, Any]:
    """The AWS target's three load statements, as one transaction on PostgreSQL."""
    statements = [
        xetl_sql.delete_staging_partition(partition),
        xetl_sql.copy_curated_to_staging(staging_bucket, partition, copy_role_arn),
        xetl_sql.call_load_partition(partition, run_id, marker, source_bucket),
    ]
    curated_uri = xetl_sql.staging_uri(staging_bucket, "curated", partition)
    mirror = work_dir() / "warehouse" / partition / "curated"
    files = download_prefix(_s3(region), staging_bucket, curated_uri.removeprefix(f"s3://{staging_bucket}/"), mirror)
    try:
        response = run_in_tools_venv({"statements": statements, "copy_mirrors": {curated_uri: str(mirror)}})
    except WarehouseError as err:
        raise _fail(f"load of partition {partition} failed: {err}") from err
    copied = next(r["rowcount"] for r in response["results"] if r.get("kind") == "copy")
    notices = [r["notice"] for r in response["results"] if "notice" in r]
    return {"curated_files": len(files), "rows_copied": copied, "notices": notices}


def check_quality_locally(*, partition: str, run_id: str, staging_bucket: str, region: str) -> dict[str, Any]:
    """The AWS target's quality gate: manifest from the staging bucket, metrics from the warehouse."""
    manifest = read_manifest(_S3HookAdapter(_s3(region)), staging_bucket, partition)
    try:
        response = run_in_tools_venv({"statements": [xetl_sql.quality_metrics(partition, run_id)]})
    except WarehouseError as err:
        raise _fail(f"quality metrics query failed: {err}") from err
    rows = response["results"][-1].get("rows") or []
    if len(rows) != 1:
        raise _fail(f"quality metrics query returned {len(rows)} rows, expected 1")
    metrics = rows[0]
    try:
        return assert_quality(partition, run_id, manifest, metrics)
    except DataQualityError as err:
        raise _fail(str(err)) from err


def unload_locally(
    *,
    partition: str,
    target_bucket: str,
    target_prefix: str,
    unload_role_chain: str,
    kms_key_arn: str,
    region: str,
) -> dict[str, Any]:
    """The AWS target's UNLOAD: SELECT on PostgreSQL -> Parquet; CLEANPATH; SSE-KMS put to the target."""
    statement = xetl_sql.unload_partition(target_bucket, target_prefix, partition, unload_role_chain, kms_key_arn)
    out = work_dir() / "unload" / partition
    shutil.rmtree(out, ignore_errors=True)
    try:
        response = run_in_tools_venv({"statements": [statement], "unload_dir": str(out)})
    except WarehouseError as err:
        raise _fail(f"unload of partition {partition} failed: {err}") from err
    result = response["results"][-1]
    bucket, _, prefix = result["target_uri"].removeprefix("s3://").partition("/")
    if "CLEANPATH" not in result["options"].upper():
        raise _fail("the UNLOAD statement lost CLEANPATH; the target prefix would keep stale files")
    keys = replace_prefix(
        _s3(region), bucket, prefix, out, {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_arn}
    )
    return {"rows_unloaded": result["rowcount"], "files": [f"s3://{bucket}/{k}" for k in keys]}


class LocalTargets(AwsTargets):
    """The pipeline on one machine: moto (S3, Glue catalog, SNS), local PySpark, PostgreSQL.

    Inherits the AWS target's templates, sensor class and notifications; replaces the steps that
    need Glue or Redshift with local engines driven by the same SQL and the same job script.
    """

    name = "local"

    def wait_for_source_files(self) -> BaseOperator:
        # Poke mode: `airflow dags test` runs no triggerer; a local wait is seconds, not hours.
        return PartitionFilesSensor(
            task_id=TaskIds.WAIT_FOR_SOURCE_FILES,
            bucket_name=var("source_bucket"),
            bucket_key=SOURCE_FILES_PATTERN,
            wildcard_match=True,
            deferrable=False,
            mode="poke",
            poke_interval=2,
            timeout_seconds=var("sensor_timeout_seconds"),
            aws_conn_id=AWS_CONN_ID,
            region_name=var("region"),
            **LOCAL_TASK_ARGS,
        )

    def run_glue_crawler(self) -> BaseOperator:
        @task(task_id=TaskIds.RUN_GLUE_CRAWLER, execution_timeout=timedelta(minutes=10), **LOCAL_TASK_ARGS)
        def run_glue_crawler(
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

        return run_glue_crawler(
            partition=PARTITION,
            source_bucket=var("source_bucket"),
            source_prefix=var("source_prefix"),
            database=var("glue_database"),
            crawler=var("glue_crawler"),
            region=var("region"),
        ).operator

    def run_glue_job(self) -> BaseOperator:
        @task(task_id=TaskIds.RUN_GLUE_JOB, execution_timeout=timedelta(hours=1), **LOCAL_TASK_ARGS)
        def run_glue_job(
            partition: str, dag_run_id: str, source_bucket: str, source_prefix: str, staging_bucket: str, region: str
        ) -> dict[str, Any]:
            """Run glue-scripts/xetl_products_job.py under local PySpark for the partition."""
            return run_glue_job_locally(
                partition=partition, run_id=dag_run_id, source_bucket=source_bucket,
                source_prefix=source_prefix, staging_bucket=staging_bucket, region=region,
            )  # fmt: skip

        return run_glue_job(
            partition=PARTITION,
            dag_run_id=RUN_ID,
            source_bucket=var("source_bucket"),
            source_prefix=var("source_prefix"),
            staging_bucket=var("staging_bucket"),
            region=var("region"),
        ).operator

    def load_warehouse_partition(self) -> BaseOperator:
        @task(task_id=TaskIds.LOAD_WAREHOUSE_PARTITION, execution_timeout=timedelta(hours=1), **LOCAL_TASK_ARGS)
        def load_warehouse_partition(
            partition: str, dag_run_id: str, staging_bucket: str, copy_role_arn: str, region: str,
            marker: str, source_bucket: str,
        ) -> dict[str, Any]:
            """DELETE staging partition + COPY curated Parquet + CALL the procedure, one transaction."""
            return load_partition_locally(
                partition=partition, run_id=dag_run_id, staging_bucket=staging_bucket,
                copy_role_arn=copy_role_arn, region=region, marker=marker or None, source_bucket=source_bucket,
            )  # fmt: skip

        return load_warehouse_partition(
            partition=PARTITION,
            dag_run_id=RUN_ID,
            staging_bucket=var("staging_bucket"),
            copy_role_arn=var("redshift_copy_role_arn"),
            region=var("region"),
            # The event trigger's marker (conf.marker overrides the param), for the audit row as on AWS.
            marker="{{ params.marker or '' }}",
            source_bucket=var("source_bucket"),
        ).operator

    def check_data_quality(self) -> BaseOperator:
        @task(task_id=TaskIds.CHECK_DATA_QUALITY, execution_timeout=timedelta(minutes=30), **LOCAL_TASK_ARGS)
        def check_data_quality(partition: str, dag_run_id: str, staging_bucket: str, region: str) -> dict[str, Any]:
            """Reconcile the loaded partition with the Glue job's manifest; check keys and nulls."""
            return check_quality_locally(
                partition=partition, run_id=dag_run_id, staging_bucket=staging_bucket, region=region
            )

        return check_data_quality(
            partition=PARTITION, dag_run_id=RUN_ID, staging_bucket=var("staging_bucket"), region=var("region")
        ).operator

    def unload_to_target(self) -> BaseOperator:
        @task(task_id=TaskIds.UNLOAD_TO_TARGET, execution_timeout=timedelta(hours=1), **LOCAL_TASK_ARGS)
        def unload_to_target(
            partition: str, target_bucket: str, target_prefix: str, role_chain: str, kms_key_arn: str, region: str
        ) -> dict[str, Any]:
            """Write the published partition as Parquet to the target prefix, replacing it."""
            return unload_locally(
                partition=partition, target_bucket=target_bucket, target_prefix=target_prefix,
                unload_role_chain=role_chain, kms_key_arn=kms_key_arn, region=region,
            )  # fmt: skip

        return unload_to_target(
            partition=PARTITION,
            target_bucket=var("target_bucket"),
            target_prefix=var("target_prefix"),
            role_chain=var("unload_role_chain"),
            kms_key_arn=var("target_kms_key_arn"),
            region=var("region"),
        ).operator
