"""Test and local-run harnesses shared across xetl's Python projects (standard library only).

- `xetl_harness.postgres`: a local PostgreSQL server (throwaway or persistent) as a context manager,
  the stand-in for Redshift in `sql/tests` and in the local pipeline run.
"""

from .postgres import (
    PostgresNotAvailableError,
    PostgresServer,
    PostgresStartError,
    TerminatedBySignal,
    find_binaries,
    postgres_server,
)

__all__ = [
    "PostgresNotAvailableError",
    "PostgresServer",
    "PostgresStartError",
    "TerminatedBySignal",
    "find_binaries",
    "postgres_server",
]
