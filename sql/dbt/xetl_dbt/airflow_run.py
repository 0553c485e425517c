"""Run the dbt task group (dags/xetl_tasks/dbt.py) in real Airflow 3.0.6 with Cosmos against a local
warehouse: a DAG of the pipeline's shape (quality gate -> dbt group -> publish step) executed with
``airflow dags test`` in the airflow venv, every dbt task running the packaged project with the dbt
venv's executable, the profile built from an Airflow Postgres connection, as the local run will.

Used by the dbt project's tests and bench (this process runs in the dbt venv; Airflow runs in its
own, as a subprocess). Returns each task's state and time from Airflow's metadata database, and the
run's log.
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from xetl_harness.airflow_db import last_run_id, task_states
from xetl_harness.postgres import TRUST_AUTH_PLACEHOLDER

from xetl_dbt.warehouse import REPO_ROOT, LocalWarehouse, dbt_executable

DAG_ID = "xetl_dbt_group_run"
GATE, PUBLISH = "check_data_quality", "unload_to_target"
DAG_SOURCE = f'''
"""The products pipeline's shape around the dbt group: the quality gate, the group, the publish step."""
import pendulum
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG
from xetl_tasks.dbt import DbtSettings, add_dbt_task_group
from xetl_tasks.templates import macros

with DAG(dag_id="{DAG_ID}", schedule=None, start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
         user_defined_macros=macros(), default_args={{"retries": 0}}):
    gate = EmptyOperator(task_id="{GATE}")
    publish = EmptyOperator(task_id="{PUBLISH}")
    gate >> add_dbt_task_group(DbtSettings.from_env()) >> publish
'''


def airflow_bin() -> Path:
    return Path(os.environ.get("XETL_AIRFLOW_BIN") or REPO_ROOT / ".venvs" / "airflow" / "bin")


@dataclass
class AirflowRun:
    """One DAG run: task id -> (state, seconds), and the run's output."""

    states: dict[str, tuple[str, float]]
    log: str
    wall_seconds: float

    def state(self, task_id: str) -> str:
        return self.states.get(task_id, ("none", 0.0))[0]


class AirflowHome:
    """An Airflow home with a migrated SQLite metadata database and a DAGs folder holding DAG_SOURCE."""

    def __init__(self, root: Path, warehouse: LocalWarehouse, project_dir: Path) -> None:
        self.root = root
        self.dags = root / "dags"
        self.dags.mkdir(parents=True, exist_ok=True)
        (self.dags / f"{DAG_ID}.py").write_text(textwrap.dedent(DAG_SOURCE))
        server = warehouse.server
        connection = {
            "conn_type": "postgres",
            "host": server.host,
            "port": server.port,
            "login": server.user,
            # The server trusts loopback connections; Cosmos's mapping requires some password.
            "password": TRUST_AUTH_PLACEHOLDER,
            "schema": warehouse.database,
        }
        self.env = {
            **os.environ,
            "AIRFLOW_HOME": str(root / "home"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
            "AIRFLOW_CONN_XETL_WAREHOUSE": json.dumps(connection),
            "XETL_DBT_WAREHOUSE": "postgres",
            "XETL_DBT_PROJECT_DIR": str(project_dir),
            "XETL_DBT_EXECUTABLE": dbt_executable(),
        }
        self.env.pop("VIRTUAL_ENV", None)
        self._airflow("db", "migrate")

    def _airflow(self, *args: str, timeout: float = 1800) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [str(airflow_bin() / "airflow"), *args],
            env=self.env, cwd=self.root, capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
        if args[:2] == ("db", "migrate") and proc.returncode != 0:
            raise RuntimeError(f"airflow db migrate failed:\n{(proc.stdout + proc.stderr)[-3000:]}")
        return proc

    def run(self, partition: str) -> AirflowRun:
        """``airflow dags test`` for the partition (a fresh logical date, so each call is a new run)."""
        logical = datetime.now(UTC).replace(microsecond=0).isoformat()
        started = time.monotonic()
        proc = self._airflow("dags", "test", DAG_ID, logical, "-c", json.dumps({"partition": partition}))
        wall = time.monotonic() - started
        db_path = self.root / "home" / "airflow.db"
        run_id = last_run_id(db_path, DAG_ID)
        if run_id is None:
            raise RuntimeError(f"airflow dags test created no DAG run: {(proc.stdout + proc.stderr)[-2000:]}")
        states = task_states(db_path, DAG_ID, run_id)
        return AirflowRun(states, proc.stdout + proc.stderr, wall)
