"""Every SQL statement the DAG sends to Redshift, as pure functions of plain values.

This is the one place that writes SQL text for the pipeline: load (DELETE + COPY + CALL), the
data-quality metrics query and the UNLOAD. The AWS targets call these functions at template-render
time (they are exposed to Jinja as ``xetl_sql``), so the Airflow UI's "Rendered Template" tab shows
the exact statements a run sent. When ``sql/xetl_sql`` (the shared renderer) lands, these bodies
become calls into it and nothing else in dags/ changes.

Inputs are validated before they reach a literal: names come from an Airflow variable and run ids
from triggers, and a quote in either must fail loudly rather than change a statement.
"""

from __future__ import annotations

import re

from xetl_tasks.partition import DATASET, partition_path, validate_partition

SCHEMA = "xetl"
STAGING_TABLE = f"{SCHEMA}.products_staging"
PUBLISHED_TABLE = f"{SCHEMA}.products"
LOAD_PROCEDURE = f"{SCHEMA}.sp_load_products_partition"

# The published columns in contract order; UNLOAD names them instead of SELECT * so that a column
# added to the table later does not silently change the target bucket's files.
PUBLISHED_COLUMNS = (
    "product_id",
    "product_name",
    "category",
    "price",
    "quantity",
    "updated_at",
    "source_file",
    "partition_date",
    "run_id",
    "loaded_at",
)
# Required by the contract (category is the only optional source column).
REQUIRED_COLUMNS = ("product_id", "product_name", "price", "quantity", "updated_at")

_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$")
_KMS_ARN_RE = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/[A-Za-z0-9/_-]+$")
# Airflow's default allowed run id pattern (scheduler.allowed_run_id_pattern) plus what its own
# generated ids contain; the procedure's run_id column is varchar(256).
_RUN_ID_RE = re.compile(r"^[A-Za-z0-9_.~:+-]{1,256}$")
# The object that triggered the run, as the audit table stores it (pipeline_runs.marker varchar(1100)).
_MARKER_URI_RE = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[A-Za-z0-9!_.*()=/-]{1,1024}$")


def _check(pattern: re.Pattern[str], value: object, what: str) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ValueError(f"{what} {value!r} is not valid for use in SQL")
    return value


def literal(value: str) -> str:
    """A SQL string literal; single quotes doubled (the only escape standard SQL needs)."""
    if "\\" in value or "\x00" in value:
        # Redshift reads backslashes in literals as escapes: nothing in this pipeline needs one.
        raise ValueError(f"refusing a backslash or NUL in a SQL literal: {value!r}")
    return "'" + value.replace("'", "''") + "'"


def bucket_name(value: str) -> str:
    return _check(_BUCKET_RE, value, "S3 bucket name")


def role_chain(value: str) -> str:
    """One role ARN, or a comma-separated chain (B's role, then A's) for cross-account access."""
    roles = value.split(",") if isinstance(value, str) else [value]
    for role in roles:
        _check(_ROLE_ARN_RE, role, "IAM role ARN")
    return value


def run_id(value: str) -> str:
    return _check(_RUN_ID_RE, value, "Airflow run id")


def staging_uri(staging_bucket: str, area: str, partition: str) -> str:
    """``s3://<staging>/<area>/products/year=…/month=…/day=…/`` (area: curated, quarantine, manifests)."""
    if area not in ("curated", "quarantine", "manifests"):
        raise ValueError(f"unknown staging area {area!r}")
    return f"s3://{bucket_name(staging_bucket)}/{area}/{partition_path(partition, DATASET)}"


def delete_staging_partition(partition: str) -> str:
    """Empty the staging table's slice for this partition so the COPY that follows is the only data."""
    return f"DELETE FROM {STAGING_TABLE} WHERE partition_date = {literal(validate_partition(partition))}"


def copy_curated_to_staging(staging_bucket: str, partition: str, copy_role_arn: str) -> str:
    """COPY the Glue job's curated Parquet for one partition into the staging table."""
    return (
        f"COPY {STAGING_TABLE} "
        f"FROM {literal(staging_uri(staging_bucket, 'curated', partition))} "
        f"IAM_ROLE {literal(role_chain(copy_role_arn))} "
        "FORMAT AS PARQUET"
    )


def marker_uri(marker: object, source_bucket: str | None = None) -> str | None:
    """The run's marker as an s3:// URI, or None: the event trigger sends ``s3://<bucket>/<key>``;
    a bare key (a person's conf) is read in the source bucket; empty/None means no marker."""
    if marker is None or marker == "":
        return None
    if isinstance(marker, str) and not marker.startswith("s3://") and source_bucket:
        marker = f"s3://{bucket_name(source_bucket)}/{marker.lstrip('/')}"
    return _check(_MARKER_URI_RE, marker, "marker s3:// URI")


def call_load_partition(partition: str, dag_run_id: str, marker: object = None, source_bucket: str | None = None) -> str:
    """Replace the partition in xetl.products from staging and write the audit row (the procedure).

    The DAG runs DELETE, COPY and this CALL as one Data API batch, i.e. one transaction, so the
    procedure must not COMMIT or TRUNCATE itself. With a marker (an event-triggered run), the
    5-argument form records it in the audit row (manifest counts NULL: the procedure then skips
    the reconciliation it does when counts are given).
    """
    part, rid = literal(validate_partition(partition)), literal(run_id(dag_run_id))
    uri = marker_uri(marker, source_bucket)
    if uri is None:
        return f"CALL {LOAD_PROCEDURE}({part}, {rid})"
    return f"CALL {LOAD_PROCEDURE}({part}, {rid}, NULL, NULL, {literal(uri)})"


def quality_metrics(partition: str, dag_run_id: str) -> str:
    """One row of counts about the published partition, read by the data-quality check.

    ``duplicate_keys`` counts surplus rows (non-null keys minus distinct keys); ``rows_other_runs``
    counts rows the procedure did not write in this run (the partition was not fully replaced).
    """
    part = literal(validate_partition(partition))
    nulls = ",\n  ".join(
        f"COALESCE(SUM(CASE WHEN {col} IS NULL THEN 1 ELSE 0 END), 0) AS null_{col}"
        for col in REQUIRED_COLUMNS
    )
    return (
        "SELECT\n"
        "  COUNT(*) AS rows_loaded,\n"
        "  COUNT(DISTINCT product_id) AS distinct_keys,\n"
        "  COUNT(product_id) - COUNT(DISTINCT product_id) AS duplicate_keys,\n"
        f"  {nulls},\n"
        f"  COALESCE(SUM(CASE WHEN run_id = {literal(run_id(dag_run_id))} THEN 0 ELSE 1 END), 0)"
        " AS rows_other_runs\n"
        f"FROM {PUBLISHED_TABLE}\n"
        f"WHERE partition_date = {part}"
    )


def unload_partition(
    target_bucket: str, target_prefix: str, partition: str, unload_role_chain: str, kms_key_arn: str
) -> str:
    """UNLOAD one published partition to account A's target bucket as SSE-KMS Parquet.

    CLEANPATH removes what the prefix holds first, so the partition folder ends with exactly this
    run's files; the trailing slash in the path keeps the clean-up inside that one partition.
    """
    part = validate_partition(partition)
    select = (
        f"SELECT {', '.join(PUBLISHED_COLUMNS)} FROM {PUBLISHED_TABLE} WHERE partition_date = {literal(part)}"
    )
    return (
        f"UNLOAD ({literal(select)}) "
        f"TO {literal(f's3://{bucket_name(target_bucket)}/{partition_path(part, target_prefix)}')} "
        f"IAM_ROLE {literal(role_chain(unload_role_chain))} "
        "FORMAT AS PARQUET CLEANPATH "
        f"KMS_KEY_ID {literal(_check(_KMS_ARN_RE, kms_key_arn, 'KMS key ARN'))} ENCRYPTED"
    )
