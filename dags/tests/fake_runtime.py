"""A runtime named by import path, for the DAG's runtime switch: every step an EmptyOperator."""

from __future__ import annotations

from typing import Any

from xetl_tasks.runtime import PipelineRuntime, TaskIds


def _step(task_id: str) -> Any:
    from airflow.providers.standard.operators.empty import EmptyOperator

    return lambda self: EmptyOperator(task_id=task_id)


class FakeRuntime(PipelineRuntime):
    def template_macros(self) -> dict[str, Any]:
        return {}

    wait_for_marker = _step(TaskIds.WAIT_FOR_MARKER)
    start_glue_crawler = _step(TaskIds.START_GLUE_CRAWLER)
    wait_for_glue_crawler = _step(TaskIds.WAIT_FOR_GLUE_CRAWLER)
    start_glue_job = _step(TaskIds.START_GLUE_JOB)
    wait_for_glue_job = _step(TaskIds.WAIT_FOR_GLUE_JOB)
    check_manifest = _step(TaskIds.CHECK_MANIFEST)
    stage_partition = _step(TaskIds.STAGE_PARTITION)
    check_data_quality = _step(TaskIds.CHECK_DATA_QUALITY)
    publish_partition = _step(TaskIds.PUBLISH_PARTITION)
    transform_with_dbt = _step(TaskIds.TRANSFORM_WITH_DBT)
    unload_to_target = _step(TaskIds.UNLOAD_TO_TARGET)
    publish_dbt_docs = _step(TaskIds.PUBLISH_DBT_DOCS)
    notify_success = _step(TaskIds.NOTIFY_SUCCESS)
    notify_failure = _step(TaskIds.NOTIFY_FAILURE)
