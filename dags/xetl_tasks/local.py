"""LOCAL targets: placeholder, NOT IMPLEMENTED YET.

Planned: the same task graph (same task ids, order and templates) run on one machine, with moto's
S3 standing in for both accounts' buckets, a local crawler (listing the partition into a catalog
table), the Glue job's PySpark entry point on a local Spark session, and PostgreSQL in place of
Redshift (migrations from sql/, the load procedure, the data-quality query; COPY and UNLOAD
replaced by Parquet reads and writes). Until then, selecting it fails the DAG import with the
message below rather than pretending to run anything.
"""

from __future__ import annotations

from typing import Any, NoReturn

from xetl_tasks.base import PipelineTargets

NOT_IMPLEMENTED = (
    "XETL_TARGET=local is not implemented yet: the local targets (moto S3, a local crawler, local "
    "PySpark, PostgreSQL) are a placeholder in dags/xetl_tasks/local.py. Unset XETL_TARGET or set "
    "it to 'aws' to build the DAG for AWS."
)


def _not_implemented(step: str) -> NoReturn:
    raise NotImplementedError(f"{NOT_IMPLEMENTED} (step: {step})")


class LocalTargets(PipelineTargets):
    """Placeholder: constructing it raises NotImplementedError with what is missing."""

    name = "local"

    def __init__(self) -> None:
        _not_implemented("select target")

    def template_macros(self) -> dict[str, Any]:
        _not_implemented("template_macros")

    def wait_for_source_files(self) -> Any:
        _not_implemented("wait_for_source_files (moto S3 listing)")

    def run_glue_crawler(self) -> Any:
        _not_implemented("run_glue_crawler (local catalog)")

    def run_glue_job(self) -> Any:
        _not_implemented("run_glue_job (local PySpark)")

    def load_warehouse_partition(self) -> Any:
        _not_implemented("load_warehouse_partition (PostgreSQL)")

    def check_data_quality(self) -> Any:
        _not_implemented("check_data_quality (PostgreSQL)")

    def unload_to_target(self) -> Any:
        _not_implemented("unload_to_target (Parquet to moto S3)")

    def notify_success(self) -> Any:
        _not_implemented("notify_success (log or moto SNS)")

    def notify_failure(self) -> Any:
        _not_implemented("notify_failure (log or moto SNS)")
