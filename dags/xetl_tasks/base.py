"""The task factory's interface: one method per pipeline step, each returning the Airflow task.

The DAG file builds its graph only through a ``PipelineTargets`` implementation, so where the steps
run (AWS today; moto S3, a local crawler, local PySpark and PostgreSQL later) can change behind the
same task ids, order and templates. Implementations must be called inside a ``with DAG(...)`` block.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow.sdk import BaseOperator


class TaskIds:
    """Task ids (snake_case verbs), shared by every implementation, the DAG and the tests."""

    WAIT_FOR_SOURCE_FILES = "wait_for_source_files"
    RUN_GLUE_CRAWLER = "run_glue_crawler"
    RUN_GLUE_JOB = "run_glue_job"
    LOAD_WAREHOUSE_PARTITION = "load_warehouse_partition"
    CHECK_DATA_QUALITY = "check_data_quality"
    UNLOAD_TO_TARGET = "unload_to_target"
    NOTIFY_SUCCESS = "notify_success"
    NOTIFY_FAILURE = "notify_failure"

    # The work, in the order it runs; notify_failure watches all of these.
    PIPELINE = (
        WAIT_FOR_SOURCE_FILES,
        RUN_GLUE_CRAWLER,
        RUN_GLUE_JOB,
        LOAD_WAREHOUSE_PARTITION,
        CHECK_DATA_QUALITY,
        UNLOAD_TO_TARGET,
    )


class PipelineTargets(ABC):
    """Builds the tasks of the xetl products pipeline for one execution target."""

    #: The name ``XETL_TARGET`` selects this implementation by.
    name: str

    @abstractmethod
    def template_macros(self) -> dict[str, Any]:
        """``user_defined_macros`` the tasks' templates need (at least ``xetl_partition``)."""

    @abstractmethod
    def wait_for_source_files(self) -> BaseOperator:
        """Wait until the partition's prefix in the source bucket holds at least one data file."""

    @abstractmethod
    def run_glue_crawler(self) -> BaseOperator:
        """Run the catalog crawler over the source and wait for it to finish."""

    @abstractmethod
    def run_glue_job(self) -> BaseOperator:
        """Run the validation/curation job for the partition and wait for it to finish."""

    @abstractmethod
    def load_warehouse_partition(self) -> BaseOperator:
        """Replace the partition in the warehouse from the curated files, in one transaction."""

    @abstractmethod
    def check_data_quality(self) -> BaseOperator:
        """Reconcile counts with the job's manifest and check keys and required columns."""

    @abstractmethod
    def unload_to_target(self) -> BaseOperator:
        """Write the published partition to the target bucket, replacing only that partition."""

    @abstractmethod
    def notify_success(self) -> BaseOperator:
        """Announce a published partition (runs last, only when everything succeeded)."""

    @abstractmethod
    def notify_failure(self) -> BaseOperator:
        """Announce a failed run (runs as soon as any pipeline task has failed)."""
