"""The warehouse migrations: `sql/migrations/NNNN_<intent>.sql`, in Redshift's dialect, applied in order.

Every file is re-runnable (`CREATE ... IF NOT EXISTS`, `CREATE OR REPLACE PROCEDURE`), so there is
no bookkeeping table: applying all of them, every time, is the deployment. That holds only while
each file stays re-runnable; a later change to an existing table needs its own guarded migration
(Redshift has no `ADD COLUMN IF NOT EXISTS`).

To apply on Redshift, run each migration's `statements()` as one Data API batch (one transaction
per file). Locally, `xetl_sql_tools.to_postgres.script_to_postgres(migration.read())` gives the PostgreSQL form.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from xetl_sql.sqltext import split_statements

_FILE_NAME = re.compile(r"^(?P<number>\d{4})_(?P<name>[a-z0-9]+(?:_[a-z0-9]+)*)\.sql$")


def sql_root() -> Path:
    """The folder that holds `migrations/`: the repository's `sql/` folder (this package's parent).
    `XETL_SQL_ROOT` overrides it for a copy of the SQL elsewhere."""
    override = os.environ.get("XETL_SQL_ROOT")
    return Path(override) if override else Path(__file__).resolve().parent.parent


class MigrationLayoutError(ValueError):
    """The migrations folder holds a misnamed file, a duplicate number or a gap in the sequence."""


@dataclass(frozen=True)
class Migration:
    """One migration file: its number orders it, its name says its single intent."""

    number: int
    name: str
    path: Path

    @property
    def filename(self) -> str:
        return self.path.name

    def read(self) -> str:
        return self.path.read_text(encoding="utf-8")

    def statements(self) -> list[str]:
        """The file's statements in order, without terminating semicolons (for a Data API batch)."""
        return split_statements(self.read())


def list_migrations(root: Path | None = None) -> list[Migration]:
    """All migrations in the order they must run.

    Numbers must be unique and contiguous from 0001: a gap or a duplicate is nearly always a merge
    mistake, and silently running the files in some order would hide it.
    """
    folder = (root or sql_root()) / "migrations"
    if not folder.is_dir():
        raise MigrationLayoutError(f"no migrations folder at {folder}")
    found: list[Migration] = []
    for path in sorted(folder.iterdir()):
        if path.suffix != ".sql":
            continue
        match = _FILE_NAME.match(path.name)
        if not match:
            raise MigrationLayoutError(f"{path.name}: migration files are named NNNN_<snake_case_intent>.sql")
        found.append(Migration(int(match["number"]), match["name"], path))
    found.sort(key=lambda m: m.number)
    for expected, migration in enumerate(found, start=1):
        if migration.number != expected:
            raise MigrationLayoutError(
                f"{migration.filename}: expected migration number {expected:04d} "
                "(numbers are unique and contiguous from 0001)"
            )
    return found
