"""One partition through the local pipeline: generate, drop, `airflow dags test`, read back, summarise."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from generate_products import BAD_KINDS, ExpectedOutcome, generate_products
from xetl_harness.airflow_db import task_states as airflow_task_states
from xetl_tasks.contract import DAG_ID, MARKER_FILE_NAME
from xetl_tasks.notify import chat_text
from xetl_tasks.partition import manifest_uri, partition_path
from xetl_tasks.runtime import TaskIds

from xetl_local.files import delete_prefix, failure_file
from xetl_local.stack import AIRFLOW_BIN, REPO_ROOT, LocalRunError, LocalStack, Timings
from xetl_local.warehouse import run_statements


@dataclass
class RunResult:
    partition: str
    run_id: str
    state: str
    expected: ExpectedOutcome
    manifest: dict[str, Any] | None
    final_rows: int
    target_files: list[str]
    target_rows: int
    task_states: dict[str, tuple[str, float]]
    failure: str | None
    timings: Timings = field(default_factory=Timings)
    drop_method: str = ""
    notices: list[dict[str, str]] = field(default_factory=list)
    # `airflow dags test`'s output: the DAG run and every task's log.
    log_path: str = ""
    # What the chat channels would get (Chatbot's JSON from the chat topic), in order.
    chat: list[dict[str, Any]] = field(default_factory=list)
    # Event mode (xetl_local.event_mode.EventRun): how the event path started the run.
    event: Any = None

    @property
    def succeeded(self) -> bool:
        return self.state == "success"


def drop_partition(stack: LocalStack, files: list[Path], partition: str) -> str:
    """`xetl drop` into the source bucket (replacing what the partition held): the users' own
    command, so the local run proves it. A failed drop ends the run with the command's message."""
    proc = subprocess.run(
        ["npx", "--no-install", "xetl", "drop", *map(str, files), "--env", "local", "--date", partition,
         "--replace", "--endpoint-url", stack.endpoint],
        cwd=REPO_ROOT, capture_output=True, text=True, env=stack.airflow_env(), check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise LocalRunError(
            f"xetl drop failed (exit {proc.returncode}): {(proc.stderr or proc.stdout).strip()[-600:]}"
        )
    return "xetl drop"


def producer_upload_partition(stack: LocalStack, files: list[Path], partition: str) -> str:
    """The partition's files, then its `_SUCCESS` marker, with plain PutObject calls."""
    s3 = stack.client("s3")
    bucket, prefix = stack.variable["source_bucket"], partition_path(partition, stack.variable["source_prefix"])
    delete_prefix(s3, bucket, prefix)
    for path in files:
        s3.put_object(Bucket=bucket, Key=prefix + path.name, Body=path.read_bytes())
    s3.put_object(Bucket=bucket, Key=prefix + MARKER_FILE_NAME, Body=b"")
    return "plain S3 PutObject (a producer without xetl drop)"


def run_dag(stack: LocalStack, partition: str, conf: dict[str, Any] | None = None) -> tuple[str, str, str]:
    """`airflow dags test` for the partition (``conf``: the run's conf, by default only the
    partition; event mode passes the trigger handler's); returns (run_id, state, log path).
    Each task's state is printed as it finishes (``stack.log``)."""
    stack.ensure_airflow_db()
    # A fresh logical date per run: each run is a new DAG run, as a re-trigger is on MWAA.
    logical = datetime.now(UTC).replace(microsecond=0).isoformat()
    log_path = stack.work / "logs" / f"dag-{partition}-{logical.replace(':', '')}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    db_path = stack.work / "airflow" / "airflow.db"
    before = _last_dag_run_pk(db_path)
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [str(AIRFLOW_BIN / "airflow"), "dags", "test", DAG_ID, logical, "-c", json.dumps(conf or {"partition": partition})],
            env=stack.airflow_env(), stdout=log, stderr=subprocess.STDOUT, cwd=stack.work,
        )  # fmt: skip
        reported: set[str] = set()
        while True:
            finished = proc.poll() is not None
            for task_id, state, seconds in _finished_tasks(db_path, before):
                if task_id not in reported:
                    reported.add(task_id)
                    stack.log(f"    {task_id:<28} {state:<16} {seconds:6.1f} s")
            if finished:
                break
            time.sleep(0.5)
    db = sqlite3.connect(db_path)
    try:
        row = db.execute(
            "SELECT run_id, state FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1", (DAG_ID,)
        ).fetchone()
    finally:
        db.close()
    if row is None:
        raise LocalRunError(f"airflow dags test created no DAG run; see {log_path}")
    return row[0], row[1], str(log_path)


_DONE_STATES = ("success", "failed", "skipped", "upstream_failed", "removed")


def _last_dag_run_pk(db_path: Path) -> int:
    with contextlib.closing(sqlite3.connect(db_path, timeout=5)) as db:
        return db.execute("SELECT COALESCE(MAX(id), 0) FROM dag_run WHERE dag_id = ?", (DAG_ID,)).fetchone()[0]


def _finished_tasks(db_path: Path, after_pk: int) -> list[tuple[str, str, float]]:
    """(task, state, seconds) of the finished tasks of the DAG run created after ``after_pk``, in
    finishing order; empty while Airflow holds the database (it is read again half a second later)."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=1)) as db:
            rows = db.execute(
                "SELECT ti.task_id, ti.state, ti.start_date, ti.end_date FROM task_instance ti "
                "JOIN dag_run dr ON dr.dag_id = ti.dag_id AND dr.run_id = ti.run_id "
                f"WHERE dr.dag_id = ? AND dr.id > ? AND ti.state IN ({','.join('?' * len(_DONE_STATES))}) "
                "ORDER BY COALESCE(ti.end_date, '')",
                (DAG_ID, after_pk, *_DONE_STATES),
            ).fetchall()
    except sqlite3.OperationalError:
        return []
    out = []
    for task_id, state, start, end in rows:
        seconds = (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() if start and end else 0.0
        out.append((task_id, state, seconds))
    return out


def task_states(stack: LocalStack, run_id: str) -> dict[str, tuple[str, float]]:
    return airflow_task_states(stack.work / "airflow" / "airflow.db", DAG_ID, run_id)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# What dbt prints when a model or a test fails (Cosmos logs dbt's whole output on failure), and a
# Python error line such as a missing module; the first match is the reason a reader needs.
_DBT_FAILURE = re.compile(
    r"(Failure in test \S+.*|Database Error in \S+ \S+.*\n\s*\S.*|Compilation Error in \S+ \S+.*|Runtime Error in \S+ \S+.*\n\s*\S.*)"
)
_ERROR_LINE = re.compile(r"^\s*((?:[A-Za-z_.]+)?(?:Error|Exception)): (.+)$", re.MULTILINE)
# Box drawing of rich tracebacks in Airflow's task log: not part of any message.
_BOX = re.compile(r"[\u2500-\u257f]+")


def failed_task_ids(states: dict[str, tuple[str, float]]) -> list[str]:
    """The run's failed work tasks (dbt's included) in pipeline order; not the failure notice."""
    return [t for t in task_order(states) if states.get(t, ("",))[0] == "failed" and t != TaskIds.NOTIFY_FAILURE]


def reason_from_log(text: str, failed: list[str]) -> str | None:
    """The one or two lines of a DAG run's log that say why it failed, or None."""
    text = _ANSI.sub("", text)
    if any(t.startswith(TaskIds.TRANSFORM_WITH_DBT + ".") for t in failed) and (hit := _DBT_FAILURE.search(text)):
        return " ".join(line.strip() for line in hit.group(1).splitlines())
    at = text.find("AirflowFailException:")
    if at >= 0:
        # The log wraps long messages: the message runs to the first blank line.
        return " ".join(line.strip() for line in text[at:].split("\n\n", 1)[0].splitlines())
    errors = [f"{m.group(1)}: {m.group(2).strip()}" for m in _ERROR_LINE.finditer(_BOX.sub(" ", text))]
    # The innermost cause comes first in a chained traceback; the last line is Airflow's wrapper.
    causes = [e for e in errors if not e.startswith(("AirflowException: dbt command failed", "airflow."))]
    return (causes or errors or [None])[0]


def failure_reason(stack: LocalStack, run_id: str, states: dict[str, tuple[str, float]], log_path: str) -> str:
    """Which task failed and why: the message the local task recorded (xetl_local.runtime._fail),
    else the reason found in the run's log."""
    failed = failed_task_ids(states)
    for task_id in failed:
        recorded = failure_file(run_id, task_id)
        if recorded.exists():
            return f"{task_id}: " + recorded.read_text(encoding="utf-8")
    named = ", ".join(failed) or "a task"
    reason = reason_from_log(Path(log_path).read_text(errors="replace"), failed)
    return f"{named}: {reason[:600]} (log: {log_path})" if reason else f"{named} failed; see {log_path}"


def manifest_of(stack: LocalStack, partition: str) -> dict[str, Any] | None:
    s3 = stack.client("s3")
    key = manifest_uri(stack.variable["staging_bucket"], partition).split("/", 3)[3]
    try:
        return json.loads(s3.get_object(Bucket=stack.variable["staging_bucket"], Key=key)["Body"].read())
    except s3.exceptions.NoSuchKey:
        return None


def final_rows(stack: LocalStack, partition: str) -> list[tuple[Any, ...]]:
    """The curated columns of the partition in xetl.products, ordered (run_id/loaded_at left out)."""
    [result] = run_statements(
        [
            "SELECT product_id, product_name, category, CAST(price AS VARCHAR) AS price, quantity, "
            "CAST(updated_at AS VARCHAR) AS updated_at, source_file, CAST(partition_date AS VARCHAR) AS partition_date "
            f"FROM xetl.products WHERE partition_date = CAST('{partition}' AS DATE) ORDER BY product_id"
        ],
        dsn=stack.pg_dsn,
    )
    return [tuple(r.values()) for r in result["rows"]]


def final_count(stack: LocalStack, partition: str) -> int:
    [result] = run_statements(
        [f"SELECT COUNT(*) AS n FROM xetl.products WHERE partition_date = CAST('{partition}' AS DATE)"], dsn=stack.pg_dsn
    )
    return int(result["rows"][0]["n"])


def _parquet_count_in_tools(objects: dict[str, bytes]) -> int:
    """Rows in the unloaded Parquet from the files' footers (pyarrow lives in the tools venv)."""
    objects = {uri: body for uri, body in objects.items() if is_parquet(body)}
    if not objects:
        return 0
    tmp = REPO_ROOT / ".work" / "local-parquet-count"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for index, body in enumerate(objects.values()):
        (tmp / f"{index:04d}.parquet").write_bytes(body)
    code = "import sys,pyarrow.parquet as pq;print(sum(pq.ParquetFile(p).metadata.num_rows for p in sys.argv[1:]))"
    proc = subprocess.run([str(REPO_ROOT / ".venvs/tools/bin/python"), "-c", code, *map(str, sorted(tmp.iterdir()))],
                          capture_output=True, text=True, check=True)  # fmt: skip
    shutil.rmtree(tmp, ignore_errors=True)
    return int(proc.stdout)


def target_objects(stack: LocalStack, partition: str) -> dict[str, bytes]:
    s3 = stack.client("s3")
    bucket = stack.variable["target_bucket"]
    prefix = partition_path(partition, stack.variable["target_prefix"])
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            out[f"s3://{bucket}/{obj['Key']}"] = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
    return out


def is_parquet(body: bytes) -> bool:
    return len(body) >= 8 and body[:4] == b"PAR1" and body[-4:] == b"PAR1"


def parquet_rows(objects: dict[str, bytes]) -> list[tuple[Any, ...]]:
    """Rows of the unloaded Parquet (curated columns, as text), read in the tools venv (pyarrow).
    Objects that are not Parquet (left by something else) are not rows of the publication."""
    objects = {uri: body for uri, body in objects.items() if is_parquet(body)}
    if not objects:
        return []
    tmp = Path(REPO_ROOT / ".work" / "local-parquet-check")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for index, body in enumerate(objects.values()):
        (tmp / f"{index:04d}.parquet").write_bytes(body)
    code = (
        "import json,sys,pyarrow.parquet as pq,pyarrow as pa\n"
        "t=pa.concat_tables([pq.read_table(p) for p in sorted(sys.argv[1:])])\n"
        "cols=['product_id','product_name','category','price','quantity','updated_at','source_file','partition_date']\n"
        "rows=[[None if v is None else (str(v) if not isinstance(v,(int,str)) else v) for v in r] for r in zip(*[t.column(c).to_pylist() for c in cols])]\n"
        "print(json.dumps(sorted(rows,key=lambda r:r[0])))\n"
    )
    proc = subprocess.run(
        [str(REPO_ROOT / ".venvs/tools/bin/python"), "-c", code, *map(str, sorted(tmp.iterdir()))],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    shutil.rmtree(tmp, ignore_errors=True)
    return [tuple(r) for r in json.loads(proc.stdout)]


def _drain(stack: LocalStack, queue_url: str) -> list[dict[str, Any]]:
    """Every message on a topic's inbox queue, parsed, removed from the queue."""
    sqs = stack.client("sqs")
    bodies = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def read_notices(stack: LocalStack) -> list[dict[str, str]]:
    return [{"subject": body.get("Subject", ""), "status": body.get("MessageAttributes", {}).get("status", {}).get("Value", "")}
            for body in _drain(stack, stack.notice_queue_url)]  # fmt: skip


def read_chat(stack: LocalStack) -> list[dict[str, Any]]:
    """The chat messages of the run, as Chatbot would receive them (raw delivery: the JSON itself)."""
    return _drain(stack, stack.chat_queue_url)


def run_partition(
    stack: LocalStack,
    *,
    partition: str,
    rows: int,
    bad_ratio: float,
    files: int = 1,
    seed: int = 7,
    kinds: tuple[str, ...] = BAD_KINDS,
    read_rows: bool = True,
    event: bool = False,
    event_timeout: float = 60.0,
    producer_upload: bool = False,
) -> RunResult:
    """read_rows=False (benchmarks) counts the final table and the Parquet footers instead of
    reading every row back. event=True: drop only, and let the event path start the DAG run
    (xetl_local.event_mode; EventTimeout when none starts within event_timeout seconds).
    producer_upload=True: the files and the marker are put with plain S3 calls, as a producer that
    does not use `xetl drop` would (which refuses, e.g., a header-only file), so the pipeline's own
    gates are what meets them."""
    timings = Timings(history=stack.timings.history, announce=stack.timings.announce)
    with timings.step("generate sample"):
        out = stack.work / "sample" / partition
        shutil.rmtree(out, ignore_errors=True)
        expected = generate_products(out, rows=rows, date=partition, files=files, bad_ratio=bad_ratio, seed=seed, kinds=kinds)
    event_run = None
    if event:
        from xetl_local.event_mode import drop_and_wait

        event_run = drop_and_wait(stack, expected.files, partition, drop=drop_partition, run_dag=run_dag,
                                  timings=timings, timeout=event_timeout)  # fmt: skip
        drop_method = event_run.drop_method
        run_id, state, log_path = event_run.call.airflow_run_id, event_run.call.state, event_run.call.log_path
    else:
        with timings.step("drop into source bucket", f"dropping {len(expected.files)} file(s) and the _SUCCESS marker with xetl drop", typical=5):
            drop_method = (producer_upload_partition if producer_upload else drop_partition)(stack, expected.files, partition)
        with timings.step("airflow dags test (whole DAG)", "running the DAG with Airflow 3.0.6 (airflow dags test), each task as it ends", typical=90):
            run_id, state, log_path = run_dag(stack, partition)
    with timings.step("read back (summary)"):
        states = task_states(stack, run_id)
        manifest = manifest_of(stack, partition)
        objects = target_objects(stack, partition)
        if read_rows:
            table_rows, target_rows = len(final_rows(stack, partition)), len(parquet_rows(objects))
        else:
            table_rows, target_rows = final_count(stack, partition), _parquet_count_in_tools(objects)
        notices = read_notices(stack)
        chat = read_chat(stack)
    return RunResult(
        partition=partition,
        run_id=run_id,
        state=state,
        expected=expected,
        manifest=manifest,
        final_rows=table_rows,
        target_files=sorted(objects),
        target_rows=target_rows,
        task_states=states,
        failure=None if state == "success" else failure_reason(stack, run_id, states, log_path),
        timings=timings,
        drop_method=drop_method,
        notices=notices,
        log_path=log_path,
        chat=chat,
        event=event_run,
    )


DBT_PREFIX = TaskIds.TRANSFORM_WITH_DBT + "."


def task_order(states: dict[str, tuple[str, float]]) -> list[str]:
    """The DAG's tasks in pipeline order, the dbt group's (sorted) right after the publish."""
    dbt = sorted(t for t in states if t.startswith(DBT_PREFIX))
    at = TaskIds.PIPELINE.index(TaskIds.PUBLISH_PARTITION) + 1
    return [*TaskIds.PIPELINE[:at], *dbt, *TaskIds.PIPELINE[at:], TaskIds.NOTIFY_SUCCESS, *TaskIds.AFTER_PUBLICATION,
            TaskIds.NOTIFY_FAILURE]


def dbt_models(states: dict[str, tuple[str, float]]) -> dict[str, str]:
    """Each dbt model's state: one Cosmos task per model (`<model>_model_build`: the model, then its tests)."""
    out = {}
    for task_id, (state, _) in sorted(states.items()):
        name = task_id.removeprefix(DBT_PREFIX)
        if task_id.startswith(DBT_PREFIX) and name.endswith("_build"):
            out[name.removesuffix("_build").removesuffix("_model")] = state
    return out


def render_summary(stack: LocalStack, result: RunResult) -> str:
    out = io.StringIO()
    w = out.write
    status = "SUCCEEDED" if result.succeeded else f"FAILED ({result.state})"
    w(f"\nxetl local run: partition {result.partition}, run {result.run_id}: {status}\n")
    m = result.manifest or {}
    by_reason = m.get("quarantined_by_reason") or {}
    w(f"  rows read          {m.get('rows_read', '-'):>9}   ({len(m.get('source_files') or [])} file(s), dropped with {result.drop_method})\n")
    w(f"  loaded (curated)   {m.get('rows_curated', '-'):>9}\n")
    w(f"  quarantined        {m.get('rows_quarantined', '-'):>9}   " + ", ".join(f"{k} {v}" for k, v in sorted(by_reason.items())) + "\n")
    w(f"  final table        {result.final_rows:>9}   rows of xetl.products for {result.partition} (PostgreSQL)\n")
    target = f"s3://{stack.variable['target_bucket']}/{partition_path(result.partition, stack.variable['target_prefix'])}"
    w(f"  unloaded           {result.target_rows:>9}   rows in {len(result.target_files)} object(s) under {target}\n")
    if result.event is not None:
        ev = result.event
        w(f"  started by event   {ev.call.handler_run_id}   (handler's run id; marker {ev.marker_uri})\n")
        w(f"  event path         {ev.messages} message(s) on B's trigger queue -> 1 run started"
          + (f", {ev.duplicates} duplicate(s) answered 409" if ev.duplicates else "")
          + (f", {len(ev.dead_lettered)} dead-lettered" if ev.dead_lettered else "") + "\n")
        w(f"  latency            {ev.latency:>9.2f} s from the marker's PUT to the DAG start (the handler's trigger call)\n")
    models = dbt_models(result.task_states)
    if models:
        done = sum(1 for state in models.values() if state == "success")
        w(f"  dbt models         {done:>9}   of {len(models)} built and tested: "
          + ", ".join(f"{name} {state}" for name, state in models.items()) + "\n")
    if result.notices:
        w("  notifications      " + "; ".join(f"[{n['status']}] {n['subject']}" for n in result.notices) + "\n")
    for message in result.chat:
        w("\n  chat message (what a Slack or Teams channel gets with notifications.chat):\n    "
          + chat_text(message).rstrip("\n").replace("\n", "\n    ") + "\n")
    if result.failure:
        w("\n  why it failed:\n    " + result.failure.replace("\n", "\n    ") + "\n")
    w("\n  time per step (s):\n")
    # dbt's test tasks have long ids; one column wide enough for all keeps the figures aligned.
    tasks = task_order(result.task_states)
    width = max([40, *(len(t) + 2 for t in tasks)])
    for name, seconds in stack.timings.steps + result.timings.steps:
        w(f"    {name:<{width}} {seconds:7.1f}\n")
        if name.startswith("airflow dags test"):
            for task_id in tasks:
                state, secs = result.task_states.get(task_id, ("none", 0.0))
                w(f"      {task_id:<{width - 2}} {secs:7.1f}  {state}\n")
    w("\n  where to look next:\n")
    # `airflow dags test` runs every task in its own process and writes their logs to this file.
    w(f"    DAG and task logs    {result.log_path or stack.work / 'logs'}\n")
    w(f"    Glue job (Spark) log {stack.work / 'glue' / result.partition / 'glue-job.log'}\n")
    w(f"    warehouse            psql \"{stack.pg_dsn}\" -c \"SELECT * FROM xetl.pipeline_runs ORDER BY started_at DESC LIMIT 5\"\n")
    w(f"    emulator (S3, Glue)  {stack.endpoint}  (with --keep; e.g. aws --endpoint-url {stack.endpoint} s3 ls s3://{stack.variable['target_bucket']} --recursive)\n")
    return out.getvalue()
