"""The mechanical Redshift -> PostgreSQL adaptation."""

from __future__ import annotations

import re

import pytest
import sqlglot
from support import P, Warehouse, products
from xetl_sql import render
from xetl_sql_tools import to_postgres
from xetl_sql_tools.migrations import list_migrations
from xetl_sql_tools.to_postgres import RedshiftOnlyStatementError, UnsupportedRedshiftSyntaxError


def migration(name: str) -> str:
    [found] = [m for m in list_migrations() if m.name == name]
    return found.read()


def test_physical_design_is_stripped_from_the_products_table():
    [statement] = to_postgres.script_to_postgres(migration("products"))

    for word in ("DISTSTYLE", "DISTKEY", "SORTKEY", "ENCODE", "AZ64", "ZSTD"):
        assert word not in statement.upper()
    assert "CREATE TABLE IF NOT EXISTS xetl.products" in statement
    sqlglot.parse_one(statement, read="postgres")


def test_primary_keys_are_dropped_because_redshift_does_not_enforce_them_but_not_null_stays():
    [statement] = to_postgres.script_to_postgres(migration("pipeline_runs"))

    assert "PRIMARY KEY" not in statement
    assert "run_id VARCHAR(256) NOT NULL" in statement


@pytest.mark.parametrize(
    "constraint",
    ["PRIMARY KEY (a)", "UNIQUE (a)", "CONSTRAINT t_pk PRIMARY KEY (a)", "FOREIGN KEY (a) REFERENCES other (a)"],
)
def test_every_form_of_key_constraint_is_dropped(constraint: str):
    statement = to_postgres.statement_to_postgres(f"CREATE TABLE t (a INTEGER NOT NULL, {constraint})")
    assert re.sub(r"\s+", " ", statement) == "CREATE TABLE t ( a INT NOT NULL )"


def test_redshift_only_types_and_defaults_are_mapped():
    statement = to_postgres.statement_to_postgres(
        "CREATE TABLE t (a VARCHAR(MAX) ENCODE lzo, b VARBYTE(16), c NVARCHAR(10), d TIMESTAMP DEFAULT GETDATE())"
        " DISTSTYLE ALL SORTKEY (d)"
    )
    assert re.sub(r"\s+", " ", statement) == (
        "CREATE TABLE t ( a VARCHAR(65535), b BYTEA, c VARCHAR(10), d TIMESTAMP DEFAULT CURRENT_TIMESTAMP )"
    )


def test_a_type_without_a_faithful_stand_in_is_refused():
    with pytest.raises(UnsupportedRedshiftSyntaxError, match="SUPER"):
        to_postgres.statement_to_postgres("CREATE TABLE t (doc SUPER)")


def test_syntax_sqlglot_cannot_parse_is_refused_instead_of_passed_through():
    with pytest.raises(UnsupportedRedshiftSyntaxError):
        to_postgres.statement_to_postgres("CREATE TABLE t (a INTEGER) INTERLEAVED SORTKEY (a)")


def test_procedure_bodies_pass_through_byte_for_byte():
    text = migration("sp_load_products_partition")
    bodies = re.findall(r"\$\$(.*?)\$\$", text, flags=re.DOTALL)
    adapted = to_postgres.script_to_postgres(text)

    assert len(bodies) == len(adapted) == 2
    for body, statement in zip(bodies, adapted, strict=True):
        assert f"$${body}$$" in statement
        assert statement.startswith("CREATE OR REPLACE PROCEDURE xetl.sp_load_products_partition(")


def test_copy_and_unload_are_redshift_only_and_say_what_replaces_them():
    copy = render.render_statements("stage_partition", **render.example_parameters("stage_partition"))[1]
    unload = render.render("unload_partition", **render.example_parameters("unload_partition"))

    for statement in (copy, unload):
        with pytest.raises(RedshiftOnlyStatementError, match="a local run replaces it"):
            to_postgres.statement_to_postgres(statement)

    assert to_postgres.copy_spec(copy) == to_postgres.CopySpec(
        table="xetl.products_staging",
        source_uri="s3://xetl-dev-staging-222222222222/curated/products/year=2026/month=11/day=21/",
        file_format="PARQUET",
    )
    spec = to_postgres.unload_spec(unload)
    assert spec.target_uri == "s3://xetl-dev-target-111111111111/products/year=2026/month=11/day=21/part_"
    assert "CAST('2026-11-21' AS DATE)" in spec.select_sql
    assert spec.options.startswith("IAM_ROLE 'arn:aws:iam::222222222222:role/") and "CLEANPATH" in spec.options


def test_call_passes_through_unchanged():
    assert to_postgres.statement_to_postgres("CALL xetl.sp_x('a', 1)") == "CALL xetl.sp_x('a', 1)"


def test_the_unloads_query_selects_exactly_the_published_partition(warehouse: Warehouse):
    warehouse.load(P, products("P-2", "P-1"))
    warehouse.load("2026-11-22", products("Q-1", partition="2026-11-22"))
    spec = to_postgres.unload_spec(render.render("unload_partition", **render.example_parameters("unload_partition")))

    rows = warehouse.conn.execute(spec.select_sql).fetchall()

    assert rows == warehouse.products(P)  # the published columns, in order, sorted by key
