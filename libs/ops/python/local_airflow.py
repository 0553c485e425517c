"""Answers `xetl runs` / `xetl status` for the local environment from the local Airflow's own
metadata DB, through Airflow's models (what `airflow dags list-runs` calls, plus each run's conf,
which that command does not print). Run with the repo's Airflow venv; AIRFLOW_HOME and the
connection string come from the caller (libs/ops/src/local-airflow.ts).

usage: python local_airflow.py dag-runs '{"dag_id": ..., "limit": 25, "offset": 0, "run_after_gte": null}'
prints: {"dag_runs": [...], "total_entries": N} shaped like Airflow 3's GET /dags/{dag_id}/dagRuns
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def dag_runs(request: dict[str, Any]) -> dict[str, Any]:
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import func, select

    query = select(DagRun).where(DagRun.dag_id == request["dag_id"])
    if request.get("run_after_gte"):
        query = query.where(DagRun.run_after >= datetime.fromisoformat(request["run_after_gte"].replace("Z", "+00:00")))
    with create_session() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery()))
        rows = session.scalars(
            query.order_by(DagRun.run_after.desc(), DagRun.id.desc())
            .offset(int(request.get("offset") or 0))
            .limit(int(request.get("limit") or 25))
        ).all()
        runs = [
            {
                "dag_run_id": r.run_id,
                "dag_id": r.dag_id,
                "logical_date": _iso(r.logical_date),
                "queued_at": _iso(r.queued_at),
                "start_date": _iso(r.start_date),
                "end_date": _iso(r.end_date),
                "run_after": _iso(r.run_after),
                "run_type": str(r.run_type.value if hasattr(r.run_type, "value") else r.run_type),
                "state": str(r.state.value if hasattr(r.state, "value") else r.state),
                "conf": r.conf or {},
                "note": r.note,
            }
            for r in rows
        ]
    return {"dag_runs": runs, "total_entries": total}


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] != "dag-runs":
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(dag_runs(json.loads(argv[2]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
