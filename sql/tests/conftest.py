"""Fixtures: one PostgreSQL server for the whole session (xetl_harness), a database migrated once
from the Redshift files, and a fresh copy of it for every test that writes.

The server is started and stopped by the harness's context manager, so it is stopped even when
tests fail or the run is interrupted. Databases are cloned with CREATE DATABASE ... TEMPLATE, which
is much faster than migrating each time and keeps tests independent.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support import Warehouse
from xetl_harness import PostgresServer, postgres_server
from xetl_sql_tools.warehouse import migrate, scratch_database


def apply_migrations(dsn: str) -> None:
    """Every migration, adapted to PostgreSQL, one transaction per file (as on Redshift), exactly as
    the local run applies them."""
    migrate(dsn)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="session")
def migrated_template(pg_server: PostgresServer) -> Iterator[str]:
    """The name of a database with all migrations applied, used only as a template."""
    with scratch_database(pg_server.dsn()) as name:
        apply_migrations(pg_server.dsn(name))
        yield name


@pytest.fixture
def empty_database(pg_server: PostgresServer) -> Iterator[str]:
    with scratch_database(pg_server.dsn()) as name:
        yield pg_server.dsn(name)


@pytest.fixture
def warehouse(pg_server: PostgresServer, migrated_template: str) -> Iterator[Warehouse]:
    with scratch_database(pg_server.dsn(), template=migrated_template) as name:
        house = Warehouse(pg_server.dsn(name))
        try:
            yield house
        finally:
            house.close()
