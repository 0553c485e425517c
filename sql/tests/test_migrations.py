"""The migrations: ordered, one intent per file, valid Redshift SQL, and re-runnable."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from conftest import apply_migrations
from support import CURATED_COLUMNS, PUBLISHED_COLUMNS, product
from xetl_sql_tools import check
from xetl_sql_tools.migrations import MigrationLayoutError, list_migrations


def catalog(dsn: str) -> dict[str, list[tuple]]:
    """Everything the migrations define in schema xetl, in a comparable form."""
    with psycopg.connect(dsn) as conn:
        columns = conn.execute(
            """
            SELECT table_name, ordinal_position, column_name, data_type, character_maximum_length,
                   numeric_precision, numeric_scale, is_nullable, column_default
            FROM information_schema.columns
            WHERE table_schema = 'xetl'
            ORDER BY table_name, ordinal_position
            """
        ).fetchall()
        procedures = conn.execute(
            """
            SELECT p.proname, pg_get_function_identity_arguments(p.oid), md5(p.prosrc)
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'xetl'
            ORDER BY 1, 2
            """
        ).fetchall()
        indexes = conn.execute(
            "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = 'xetl' ORDER BY 1, 2"
        ).fetchall()
    return {"columns": columns, "procedures": procedures, "indexes": indexes}


def column_names(snapshot: dict[str, list[tuple]], table: str) -> tuple[str, ...]:
    return tuple(row[2] for row in snapshot["columns"] if row[0] == table)


def test_the_migrations_run_in_numbered_order_one_intent_per_file():
    assert [m.filename for m in list_migrations()] == [
        "0001_schema.sql",
        "0002_products_staging.sql",
        "0003_products.sql",
        "0004_pipeline_runs.sql",
        "0005_sp_load_products_partition.sql",
        "0006_pipeline_role.sql",
        "0007_dbt_schemas.sql",
    ]


def test_a_gap_in_the_migration_numbers_is_refused(tmp_path: Path):
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "0001_schema.sql").write_text("SELECT 1;")
    (tmp_path / "migrations" / "0003_products.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationLayoutError, match="expected migration number 0002"):
        list_migrations(tmp_path)


def test_a_misnamed_migration_file_is_refused(tmp_path: Path):
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "1_Schema.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationLayoutError, match="NNNN_"):
        list_migrations(tmp_path)


def test_every_statement_parses_as_redshift_and_every_template_renders():
    migration_count, migration_problems = check.check_migrations()
    query_count, query_problems = check.check_queries()
    assert migration_problems + query_problems == []
    assert migration_count == 18  # schema, 3 tables, 2 procedures; role: procedure, call, 6 grants; dbt: 2 schemas, 2 grants
    assert query_count >= 9


def test_migrations_apply_to_an_empty_database(empty_database: str):
    apply_migrations(empty_database)

    snapshot = catalog(empty_database)
    assert column_names(snapshot, "products_staging") == CURATED_COLUMNS  # COPY maps Parquet by position
    assert column_names(snapshot, "products") == PUBLISHED_COLUMNS
    assert column_names(snapshot, "pipeline_runs") == (
        "run_id", "partition_date", "status", "marker", "rows_read", "rows_loaded", "rows_quarantined",
        "rows_replaced", "error_message", "started_at", "finished_at",
    )
    assert [(name, args) for name, args, _ in snapshot["procedures"]] == [
        ("sp_ensure_pipeline_role", ""),
        ("sp_load_products_partition", "IN p_partition_date date, IN p_run_id character varying"),
        (
            "sp_load_products_partition",
            "IN p_partition_date date, IN p_run_id character varying, IN p_rows_read bigint, "
            "IN p_rows_quarantined bigint, IN p_marker character varying",
        ),
    ]


def test_the_published_table_enforces_not_null_but_not_the_informational_primary_key(empty_database: str):
    apply_migrations(empty_database)
    snapshot = catalog(empty_database)
    nullable = {row[2]: row[7] for row in snapshot["columns"] if row[0] == "products"}
    assert nullable["category"] == "YES"
    assert {c for c, n in nullable.items() if n == "NO"} == set(PUBLISHED_COLUMNS) - {"category"}
    # Redshift does not enforce primary keys; the stand-in must not either.
    assert snapshot["indexes"] == []


def test_migrations_apply_a_second_time_without_error_or_change(empty_database: str):
    apply_migrations(empty_database)
    before = catalog(empty_database)
    with psycopg.connect(empty_database) as conn:
        row = product("P-1")
        conn.execute(
            f"INSERT INTO xetl.products_staging ({', '.join(row)}) VALUES ({', '.join(['%s'] * len(row))})",
            tuple(row.values()),
        )

    apply_migrations(empty_database)

    assert catalog(empty_database) == before
    with psycopg.connect(empty_database) as conn:
        assert conn.execute("SELECT count(*) FROM xetl.products_staging").fetchone() == (1,)
