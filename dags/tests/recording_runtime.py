"""A runtime named by import path (`recording_runtime:RecordingRuntime`) for the serialisation tests:
every step is a real task that writes when it starts and when it ends to a JSON-lines file.

Each step appends `{"event": "start"|"end", "at": <epoch s>, "dag_id", "run_id", "task_id",
"partition"}` to the file named by `XETL_STEP_RECORD` (one `write` of a short line on a file opened
for appending, so lines of concurrent workers never mix). The partition is what the real
`xetl_partition()` macro resolves for the run.

The steps hold their pool slot the way the AWS runtime's do:
- plain steps work (sleep `XETL_STEP_SECONDS`, default 0.5) between the two lines;
- `wait_for_marker` and `wait_for_glue_job` defer to the triggerer, as the AWS runtime's deferrable
  sensors do: `start`, a deferral of `XETL_WAIT_SECONDS` (default 3), `end` when they resume;
- `wait_for_glue_crawler` is a sensor in reschedule mode, as the AWS runtime's crawler wait is: its
  first poke writes `start` and asks to be rescheduled `XETL_WAIT_SECONDS` later, the next writes
  `end` and succeeds. Between the pokes the task is `up_for_reschedule` and holds no slot.

Waits last a few seconds, not less: in Airflow 3.0.6 a task whose trigger fires (or whose reschedule
comes due) before the scheduler has taken in the executor's report of the exit that deferred it is
failed as "state changed externally" and retried (apache/airflow#66374, #72716). On a loaded
two-core machine that report took up to ~7 s.
"""

from __future__ import annotations

import json
import os
import time
from datetime import timedelta
from typing import Any

from airflow.sdk import BaseOperator, BaseSensorOperator
from xetl_tasks.runtime import PipelineRuntime, TaskIds
from xetl_tasks.templates import PARTITION, macros

RECORD_ENV = "XETL_STEP_RECORD"
STEP_SECONDS_ENV = "XETL_STEP_SECONDS"
WAIT_SECONDS_ENV = "XETL_WAIT_SECONDS"


def _seconds(name: str, default: str) -> float:
    return float(os.environ.get(name, default))


def record(context: Any, task: BaseOperator, partition: str, event: str) -> None:
    line = {
        "event": event,
        "at": time.time(),
        "dag_id": task.dag_id,
        "run_id": context["run_id"],
        "task_id": task.task_id,
        "partition": partition,
    }
    with open(os.environ[RECORD_ENV], "a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")


class RecordedStep(BaseOperator):
    """Writes its start, works (sleeps) and writes its end."""

    template_fields = ("partition",)

    def __init__(self, *, partition: str = PARTITION, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.partition = partition

    def execute(self, context: Any) -> None:
        record(context, self, self.partition, "start")
        time.sleep(_seconds(STEP_SECONDS_ENV, "0.5"))
        record(context, self, self.partition, "end")


class RecordedDeferredWait(RecordedStep):
    """Writes its start, defers to the triggerer, and writes its end when it resumes."""

    def execute(self, context: Any) -> None:
        from airflow.providers.standard.triggers.temporal import TimeDeltaTrigger

        record(context, self, self.partition, "start")
        wait = timedelta(seconds=_seconds(WAIT_SECONDS_ENV, "3"))
        self.defer(trigger=TimeDeltaTrigger(wait), method_name="execute_complete")

    def execute_complete(self, context: Any, event: Any = None) -> None:
        record(context, self, self.partition, "end")


class RecordedRescheduledWait(BaseSensorOperator):
    """A sensor in reschedule mode: the first poke writes the start, the next one the end."""

    template_fields = ("partition",)

    def __init__(self, *, partition: str = PARTITION, **kwargs: Any) -> None:
        super().__init__(mode="reschedule", poke_interval=_seconds(WAIT_SECONDS_ENV, "3"), **kwargs)
        self.partition = partition

    def poke(self, context: Any) -> bool:
        first_poke = context["ti"].get_first_reschedule_date(context) is None
        record(context, self, self.partition, "start" if first_poke else "end")
        return not first_poke


# How each wait holds its slot, as in the AWS runtime; every other step is a RecordedStep.
WAIT_KINDS: dict[str, type[BaseOperator]] = {
    TaskIds.WAIT_FOR_MARKER: RecordedDeferredWait,
    TaskIds.WAIT_FOR_GLUE_CRAWLER: RecordedRescheduledWait,
    TaskIds.WAIT_FOR_GLUE_JOB: RecordedDeferredWait,
}
# Every step of the interface: its abstract methods, each named after its task id.
STEPS = tuple(sorted(PipelineRuntime.__abstractmethods__ - {"template_macros"}))


def _step(task_id: str) -> Any:
    kind = WAIT_KINDS.get(task_id, RecordedStep)
    # As in the AWS runtime: the failure notice only when a step failed (skipped on a successful run).
    extra = {"trigger_rule": "one_failed"} if task_id == TaskIds.NOTIFY_FAILURE else {}
    return lambda self: kind(task_id=task_id, **extra)


# One recorded task per step. Built as a whole, so ABCMeta checks that nothing is missing.
RecordingRuntime = type(
    "RecordingRuntime",
    (PipelineRuntime,),
    {"template_macros": lambda self: macros(), **{task_id: _step(task_id) for task_id in STEPS}},
)
