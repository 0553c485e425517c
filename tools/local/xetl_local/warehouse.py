"""The local runtime's warehouse client: statements rendered by `xetl_sql`, run on PostgreSQL by the
Data API stand-in (`xetl_sql_tools.warehouse`) in the tools venv, as one transaction per call.

The engine needs sqlglot, pyarrow and psycopg 3, which are not in the MWAA constraints the Airflow
venv is built from, so it runs as a process (JSON over stdin/stdout), the way the AWS runtime calls
the Redshift Data API. Standard library only on this side.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from xetl_local.env import DSN_ENV, TOOLS_PYTHON_ENV

REPO_ROOT = Path(__file__).resolve().parents[3]


class WarehouseError(RuntimeError):
    """A statement failed in the stand-in; the message carries PostgreSQL's own error."""


def tools_python() -> str:
    return os.environ.get(TOOLS_PYTHON_ENV) or str(REPO_ROOT / ".venvs" / "tools" / "bin" / "python")


def run_statements(
    statements: list[str],
    *,
    dsn: str | None = None,
    copy_mirrors: Mapping[str, str] | None = None,
    unload_dir: str | None = None,
    timeout: float = 3600,
) -> list[dict[str, Any]]:
    """Run `statements` in one transaction on the stand-in; returns the engine's results in order: one
    per statement (`statement`, `kind`, rows for queries, row counts, COPY/UNLOAD details) and the
    server's notices (`notice`). Raises WarehouseError with the engine's message."""
    request = {"dsn": dsn or os.environ[DSN_ENV], "statements": statements}
    if copy_mirrors:
        request["copy_mirrors"] = dict(copy_mirrors)
    if unload_dir:
        request["unload_dir"] = unload_dir
    proc = subprocess.run(
        [tools_python(), "-m", "xetl_sql_tools.warehouse"],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    try:
        response = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() else None
    except json.JSONDecodeError:
        response = None
    if not isinstance(response, dict):
        raise WarehouseError(
            f"warehouse engine ({tools_python()}) exited with {proc.returncode} and no answer: {proc.stderr.strip()[-2000:]}"
        )
    if response.get("error"):
        raise WarehouseError(response["error"])
    return list(response["results"])
