"""The runtime interface: one method per pipeline step, each adding that step's task to the DAG.

The DAG file builds its graph only through a `PipelineRuntime`, so where the steps run can change
behind the same task ids, order and templates: `AwsRuntime` (`xetl_tasks.aws`, what MWAA runs) is
the only implementation shipped with the DAGs; the local run's lives with the local runner
(docs/local-run.md) and is named by import path (see `xetl_tasks.get_runtime`).
Implementations are called inside a `with DAG(...)` block and implement every method; none
subclasses another.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow.sdk import BaseOperator, TaskGroup


class TaskIds:
    """Task ids (snake_case verbs), shared by every runtime, the DAG and the tests."""

    WAIT_FOR_MARKER = "wait_for_marker"
    START_GLUE_CRAWLER = "start_glue_crawler"
    WAIT_FOR_GLUE_CRAWLER = "wait_for_glue_crawler"
    START_GLUE_JOB = "start_glue_job"
    WAIT_FOR_GLUE_JOB = "wait_for_glue_job"
    CHECK_MANIFEST = "check_manifest"
    STAGE_PARTITION = "stage_partition"
    CHECK_DATA_QUALITY = "check_data_quality"
    PUBLISH_PARTITION = "publish_partition"
    # A task group: one task per dbt model (and its tests), between the publish and the unload.
    TRANSFORM_WITH_DBT = "transform_with_dbt"
    UNLOAD_TO_TARGET = "unload_to_target"
    # After the unload, beside notify_success: the dbt docs site, best effort (it publishes no data).
    PUBLISH_DBT_DOCS = "publish_dbt_docs"
    NOTIFY_SUCCESS = "notify_success"
    NOTIFY_FAILURE = "notify_failure"

    # The work, in the order it runs; notify_failure watches all of these.
    PIPELINE = (
        WAIT_FOR_MARKER,
        START_GLUE_CRAWLER,
        WAIT_FOR_GLUE_CRAWLER,
        START_GLUE_JOB,
        WAIT_FOR_GLUE_JOB,
        CHECK_MANIFEST,
        STAGE_PARTITION,
        CHECK_DATA_QUALITY,
        PUBLISH_PARTITION,
        UNLOAD_TO_TARGET,
    )
    # Steps after which the published table or the target prefix may have changed.
    PUBLISHING = (PUBLISH_PARTITION, UNLOAD_TO_TARGET)
    # Steps off the line, after the publication: their failure blocks nothing and changes no data;
    # notify_failure watches them too, so a failure is announced.
    AFTER_PUBLICATION = (PUBLISH_DBT_DOCS,)


class PipelineRuntime(ABC):
    """Builds the tasks of the xetl products pipeline for one runtime."""

    @abstractmethod
    def template_macros(self) -> dict[str, Any]:
        """`user_defined_macros` the tasks' templates need (at least `xetl_partition`)."""

    @abstractmethod
    def wait_for_marker(self) -> BaseOperator:
        """Wait until the partition's `_SUCCESS` marker exists: the producer's drop is complete."""

    @abstractmethod
    def start_glue_crawler(self) -> BaseOperator:
        """Start the catalog crawler over the source (submit only)."""

    @abstractmethod
    def wait_for_glue_crawler(self) -> BaseOperator:
        """Wait for the crawler to finish; a timed-out wait stops the crawl."""

    @abstractmethod
    def start_glue_job(self) -> BaseOperator:
        """Start the validation/curation job for the partition (submit only; XCom: the run id)."""

    @abstractmethod
    def wait_for_glue_job(self) -> BaseOperator:
        """Wait for that job run; a failed or timed-out wait stops the run."""

    @abstractmethod
    def check_manifest(self) -> BaseOperator:
        """Gate on the job's run manifest (counts, quarantine ratio, no empty partition); XCom: counts."""

    @abstractmethod
    def stage_partition(self) -> BaseOperator:
        """Stage the curated rows in the warehouse (nothing published changes)."""

    @abstractmethod
    def check_data_quality(self) -> BaseOperator:
        """Check the staged rows: reconciliation with the manifest, unique keys, no required NULLs."""

    @abstractmethod
    def publish_partition(self) -> BaseOperator:
        """Replace the published partition with the staged rows and write the audit row, atomically."""

    @abstractmethod
    def transform_with_dbt(self) -> TaskGroup:
        """Build and test the dbt models on the published partition (a task group, one task per model)."""

    @abstractmethod
    def unload_to_target(self) -> BaseOperator:
        """Write the published partition to the target bucket, replacing only that partition."""

    @abstractmethod
    def publish_dbt_docs(self) -> BaseOperator:
        """Generate the dbt docs site and publish it under the staging bucket's docs prefix (after the unload)."""

    @abstractmethod
    def notify_success(self) -> BaseOperator:
        """Announce a published partition (runs last, only when everything succeeded)."""

    @abstractmethod
    def notify_failure(self) -> BaseOperator:
        """Record the failure in the audit table and announce it (as soon as any step failed)."""
