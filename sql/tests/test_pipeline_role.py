"""The pipeline's own database identity (migrations/0006_pipeline_role.sql): a login that holds only
the xetl_pipeline role runs every statement the pipeline sends, and nothing beyond them."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql as psql
from support import MARKER, RUN_A, P, Warehouse, products
from xetl_sql import render
from xetl_sql_tools import to_postgres

LOGIN = "xetl_test_pipeline_login"  # stands in for Redshift's IAMR:<MWAA role> user


@pytest.fixture
def as_pipeline(warehouse: Warehouse):
    """A connection to the test database as a login whose only privileges come from xetl_pipeline."""
    with psycopg.connect(warehouse.dsn, autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (LOGIN,)).fetchone() is None:
            admin.execute(psql.SQL("CREATE ROLE {} LOGIN IN ROLE xetl_pipeline").format(psql.Identifier(LOGIN)))
    dsn = psycopg.conninfo.make_conninfo(warehouse.dsn, user=LOGIN)
    with psycopg.connect(dsn, autocommit=True) as conn:
        yield conn


def run(conn, template: str, **params) -> list:
    rows = []
    with conn.transaction():
        for statement in render.render_statements(template, **params):
            try:
                cur = conn.execute(to_postgres.statement_to_postgres(statement))
                rows = cur.fetchall() if cur.description else rows
            except to_postgres.RedshiftOnlyStatementError:
                pass  # COPY/UNLOAD: the grants they need are exercised by the statements around them
    return rows


def test_the_role_exists_as_a_group_without_login(warehouse: Warehouse):
    [role] = warehouse.conn.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'xetl_pipeline'").fetchall()
    assert role["rolcanlogin"] is False


def test_the_pipeline_runs_every_statement_it_sends(warehouse: Warehouse, as_pipeline):
    run(as_pipeline, "stage_partition", partition=P, staging_bucket="xetl-dev-staging-222222222222",
        copy_role_arn="arn:aws:iam::222222222222:role/xetl-dev-redshift")  # fmt: skip
    warehouse.stage(products("P-1", "P-2"))  # what the COPY brings
    for name in ("dq_key_uniqueness", "dq_required_not_null"):
        assert run(as_pipeline, name, table="xetl.products_staging", partition=P)
    run(as_pipeline, "publish_partition", partition=P, run_id=RUN_A, rows_read=2, rows_quarantined=0, marker=MARKER)
    [unload] = render.render_statements(
        "unload_partition", partition=P, target_bucket="xetl-dev-target-111111111111", target_prefix="products",
        unload_role_chain="arn:aws:iam::222222222222:role/r", target_kms_key_arn="arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    )  # fmt: skip
    select = to_postgres.unload_spec(unload).select_sql
    assert [r[0] for r in as_pipeline.execute(select).fetchall()] == ["P-1", "P-2"]
    run(as_pipeline, "record_run_failure", partition=P, run_id=RUN_A, marker=None, error_message="UNLOAD failed")
    assert [r["status"] for r in warehouse.runs()] == ["failed"]


@pytest.mark.parametrize(
    "statement",
    [
        "DROP TABLE xetl.products",
        "TRUNCATE xetl.products",
        "CREATE TABLE xetl.scratch (id int)",
        "ALTER TABLE xetl.products ADD COLUMN x int",
        "CREATE ROLE escalated",
        "SELECT COUNT(*) FROM pg_authid",
    ],
)
def test_the_pipeline_can_do_nothing_beyond_its_statements(as_pipeline, statement):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_pipeline.execute(statement)
