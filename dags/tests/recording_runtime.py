"""A runtime named by import path (`recording_runtime:RecordingRuntime`) for the serialisation tests:
every step is a real task that writes when it starts and when it ends to a JSON-lines file.

Each step appends `{"event": "start"|"end", "at": <epoch s>, "dag_id", "run_id", "task_id",
"partition"}` to the file named by `XETL_STEP_RECORD` (one `write` of a short line on a file opened
for appending, so lines of concurrent workers never mix). A plain step sleeps `XETL_STEP_SECONDS`
(default 1) between the two lines. The waits that the AWS runtime defers (`wait_for_marker`,
`wait_for_glue_crawler`, `wait_for_glue_job`) write `start`, then defer to the triggerer for
`XETL_STEP_SECONDS` and write `end` when they resume, so a deferred task's whole wait counts as
busy, as a sensor waiting on S3 or Glue would be. The partition is what the real
`xetl_partition()` macro resolves for the run.
"""

from __future__ import annotations

import json
import os
import time
from datetime import timedelta
from typing import Any

from airflow.sdk import BaseOperator
from xetl_tasks.runtime import PipelineRuntime, TaskIds
from xetl_tasks.templates import PARTITION, macros

RECORD_ENV = "XETL_STEP_RECORD"
STEP_SECONDS_ENV = "XETL_STEP_SECONDS"


def _seconds() -> float:
    return float(os.environ.get(STEP_SECONDS_ENV, "1"))


class RecordedStep(BaseOperator):
    """Writes its start, works (sleeps) and writes its end."""

    template_fields = ("partition",)

    def __init__(self, *, partition: str = PARTITION, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.partition = partition

    def record(self, context: Any, event: str) -> None:
        line = {
            "event": event,
            "at": time.time(),
            "dag_id": self.dag_id,
            "run_id": context["run_id"],
            "task_id": self.task_id,
            "partition": self.partition,
        }
        with open(os.environ[RECORD_ENV], "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")

    def execute(self, context: Any) -> None:
        self.record(context, "start")
        time.sleep(_seconds())
        self.record(context, "end")


class RecordedWait(RecordedStep):
    """Writes its start, defers to the triggerer, and writes its end when it resumes."""

    def execute(self, context: Any) -> None:
        from airflow.providers.standard.triggers.temporal import TimeDeltaTrigger

        self.record(context, "start")
        self.defer(trigger=TimeDeltaTrigger(timedelta(seconds=_seconds())), method_name="execute_complete")

    def execute_complete(self, context: Any, event: Any = None) -> None:
        self.record(context, "end")


def _step(task_id: str, kind: type[RecordedStep] = RecordedStep, **kwargs: Any) -> Any:
    return lambda self: kind(task_id=task_id, **kwargs)


class RecordingRuntime(PipelineRuntime):
    def template_macros(self) -> dict[str, Any]:
        return macros()

    wait_for_marker = _step(TaskIds.WAIT_FOR_MARKER, RecordedWait)
    start_glue_crawler = _step(TaskIds.START_GLUE_CRAWLER)
    wait_for_glue_crawler = _step(TaskIds.WAIT_FOR_GLUE_CRAWLER, RecordedWait)
    start_glue_job = _step(TaskIds.START_GLUE_JOB)
    wait_for_glue_job = _step(TaskIds.WAIT_FOR_GLUE_JOB, RecordedWait)
    check_manifest = _step(TaskIds.CHECK_MANIFEST)
    stage_partition = _step(TaskIds.STAGE_PARTITION)
    check_data_quality = _step(TaskIds.CHECK_DATA_QUALITY)
    publish_partition = _step(TaskIds.PUBLISH_PARTITION)
    transform_with_dbt = _step(TaskIds.TRANSFORM_WITH_DBT)
    unload_to_target = _step(TaskIds.UNLOAD_TO_TARGET)
    notify_success = _step(TaskIds.NOTIFY_SUCCESS)
    # As in the AWS runtime: only when a step failed (skipped on a successful run).
    notify_failure = _step(TaskIds.NOTIFY_FAILURE, trigger_rule="one_failed")
