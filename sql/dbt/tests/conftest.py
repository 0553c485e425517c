"""Fixtures: one PostgreSQL server for the session (xetl_harness), a database migrated once from
the Redshift migrations and used as a template, and a fresh copy of it for every test, so each test
starts from empty pipeline tables and its dbt runs cannot see another test's marts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from xetl_dbt.warehouse import LocalWarehouse, migrated_database
from xetl_harness import PostgresServer, postgres_server


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="session")
def migrated_template(pg_server: PostgresServer) -> Iterator[str]:
    with migrated_database(pg_server) as house:
        yield house.database


@pytest.fixture
def warehouse(pg_server: PostgresServer, migrated_template: str) -> Iterator[LocalWarehouse]:
    with migrated_database(pg_server, template=migrated_template) as house:
        yield house


@pytest.fixture
def target_path(tmp_path: Path) -> Path:
    """Where this test's dbt commands write manifest, run results and logs."""
    return tmp_path / "dbt-target"
