"""The dbt project's local warehouse: PostgreSQL 15 with the pipeline's tables, and dbt pointed at it.

The tables come from the same migrations Redshift runs (``sql/migrations``, adapted by
``xetl_sql_tools.to_postgres``), and partitions are loaded the way the pipeline loads them: rows into
``xetl.products_staging``, then ``CALL xetl.sp_load_products_partition``, which replaces the
partition and writes its audit row in one transaction. dbt runs as its CLI (what Cosmos runs on
MWAA), on the ``postgres`` target of ``profiles.yml``, with every output (manifest, run results,
logs) under a directory the caller chooses.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg2
from xetl_harness import PostgresServer, postgres_server
from xetl_sql_tools.warehouse import migrate, scratch_database

PROJECT_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = PROJECT_DIR.parents[1]
# The interpreter's own dbt (the dbt venv) unless the caller names another one.
DBT_EXECUTABLE_ENV = "XETL_DBT_EXECUTABLE"
CURATED_COLUMNS = ("product_id", "product_name", "category", "price", "quantity", "updated_at")


def dbt_executable() -> str:
    override = os.environ.get(DBT_EXECUTABLE_ENV)
    if override:
        return override
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else "dbt"


def apply_migrations(dsn: str) -> None:
    """Every migration, adapted to PostgreSQL, one transaction per file, as the local run applies them."""
    migrate(dsn)


@dataclass(frozen=True)
class LocalWarehouse:
    """One migrated database on a running server."""

    server: PostgresServer
    database: str

    @property
    def dsn(self) -> str:
        return self.server.dsn(self.database)

    def connect(self) -> Any:
        conn = psycopg2.connect(self.dsn)
        conn.autocommit = True
        return conn

    def dbt_env(self) -> dict[str, str]:
        """The environment that points profiles.yml's postgres target at this database."""
        return {
            "XETL_DBT_TARGET": "postgres",
            "XETL_DBT_PG_HOST": self.server.host,
            "XETL_DBT_PG_PORT": str(self.server.port),
            "XETL_DBT_PG_USER": self.server.user,
            "XETL_DBT_PG_DATABASE": self.database,
        }

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with contextlib.closing(self.connect()) as conn, conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall()

    def load_partition(
        self, partition: str, rows: Iterable[Mapping[str, Any]], run_id: str, source_file: str | None = None
    ) -> int:
        """Load one partition as the pipeline does (staging rows, then the load procedure); returns
        the rows staged. Each row maps the curated columns; source_file defaults to a contract path."""
        day = partition.split("-")
        source = source_file or f"s3://xetl-local-source/products/year={day[0]}/month={day[1]}/day={day[2]}/feed.csv"
        values = [
            (*(row[c] for c in CURATED_COLUMNS), row.get("source_file", source), partition) for row in rows
        ]
        with contextlib.closing(self.connect()) as conn:
            with conn, conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO xetl.products_staging "
                    f"({', '.join(CURATED_COLUMNS)}, source_file, partition_date) "
                    f"VALUES ({', '.join(['%s'] * (len(CURATED_COLUMNS) + 2))})",
                    values,
                )
                cur.execute("CALL xetl.sp_load_products_partition(%s::date, %s)", (partition, run_id))
        return len(values)


@contextlib.contextmanager
def migrated_database(server: PostgresServer, template: str | None = None) -> Iterator[LocalWarehouse]:
    """A new database on ``server``, dropped afterwards: a copy of ``template`` when given (fast),
    else created empty and migrated."""
    with scratch_database(server.dsn(), template or "template0") as name:
        house = LocalWarehouse(server, name)
        if template is None:
            apply_migrations(house.dsn)
        yield house


@contextlib.contextmanager
def local_warehouse() -> Iterator[LocalWarehouse]:
    """A throwaway PostgreSQL server with one migrated database."""
    with postgres_server() as server, migrated_database(server) as house:
        yield house


@dataclass
class DbtResult:
    """What one dbt command did: exit code, console output, and its results file (if any)."""

    command: list[str]
    returncode: int
    output: str
    run_results: dict[str, Any] | None = field(repr=False, default=None)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def statuses(self) -> dict[str, str]:
        """unique_id -> status ("success", "pass", "fail", "error", "skipped", ...)."""
        return {r["unique_id"]: r["status"] for r in (self.run_results or {}).get("results", [])}

    def timings(self) -> dict[str, float]:
        """unique_id -> seconds dbt spent executing the node."""
        return {r["unique_id"]: r["execution_time"] for r in (self.run_results or {}).get("results", [])}


def run_dbt(
    args: Sequence[str],
    env: Mapping[str, str],
    target_path: Path,
    *,
    dbt_vars: Mapping[str, Any] | None = None,
    project_dir: Path = PROJECT_DIR,
    timeout: float = 1800,
) -> DbtResult:
    """Run the dbt CLI on the project in ``project_dir`` (its own profiles.yml) with ``env`` added
    to the environment; outputs go to ``target_path``. Its results file (run_results.json, or
    sources.json for ``source freshness``) is removed first and read back, so it is this run's."""
    target_path.mkdir(parents=True, exist_ok=True)
    results_file = target_path / ("sources.json" if list(args[:2]) == ["source", "freshness"] else "run_results.json")
    results_file.unlink(missing_ok=True)
    command = [
        dbt_executable(),
        *args,
        "--project-dir", str(project_dir),
        "--profiles-dir", str(project_dir),
        "--target-path", str(target_path),
        "--log-path", str(target_path / "logs"),
    ]  # fmt: skip
    if dbt_vars:
        command += ["--vars", json.dumps(dict(dbt_vars))]
    proc = subprocess.run(
        command,
        env={**os.environ, **env},
        cwd=project_dir,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    run_results = json.loads(results_file.read_text()) if results_file.exists() else None
    return DbtResult(command, proc.returncode, proc.stdout + proc.stderr, run_results)
