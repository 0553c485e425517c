"""Real Airflow 3 components as child processes, for tests that need the scheduler's own decisions.

    with postgres_server() as pg, airflow_cluster(pg.url(), dags_folder, work_dir=tmp) as cluster:
        cluster.cli("pools", "set", "xetl_pipeline", "1", "one task at a time", "--include-deferred")
        status, body = cluster.request("POST", "/dags/<dag_id>/dagRuns", {"logical_date": None})

`dag.test()` runs a DAG's tasks one after another in one process, so it can prove nothing about
concurrency. This starts what a deployment runs: `airflow api-server` (the REST API and the Task
Execution API the workers report to), `airflow scheduler` with the LocalExecutor (tasks in parallel
worker processes, up to `parallelism`), `airflow dag-processor` and, unless turned off,
`airflow triggerer` (deferred tasks), against a metadata database that allows the LocalExecutor
(PostgreSQL; SQLite only allows the SequentialExecutor's one task at a time).

What it does, and why:

- `airflow db migrate` first, then every component in its own session, each writing its output to
  `<work_dir>/logs/<component>.log`; task logs go to `<work_dir>/logs/tasks`. Nothing is deleted on
  exit: the logs are what explains a failure.
- Every port is chosen free on 127.0.0.1 (API server, the scheduler's and triggerer's log servers),
  so several clusters and other programs on the machine do not collide.
- The components share one JWT secret (the workers' tokens are issued by the scheduler and checked
  by the API server) and the simple auth manager with every request an admin: acceptable only
  because the API listens on loopback for the duration of a test.
- `cluster` is yielded only when the API server answers and its health endpoint reports the
  scheduler, the dag-processor (and the triggerer) healthy; a component that exits while starting
  fails with the tail of its log.
- On exit from the `with` block (also on an exception or Ctrl-C) each component's process group
  (it and every worker, parser or task process it started) gets SIGTERM, then SIGKILL after
  `stop_timeout` seconds, and is reaped. A component whose parent dies without that (SIGKILL) gets
  SIGTERM from the kernel (Linux parent-death signal).

Standard library only (Linux); the `airflow` executable is taken from the running interpreter's environment
unless `airflow_bin` names another one.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from xetl_harness.loopback import exempt_loopback_from_proxies

LOOPBACK = "127.0.0.1"
API_PREFIX = "/api/v2"
HEALTHY = "healthy"
_PR_SET_PDEATHSIG = 1

T = TypeVar("T")


class AirflowClusterError(RuntimeError):
    """A component did not start, died, or a wait ran out; the message says which and shows its log."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def _log_tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return f"(no log at {path})"
    return f"--- last {min(lines, len(text))} lines of {path} ---\n" + "\n".join(text[-lines:])


@dataclass
class AirflowCluster:
    """Running components: the CLI and the REST API of the cluster, and its logs."""

    home: Path
    log_dir: Path
    api_url: str
    env: dict[str, str]
    airflow_bin: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def cli(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        """`airflow <args>` with the cluster's settings; the result, whatever its exit status.
        Its output is also appended to `logs/cli.log`."""
        started = time.monotonic()
        proc = subprocess.run(
            [str(self.airflow_bin), *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        took = time.monotonic() - started
        with open(self.log_dir / "cli.log", "a", encoding="utf-8") as log:
            log.write(f"$ airflow {' '.join(args)}  -> exit {proc.returncode} in {took:.1f} s\n{proc.stdout}{proc.stderr}\n")
        return proc

    def request(self, method: str, path: str, body: Any = None, timeout: float = 30) -> tuple[int, Any]:
        """A call to the public REST API (`path` without `/api/v2`, as MWAA's InvokeRestApi takes it):
        the status and the decoded JSON body (None when empty), also for 4xx/5xx answers."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.api_url + API_PREFIX + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as res:
                status, raw = res.status, res.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode(errors="replace")

    def check_alive(self) -> None:
        """Fail with the component's log tail if any component has exited."""
        for name, proc in self.processes.items():
            code = proc.poll()
            if code is not None:
                raise AirflowClusterError(f"airflow {name} exited with status {code}\n{_log_tail(self.log_dir / f'{name}.log')}")

    def wait_for(self, probe: Callable[[], T | None], timeout: float, what: str, interval: float = 1.0) -> T:
        """Poll `probe` until it returns something other than None (its value), checking that every
        component is still alive in between; AirflowClusterError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            value = probe()
            if value is not None:
                return value
            if time.monotonic() > deadline:
                raise AirflowClusterError(f"timed out after {timeout:.0f} s waiting for {what}; logs in {self.log_dir}")
            time.sleep(interval)

    def health(self) -> dict[str, Any] | None:
        with contextlib.suppress(OSError):
            status, body = self.request("GET", "/monitor/health", timeout=5)
            if status == 200 and isinstance(body, dict):
                return body
        return None


def _cluster_env(
    home: Path, log_dir: Path, sql_alchemy_conn: str, dags_folder: Path, api_port: int, parallelism: int,
    extra: Mapping[str, str],
) -> dict[str, str]:  # fmt: skip
    api_url = f"http://{LOOPBACK}:{api_port}"
    return {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": str(parallelism),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": sql_alchemy_conn,
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api_url}/execution/",
        "AIRFLOW__API__HOST": LOOPBACK,
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__API__BASE_URL": api_url,
        # One API worker is plenty for a test and saves ~200 MB per extra worker.
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(log_dir / "tasks"),
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(_free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(_free_port()),
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        # The task supervisor waits up to this long (default 5 s) between looks at its task process,
        # so the executor learns of a finished task that much later: every task slot is held longer,
        # and a deferred task can resume before the scheduler has seen its first process exit, which
        # Airflow 3.0.6 then fails as "state changed externally" (apache/airflow#66374).
        "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": "1",
        # The components' logs are for diagnosis: what the scheduler decided, and why.
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        "NO_COLOR": "1",
        **extra,
    }


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the process that started it dies, even by SIGKILL
    (Linux prctl PR_SET_PDEATHSIG), so a killed test session leaves no component behind."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _launch(cluster: AirflowCluster, name: str, args: Sequence[str]) -> None:
    with open(cluster.log_dir / f"{name}.log", "ab") as log:  # the child keeps its own descriptor
        cluster.processes[name] = subprocess.Popen(
            [str(cluster.airflow_bin), *args],
            env=cluster.env,
            cwd=cluster.home,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own process group: stopping it reaches every worker and parser it forks.
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )


def _stop(proc: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGTERM to the process group, SIGKILL to it after `timeout` s; reap. Never raises."""
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 10.0)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        # The leader is gone; make sure nothing it started outlives it.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        return


def _healthy(cluster: AirflowCluster, required: Sequence[str]) -> dict[str, Any] | None:
    health = cluster.health()
    if health is None:
        return None
    states = {key: (health.get(key) or {}).get("status") for key in required}
    return health if all(state == HEALTHY for state in states.values()) else None


@contextlib.contextmanager
def airflow_cluster(
    sql_alchemy_conn: str,
    dags_folder: Path | str,
    *,
    work_dir: Path | str,
    parallelism: int = 8,
    triggerer: bool = True,
    env: Mapping[str, str] | None = None,
    airflow_bin: Path | str | None = None,
    startup_timeout: float = 240,
    stop_timeout: float = 20,
) -> Iterator[AirflowCluster]:
    """Run api-server, scheduler (LocalExecutor), dag-processor and triggerer for the `with` block.

    sql_alchemy_conn: the metadata database (PostgreSQL for the LocalExecutor), migrated here.
    dags_folder: what the dag-processor parses.
    work_dir: AIRFLOW_HOME (`<work_dir>/home`) and the logs (`<work_dir>/logs`), kept afterwards.
    parallelism: task slots of the scheduler's LocalExecutor (more than 1 to see concurrency).
    triggerer: start the triggerer (needed for deferrable tasks).
    env: extra environment for every component and CLI call (e.g. what the DAG files read).
    """
    # The harness's REST calls and the components' calls to the API server go to loopback.
    exempt_loopback_from_proxies()
    work = Path(work_dir)
    home, log_dir = work / "home", work / "logs"
    home.mkdir(parents=True, exist_ok=True)
    (log_dir / "tasks").mkdir(parents=True, exist_ok=True)
    binary = Path(airflow_bin) if airflow_bin else Path(sys.executable).parent / "airflow"
    if not binary.is_file():
        raise AirflowClusterError(f"no airflow executable at {binary}; run this from Airflow's environment")
    api_port = _free_port()
    cluster = AirflowCluster(
        home=home,
        log_dir=log_dir,
        api_url=f"http://{LOOPBACK}:{api_port}",
        env=_cluster_env(home, log_dir, sql_alchemy_conn, Path(dags_folder), api_port, parallelism, env or {}),
        airflow_bin=binary,
    )
    try:
        migrated = cluster.cli("db", "migrate", timeout=startup_timeout)
        if migrated.returncode != 0:
            raise AirflowClusterError(f"airflow db migrate failed:\n{migrated.stderr[-3000:]}")
        _launch(cluster, "api-server", ["api-server", "--host", LOOPBACK, "--port", str(api_port)])
        _launch(cluster, "scheduler", ["scheduler"])
        _launch(cluster, "dag-processor", ["dag-processor"])
        required = ["metadatabase", "scheduler", "dag_processor"]
        if triggerer:
            _launch(cluster, "triggerer", ["triggerer"])
            required.append("triggerer")
        cluster.wait_for(lambda: _healthy(cluster, required), startup_timeout, f"{', '.join(required)} healthy")
        yield cluster
    finally:
        for name in reversed(list(cluster.processes)):
            _stop(cluster.processes[name], stop_timeout)
