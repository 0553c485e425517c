"""Backfills of the products DAG run one day at a time: real Airflow 3.0.6 processes, real scheduler.

`dag.test()` runs tasks one after another in one process by construction, so it proves nothing
about overlap. These tests start what a deployment runs and let the scheduler decide.

Needs (all started and stopped by the module's fixture, nothing left running):
- PostgreSQL 15 server binaries: the metadata database (`xetl_harness.postgres`; as root the server
  runs as the `postgres` user), because the LocalExecutor refuses SQLite;
- the airflow venv (Airflow 3.0.6, psycopg2 through the postgres provider) for `airflow api-server`
  (REST API, and the Task Execution API the workers report to), `airflow scheduler` (LocalExecutor,
  parallelism 16, so only pools and run limits serialise), `airflow dag-processor` (parses the dags
  folder into the database) and `airflow triggerer` (runs the deferred waits), from
  `xetl_harness.airflow_cluster`, on free loopback ports;
- a dags folder holding the shipped DAG file itself (a symlink) and variants generated from its text
  with named replacements only (each checked to occur exactly once);
- the steps from `recording_runtime:RecordingRuntime` (`XETL_RUNTIME`): each writes when it starts
  and ends to one JSON-lines file; they hold their pool slot as the AWS runtime's do (two waits
  deferred, the crawler wait rescheduled between pokes);
- the pool created as the local run creates it: `airflow pools set xetl_pipeline 1 <description>
  --include-deferred` (name, slots and flag from the pipeline contract); the variants' pools through
  POST /pools, as `xetl bootstrap` creates the pool on MWAA.

The scenarios run side by side in one cluster, each DAG with its own pool, and every test waits for
its own, at most `SCENARIO_TIMEOUT` seconds from the launch (start-up: `STARTUP_TIMEOUT`); about five
minutes in all on two shared cores, most of it the five serial runs. Every process is stopped when
the module ends, also on failure, Ctrl-C or SIGTERM; the work folder with every component's log
(`logs/<component>.log`, `logs/cli.log`), the task logs (`logs/tasks`) and the steps file is removed
after a clean pass and kept, its path printed, when a test failed.

What they show (Airflow 3.0.6):
- `airflow backfill create` (and POST /backfills) refuse the products DAG: it has no schedule;
- five days triggered one manual run per day with conf, the first three the way `xetl trigger --from
  --to` does (its MWAA InvokeRestApi body), the last two with `airflow dags trigger -c`, run one at
  a time, in date order, and all succeed: the DAG's `max_active_runs=1` queues them;
- an Airflow backfill with `--max-active-runs 5` of the same DAG given a schedule: the backfill's
  limit, not the DAG's, applies, so the five runs are active together and interleave step by step.
  The one-slot pool keeps their tasks apart, deferred waits included, except while the crawler wait
  (reschedule mode, as on AWS) is between pokes: the pool serialises tasks, not runs;
- with five pool slots, tasks of different runs overlap (so the checks above can fail), and with a
  one-slot pool that does not count deferred tasks, other runs work during a deferred wait.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from recording_runtime import (
    RECORD_ENV,
    STEP_SECONDS_ENV,
    STEPS,
    WAIT_KINDS,
    WAIT_SECONDS_ENV,
    RecordedDeferredWait,
    RecordedRescheduledWait,
)
from support import DAG_FILE
from xetl_harness.airflow_cluster import AirflowCluster, airflow_cluster
from xetl_harness.postgres import postgres_server
from xetl_tasks import RUNTIME_ENV_VAR
from xetl_tasks.contract import DAG_ID, POOL, POOL_INCLUDE_DEFERRED, POOL_SLOTS
from xetl_tasks.runtime import TaskIds

TESTS_DIR = Path(__file__).resolve().parent
DAGS_DIR = TESTS_DIR.parent
DAYS = [date(2026, 11, 10) + timedelta(days=n) for n in range(5)]
STEP_SECONDS = 0.5
# Long enough that Airflow 3.0.6's resume race (see recording_runtime) does not strike: a task it hits
# is retried after the DAG's two-minute retry delay.
WAIT_SECONDS = 4
STARTUP_TIMEOUT = 240
SCENARIO_TIMEOUT = 480
FINISHED = {"success", "failed"}
# Every step of a successful run executes, except notify_failure (skipped: trigger rule one_failed).
EXECUTED_STEPS = set(STEPS) - {TaskIds.NOTIFY_FAILURE}
# How the waits hold their slot, as in the AWS runtime: deferred (the pool can count them) or
# rescheduled between pokes (up_for_reschedule: no pool counts them).
DEFERRED_WAITS = {task_id for task_id, kind in WAIT_KINDS.items() if kind is RecordedDeferredWait}
RESCHEDULED_WAITS = {task_id for task_id, kind in WAIT_KINDS.items() if kind is RecordedRescheduledWait}


def backfill_command(dag_id: str, max_active_runs: int) -> list[str]:
    """Airflow's backfill command for the five days (docs/pipeline-dag.md: refused for the products DAG)."""
    return ["backfill", "create", "--dag-id", dag_id, "--from-date", DAYS[0].isoformat(),
            "--to-date", DAYS[-1].isoformat(), "--max-active-runs", str(max_active_runs)]  # fmt: skip


def backfill_body(dag_id: str, max_active_runs: int) -> dict[str, Any]:
    """The same backfill through the REST API (POST /backfills)."""
    return {"dag_id": dag_id, "from_date": f"{DAYS[0]}T00:00:00Z", "to_date": f"{DAYS[-1]}T00:00:00Z",
            "max_active_runs": max_active_runs}  # fmt: skip


def pool_command(name: str, slots: int, include_deferred: bool) -> list[str]:
    """The pool as the local run creates it (tools/local: `airflow pools set`)."""
    return ["pools", "set", name, str(slots), "xetl: one pipeline task at a time"] + (
        ["--include-deferred"] if include_deferred else []
    )


@dataclass(frozen=True)
class Variant:
    """The shipped DAG file given a daily schedule (so Airflow accepts a backfill) and its own pool."""

    dag_id: str
    pool: str
    pool_slots: int
    pool_include_deferred: bool

    def source(self, shipped: str) -> str:
        replacements = {
            "dag_id=DAG_ID,": f"dag_id={self.dag_id!r},",
            '"pool": POOL,': f'"pool": {self.pool!r},',
            # A schedule, ending before today so that the scheduler itself creates no run.
            "schedule=None,": 'schedule="@daily", end_date=pendulum.datetime(2026, 11, 20, tz="UTC"),',
        }
        for old, new in replacements.items():
            assert shipped.count(old) == 1, f"{DAG_FILE} no longer contains {old!r} exactly once: update the variant"
            shipped = shipped.replace(old, new)
        return shipped


# The product's pool on the DAG given a schedule; then the pool with five slots ("removed"); then one
# slot that does not count deferred tasks.
WITH_PIPELINE_POOL = Variant("xetl_backfill_with_pipeline_pool", "xetl_variant_pipeline", POOL_SLOTS, POOL_INCLUDE_DEFERRED)
WITH_WIDE_POOL = Variant("xetl_backfill_with_wide_pool", "xetl_variant_wide", 5, POOL_INCLUDE_DEFERRED)
WITH_DEFERRED_UNCOUNTED = Variant("xetl_backfill_deferred_uncounted", "xetl_variant_deferred_uncounted", 1, False)
VARIANTS = (WITH_PIPELINE_POOL, WITH_WIDE_POOL, WITH_DEFERRED_UNCOUNTED)


@dataclass(frozen=True)
class Step:
    dag_id: str
    run_id: str
    task_id: str
    partition: str
    start: float
    end: float

    def overlaps(self, other: Step) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass
class Launched:
    cluster: AirflowCluster
    record: Path
    launched_at: float
    triggered: dict[str, str]  # run id -> partition (the manual runs of the shipped DAG)
    refused_cli: Any
    refused_api: tuple[int, Any]

    def runs(self, dag_id: str, expected: int) -> list[dict[str, Any]]:
        """The DAG's runs once `expected` of them have finished (REST API, i.e. the metadata DB)."""

        def finished() -> list[dict[str, Any]] | None:
            status, body = self.cluster.request("GET", f"/dags/{dag_id}/dagRuns?limit=100&order_by=run_after")
            assert status == 200, body
            runs = body["dag_runs"]
            done = [run for run in runs if run["state"] in FINISHED]
            return runs if len(done) >= expected else None

        left = SCENARIO_TIMEOUT - (time.monotonic() - self.launched_at)
        return self.cluster.wait_for(finished, max(left, 1), f"{expected} finished run(s) of {dag_id}", interval=2)

    def steps(self, dag_id: str) -> list[Step]:
        """What the tasks of `dag_id` recorded, one Step per task that both started and ended."""
        events: dict[tuple[str, str], dict[str, Any]] = {}
        for line in self.record.read_text().splitlines():
            item = json.loads(line)
            if item["dag_id"] == dag_id:
                events.setdefault((item["run_id"], item["task_id"]), {**item})[item["event"]] = item["at"]
        return sorted(
            (Step(dag_id, run_id, task_id, e["partition"], e["start"], e["end"])
             for (run_id, task_id), e in events.items() if "start" in e and "end" in e),
            key=lambda s: s.start,
        )  # fmt: skip


def at(run: dict[str, Any], key: str) -> datetime:
    """A run's start_date or end_date from the REST API, as a datetime (the strings do not sort)."""
    return datetime.fromisoformat(run[key])


def overlapping_pairs(steps: list[Step]) -> list[tuple[Step, Step]]:
    """Pairs of steps of different runs whose recorded intervals overlap."""
    return [(a, b) for i, a in enumerate(steps) for b in steps[i + 1 :] if a.run_id != b.run_id and a.overlaps(b)]


def kind(step: Step) -> str:
    return "deferred" if step.task_id in DEFERRED_WAITS else "rescheduled" if step.task_id in RESCHEDULED_WAITS else "plain"


def overlap_kinds(steps: list[Step]) -> set[tuple[str, str]]:
    """The kinds of step (plain, deferred, rescheduled) that overlapped another run's, as sorted pairs."""
    return {tuple(sorted((kind(a), kind(b)))) for a, b in overlapping_pairs(steps)}


def run_spans(steps: list[Step]) -> dict[str, tuple[float, float]]:
    """Per run: from its first step's start to its last step's end."""
    spans: dict[str, tuple[float, float]] = {}
    for s in steps:
        first, last = spans.get(s.run_id, (s.start, s.end))
        spans[s.run_id] = (min(first, s.start), max(last, s.end))
    return spans


def assert_all_steps_ran(steps: list[Step], partitions: dict[str, str]) -> None:
    """Every run executed every step once, each for its own partition."""
    by_run: dict[str, set[str]] = {}
    for s in steps:
        assert s.partition == partitions[s.run_id], f"{s.run_id} {s.task_id} processed {s.partition}"
        by_run.setdefault(s.run_id, set()).add(s.task_id)
    assert by_run == {run_id: EXECUTED_STEPS for run_id in partitions}


def trigger_like_xetl(cluster: AirflowCluster, days: list[date], of: list[date]) -> dict[str, str]:
    """One manual run per day, in date order, with the body `xetl trigger --from --to` sends through
    MWAA's InvokeRestApi (path without /api/v2): its run id, a null logical date, the partition, the
    note naming the whole range `of`."""
    triggered: dict[str, str] = {}
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    for day in days:
        run_id = f"manual__{day.isoformat()}__{stamp}"
        body = {"dag_run_id": run_id, "logical_date": None, "conf": {"partition": day.isoformat()},
                "note": f"xetl backfill {of[0]}..{of[-1]} ({of.index(day) + 1}/{len(of)})"}  # fmt: skip
        status, answer = cluster.request("POST", f"/dags/{DAG_ID}/dagRuns", body)
        assert status == 200, (status, answer)
        assert answer["state"] == "queued"
        triggered[run_id] = day.isoformat()
    return triggered


def trigger_with_airflow_cli(cluster: AirflowCluster, days: list[date]) -> dict[str, str]:
    """One manual run per day with the docs' command for self-managed Airflow,
    `airflow dags trigger <dag_id> -c '{"partition": "<day>"}'`; Airflow names the runs."""
    for day in days:
        done = cluster.cli("dags", "trigger", DAG_ID, "-c", json.dumps({"partition": day.isoformat()}))
        assert done.returncode == 0, done.stderr[-2000:]
    status, body = cluster.request("GET", f"/dags/{DAG_ID}/dagRuns?limit=100&order_by=run_after")
    assert status == 200, body
    by_partition = {run["conf"]["partition"]: run["dag_run_id"] for run in body["dag_runs"]}
    return {by_partition[day.isoformat()]: day.isoformat() for day in days}


@contextlib.contextmanager
def kept_on_failure(request: pytest.FixtureRequest) -> Iterator[Path]:
    """A work folder, removed when the block ends normally and no test failed meanwhile; kept (its
    path printed) after a failure, an error or an interruption."""
    work = Path(tempfile.mkdtemp(prefix="xetl-backfill-test-"))
    failed_before = request.session.testsfailed
    clean = False
    try:
        yield work
        clean = request.session.testsfailed == failed_before
    finally:
        if clean:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"\nbackfill test: component logs, task logs and steps kept in {work}/logs and {work}/steps.jsonl")


@pytest.fixture(scope="module")
def launched(request: pytest.FixtureRequest) -> Iterator[Launched]:
    """The cluster with every scenario launched: the shipped DAG's five manual runs and one backfill
    per variant, each running beside the others under its own pool."""
    with kept_on_failure(request) as work:
        dags = work / "dags"
        dags.mkdir()
        (dags / DAG_FILE).symlink_to(DAGS_DIR / DAG_FILE)
        shipped = (DAGS_DIR / DAG_FILE).read_text(encoding="utf-8")
        for variant in VARIANTS:
            (dags / f"{variant.dag_id}.py").write_text(variant.source(shipped), encoding="utf-8")
        record = work / "steps.jsonl"
        record.touch()
        env = {
            RUNTIME_ENV_VAR: "recording_runtime:RecordingRuntime",
            "PYTHONPATH": str(TESTS_DIR),
            RECORD_ENV: str(record),
            STEP_SECONDS_ENV: str(STEP_SECONDS),
            WAIT_SECONDS_ENV: str(WAIT_SECONDS),
        }
        with pytest.MonkeyPatch.context() as machine:
            # Behind a proxy that is down (as on a CI runner) and no NO_PROXY: the components and
            # the harness still reach one another on loopback (the harness exempts it).
            for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
                machine.setenv(var, "http://127.0.0.1:9")
            for var in ("NO_PROXY", "no_proxy"):
                machine.delenv(var, raising=False)
            with postgres_server() as pg, airflow_cluster(
                pg.url().replace("postgresql://", "postgresql+psycopg2://"), dags, work_dir=work,
                parallelism=16, env=env, startup_timeout=STARTUP_TIMEOUT,
            ) as cluster:  # fmt: skip
                created = cluster.cli(*pool_command(POOL, POOL_SLOTS, POOL_INCLUDE_DEFERRED))
                assert created.returncode == 0, created.stderr[-2000:]
                for v in VARIANTS:  # the same kind of pool through the REST API, as `xetl bootstrap` creates it on MWAA
                    pool = {"name": v.pool, "slots": v.pool_slots, "include_deferred": v.pool_include_deferred}
                    assert cluster.request("POST", "/pools", pool)[0] == 201
                for dag_id in [DAG_ID, *(v.dag_id for v in VARIANTS)]:
                    cluster.wait_for(
                        lambda d=dag_id: True if cluster.request("GET", f"/dags/{d}")[0] == 200 else None,
                        STARTUP_TIMEOUT, f"{dag_id} parsed",
                    )  # fmt: skip
                launched_at = time.monotonic()
                # Both routes of the docs' Backfills section queue in one line: MWAA's, then the CLI's.
                triggered = trigger_like_xetl(cluster, DAYS[:3], of=DAYS) | trigger_with_airflow_cli(cluster, DAYS[3:])
                # The docs' command for the variant with the product's pool; the other two through the API.
                created = cluster.cli(*backfill_command(WITH_PIPELINE_POOL.dag_id, 5))
                assert created.returncode == 0, created.stderr[-2000:]
                for variant in (WITH_WIDE_POOL, WITH_DEFERRED_UNCOUNTED):
                    assert cluster.request("POST", "/backfills", backfill_body(variant.dag_id, 5))[0] == 200
                refused_cli = cluster.cli(*backfill_command(DAG_ID, 5))
                refused_api = cluster.request("POST", "/backfills", backfill_body(DAG_ID, 5))
                yield Launched(cluster, record, launched_at, triggered, refused_cli, refused_api)


def test_airflow_backfill_of_the_products_dag_is_refused_because_it_has_no_schedule(launched: Launched) -> None:
    cli = launched.refused_cli
    assert cli.returncode == 1
    assert f"DagNoScheduleException: {DAG_ID} has no schedule" in cli.stderr
    assert launched.refused_api == (422, {"detail": f"{DAG_ID} has no schedule"})
    status, body = launched.cluster.request("GET", f"/backfills?dag_id={DAG_ID}")
    assert (status, body["total_entries"]) == (200, 0)


def test_five_days_triggered_like_xetl_trigger_and_airflow_dags_trigger_run_one_at_a_time_in_date_order(
    launched: Launched,
) -> None:
    runs = launched.runs(DAG_ID, expected=len(DAYS))
    assert [(r["dag_run_id"], r["run_type"], r["state"]) for r in runs] == [
        (run_id, "manual", "success") for run_id in launched.triggered
    ]
    steps = launched.steps(DAG_ID)
    assert_all_steps_ran(steps, launched.triggered)
    assert overlapping_pairs(steps) == []
    # Whole runs, by the tasks' records and by the metadata DB: each ends before the next starts.
    spans = run_spans(steps)
    assert sorted(spans, key=lambda run_id: spans[run_id][0]) == list(launched.triggered)
    ordered = [spans[run_id] for run_id in launched.triggered]
    assert all(before[1] <= after[0] for before, after in pairwise(ordered))
    assert all(at(before, "end_date") <= at(after, "start_date") for before, after in pairwise(runs))


def backfilled(launched: Launched, variant: Variant) -> tuple[list[dict[str, Any]], list[Step]]:
    """The variant's five backfill runs (all succeeded) and their recorded steps."""
    runs = launched.runs(variant.dag_id, expected=len(DAYS))
    assert [(r["logical_date"][:10], r["run_type"], r["state"]) for r in runs] == [
        (day.isoformat(), "backfill", "success") for day in DAYS
    ]
    steps = launched.steps(variant.dag_id)
    assert_all_steps_ran(steps, {r["dag_run_id"]: r["logical_date"][:10] for r in runs})
    return runs, steps


def test_airflow_backfill_with_the_pipeline_pool_interleaves_runs_and_overlaps_them_during_rescheduled_waits(
    launched: Launched,
) -> None:
    runs, steps = backfilled(launched, WITH_PIPELINE_POOL)
    # The backfill's own limit (5), not the DAG's max_active_runs=1: all five runs were active together.
    status, body = launched.cluster.request("GET", f"/backfills?dag_id={WITH_PIPELINE_POOL.dag_id}")
    assert status == 200 and [b["max_active_runs"] for b in body["backfills"]] == [5]
    assert max(at(r, "start_date") for r in runs) < min(at(r, "end_date") for r in runs)
    # The runs interleave step by step: the pool serialises tasks, not runs.
    spans = sorted(run_spans(steps).values())
    assert any(before[1] > after[0] for before, after in pairwise(spans))
    # The one slot, deferred tasks counted, keeps every task apart, deferred waits included, except
    # while the crawler wait is up_for_reschedule between its pokes: then another run's task runs.
    kinds = overlap_kinds(steps)
    assert kinds and all("rescheduled" in pair for pair in kinds), kinds


def test_airflow_backfill_without_the_one_slot_pool_overlaps_tasks_of_different_runs(launched: Launched) -> None:
    _, steps = backfilled(launched, WITH_WIDE_POOL)
    kinds = overlap_kinds(steps)
    assert any("rescheduled" not in pair for pair in kinds), kinds


def test_a_pool_that_does_not_count_deferred_tasks_lets_other_runs_work_during_a_deferred_wait(
    launched: Launched,
) -> None:
    _, steps = backfilled(launched, WITH_DEFERRED_UNCOUNTED)
    kinds = overlap_kinds(steps)
    assert ("plain", "plain") not in kinds, kinds
    assert kinds & {("deferred", "plain"), ("deferred", "deferred")}, kinds
