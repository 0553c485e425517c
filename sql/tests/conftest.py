"""Fixtures: one PostgreSQL server for the whole session (xetl_harness), a database migrated once
from the Redshift files, and a fresh copy of it for every test that writes.

The server is started and stopped by the harness's context manager, so it is stopped even when
tests fail or the run is interrupted. Databases are cloned with CREATE DATABASE ... TEMPLATE, which
is much faster than migrating each time and keeps tests independent.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from psycopg import sql
from support import Warehouse
from xetl_harness import PostgresServer, postgres_server
from xetl_sql_tools.warehouse import migrate

_database_numbers = itertools.count()


def apply_migrations(dsn: str) -> None:
    """Every migration, adapted to PostgreSQL, one transaction per file (as on Redshift), exactly as
    the local run applies them."""
    migrate(dsn)


@contextmanager
def fresh_database(server: PostgresServer, template: str = "template0") -> Iterator[str]:
    name = f"xetl_test_{os.getpid()}_{next(_database_numbers)}"
    with psycopg.connect(server.dsn(), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
    try:
        yield server.dsn(name)
    finally:
        with psycopg.connect(server.dsn(), autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="session")
def migrated_template(pg_server: PostgresServer) -> Iterator[str]:
    """The name of a database with all migrations applied, used only as a template."""
    with fresh_database(pg_server) as dsn:
        apply_migrations(dsn)
        yield psycopg.conninfo.conninfo_to_dict(dsn)["dbname"]


@pytest.fixture
def empty_database(pg_server: PostgresServer) -> Iterator[str]:
    with fresh_database(pg_server) as dsn:
        yield dsn


@pytest.fixture
def warehouse(pg_server: PostgresServer, migrated_template: str) -> Iterator[Warehouse]:
    with fresh_database(pg_server, template=migrated_template) as dsn:
        house = Warehouse(dsn)
        try:
            yield house
        finally:
            house.close()
