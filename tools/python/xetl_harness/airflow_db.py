"""Reading a DAG run's outcome from Airflow's SQLite metadata database (what `airflow dags test`
leaves behind): the local run and the dbt group's Airflow test both report task states from it."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import datetime
from pathlib import Path


def task_states(db_path: Path, dag_id: str, run_id: str) -> dict[str, tuple[str, float]]:
    """Each task of the run: (state, seconds it ran); a task that never ran is ("none", 0.0)."""
    with contextlib.closing(sqlite3.connect(db_path)) as db:
        rows = db.execute(
            "SELECT task_id, state, start_date, end_date FROM task_instance WHERE dag_id = ? AND run_id = ?",
            (dag_id, run_id),
        ).fetchall()
    states = {}
    for task_id, state, start, end in rows:
        seconds = (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() if start and end else 0.0
        states[task_id] = (state or "none", seconds)
    return states


def last_run_id(db_path: Path, dag_id: str) -> str | None:
    """The newest DAG run's id, or None when the DAG has no run."""
    with contextlib.closing(sqlite3.connect(db_path)) as db:
        row = db.execute("SELECT run_id FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1", (dag_id,)).fetchone()
    return row[0] if row else None
