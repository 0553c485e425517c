"""Event mode of the local run (`npm run local -- --event`): drop the partition and let the event
path start the DAG, as in AWS.

    xetl drop (files, then _SUCCESS) -> moto S3 -> EventBridge: account A's rule (applied by Terraform)
    -> account B's bus -> B's rule -> B's trigger queue -> apps/trigger/local_poller.Poller
    -> apps/trigger/handler.process_batch (the Lambda's code) -> DagsTestApi.post
    -> pipeline.run_dag: `airflow dags test` with the handler's conf

B's bus, rule and queue are stand-ins created in moto (``emulator_setup.create_account_b``, the same
code as the trigger's emulator test). Locally both accounts are one moto account, so moto delivers
the marker's event to B's rule twice (directly and forwarded); the handler collapses duplicates and
the client answers 409 for a run id it already started, as Airflow does.

`airflow dags test` takes no run id: the handler's deterministic run id is kept by the client (for
the 409) and shown in the summary next to the Airflow run id; partition and marker reach the DAG in
``conf`` (the DAG records the marker in the run-audit row).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xetl_tasks.contract import DAG_ID, MARKER_EVENT_PATTERN
from xetl_tasks.partition import parse_partition, partition_path
from xetl_trigger.emulator_setup import AccountB, create_account_b, marker_pattern
from xetl_trigger.handler import PartitionWindow, dag_runs_path
from xetl_trigger.local_poller import Poller

from xetl_local.stack import LocalStack, Timings

MARKER = "_SUCCESS"


class EventTimeout(RuntimeError):
    """The event path started no DAG run within the timeout; the message says what the poller saw."""


@dataclass
class TriggerCall:
    """One run the handler started through the client."""

    handler_run_id: str
    conf: dict[str, Any]
    called_at: float  # wall clock (time.time()) of the handler's trigger call = the DAG start
    airflow_run_id: str = ""
    state: str = ""
    log_path: str = ""
    finished_at: float = 0.0


class DagsTestApi:
    """The poller's Airflow client for the local run: the handler's ``POST /dags/{dag}/dagRuns``
    becomes the local run's own ``airflow dags test`` (``run_dag``) with the handler's ``conf``.

    Implements the handler's ``AirflowApi`` (``post(path, body) -> (status, body)``). Run ids it
    started are remembered per stack (one moto lifetime): the same id again answers 409."""

    def __init__(self, stack: LocalStack, run_dag: Callable[..., tuple[str, str, str]]) -> None:
        self.stack = stack
        self.run_dag = run_dag
        self.calls: list[TriggerCall] = []
        if not hasattr(stack, "event_run_ids"):
            stack.event_run_ids = set()  # type: ignore[attr-defined]
        self.started: set[str] = stack.event_run_ids  # type: ignore[attr-defined]

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        called_at = time.time()
        if path != dag_runs_path(DAG_ID):
            return 404, {"detail": f"unsupported path {path}"}
        run_id, conf = body.get("dag_run_id"), body.get("conf") or {}
        if not run_id or not conf.get("partition"):
            return 400, {"detail": "dag_run_id and conf.partition are required"}
        if run_id in self.started:
            return 409, {"detail": f"DAG run {run_id} already exists"}
        self.started.add(run_id)
        call = TriggerCall(handler_run_id=run_id, conf=conf, called_at=called_at)
        self.calls.append(call)
        call.airflow_run_id, call.state, call.log_path = self.run_dag(self.stack, conf["partition"], conf=conf)
        call.finished_at = time.time()
        return 200, {"dag_run_id": run_id, "state": call.state}


@dataclass
class EventRun:
    """What the event path did for one drop (the summary's event lines)."""

    drop_method: str
    marker_uri: str
    marker_put_at: float  # wall clock of the marker's PUT (its LastModified in the emulator)
    call: TriggerCall
    messages: int
    outcomes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def latency(self) -> float:
        """Seconds from the marker's PUT to the DAG start (the handler's trigger call)."""
        return self.call.called_at - self.marker_put_at

    @property
    def duplicates(self) -> int:
        return sum(1 for o in self.outcomes if o["action"] == "duplicate")

    @property
    def dead_lettered(self) -> list[dict[str, Any]]:
        return [o for o in self.outcomes if o["action"] == "dead-lettered"]


def account_b(stack: LocalStack) -> AccountB:
    """B's bus, rule and trigger queue (+ DLQ) in moto, once per stack, named as the analytics stack
    names them (libs/config/src/naming.ts)."""
    existing = getattr(stack, "event_account_b", None)
    if existing is not None:
        return existing
    n, base = stack.names, f"xetl-{stack.names['environment']}"
    bus = f"{base}-pipeline"
    created = create_account_b(
        stack.client("sqs"), stack.client("events"), bus=bus,
        bus_arn=f"arn:aws:events:{n['region']}:{n['analyticsAccount']}:event-bus/{bus}",
        rule=f"{base}-trigger-markers", queue=f"{base}-trigger", dlq=f"{base}-trigger-dlq",
        source_account=n["sourceAccount"],
        event_pattern=marker_pattern(MARKER_EVENT_PATTERN, stack.variable["source_bucket"], stack.variable["source_prefix"]),
    )  # fmt: skip
    stack.event_account_b = created  # type: ignore[attr-defined]
    return created


def marker_put_time(stack: LocalStack, partition: str) -> tuple[str, float]:
    """The marker's URI and the wall-clock time of its PUT (moto's LastModified, in milliseconds)."""
    bucket = stack.variable["source_bucket"]
    key = partition_path(partition, stack.variable["source_prefix"]) + MARKER
    listed = stack.client("s3").list_objects_v2(Bucket=bucket, Prefix=key).get("Contents") or []
    if not listed:
        raise EventTimeout(f"the drop wrote no marker s3://{bucket}/{key}")
    return f"s3://{bucket}/{key}", listed[0]["LastModified"].timestamp()


def drop_and_wait(
    stack: LocalStack,
    files: list[Path],
    partition: str,
    *,
    drop: Callable[[LocalStack, list[Path], str], str],
    run_dag: Callable[..., tuple[str, str, str]],
    timings: Timings,
    timeout: float = 60.0,
) -> EventRun:
    """Drops the partition (``drop``: `xetl drop`, marker last) and polls B's queue until the handler
    has started the DAG run (``run_dag`` runs it to its end inside the handler's call). Raises
    EventTimeout when no run starts within ``timeout`` seconds of the drop."""
    b = account_b(stack)
    sqs = stack.client("sqs")
    sqs.purge_queue(QueueUrl=b.queue_url)  # messages of earlier drops must not start this run
    airflow = DagsTestApi(stack, run_dag)
    # A local --date may be any day: the handler's window is centred on the partition, not on today.
    day = parse_partition(partition)
    window = PartitionWindow(days_back=1, days_ahead=1, today=lambda: day)
    poller = Poller(sqs, b.queue_url, b.dlq_url, airflow, dag_id=DAG_ID, window=window,
                    expected_bucket=stack.variable["source_bucket"], wait_seconds=1)
    with timings.step("drop into source bucket"):
        drop_method = drop(stack, files, partition)
    dropped_at = time.time()
    poller.run(until_runs=1, timeout=timeout)
    if not airflow.calls:
        seen = "; ".join(f"{o['action']} {o.get('run_id') or ''} {o.get('reason') or ''}".strip()
                         for o in poller.stats.outcomes) or "no message"
        raise EventTimeout(f"the event path started no DAG run within {timeout:.0f} s of the drop "
                           f"({poller.stats.messages} message(s) on {b.queue_url}: {seen})")
    # Duplicates of the marker's event still queued (one moto account: B's rule sees it twice) are
    # answered 409 by the client and deleted, as the Lambda would.
    poller.wait_seconds = 0
    poller.poll_once()
    call = airflow.calls[0]
    timings.steps.append(("event path (queue -> handler -> trigger)", max(call.called_at - dropped_at, 0.0)))
    timings.steps.append(("airflow dags test (event-started DAG)", call.finished_at - call.called_at))
    marker_uri, put_at = marker_put_time(stack, partition)
    return EventRun(drop_method=drop_method, marker_uri=marker_uri, marker_put_at=put_at, call=call,
                    messages=poller.stats.messages, outcomes=list(poller.stats.outcomes))
