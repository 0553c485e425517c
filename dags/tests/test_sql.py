"""The DAG's adapter to xetl_sql: rendered template values become the renderer's typed parameters,
and nothing unsafe reaches a statement (the renderer's own tests are in sql/tests)."""

from __future__ import annotations

import pytest
from xetl_sql.render import RenderError
from xetl_tasks import sql

MARKER = "s3://xetl-test-source-111111111111/products/year=2026/month=11/day=21/_SUCCESS"


def publish(**overrides: str) -> str:
    params = {"partition": "2026-11-21", "run_id": "manual__x", "rows_read": "1000", "rows_quarantined": "43", "marker": MARKER}
    [statement] = sql.statements("publish_partition", {**params, **overrides})
    return " ".join(statement.split())


def test_counts_rendered_as_text_become_integers():
    assert "CAST(1000 AS BIGINT), CAST(43 AS BIGINT)" in publish()


@pytest.mark.parametrize("empty", ["", "None"])
def test_an_empty_marker_becomes_null(empty):
    assert "CAST(NULL AS VARCHAR)" in publish(marker=empty)


def test_a_bare_marker_key_is_read_in_the_source_bucket():
    assert sql.marker_uri("products/year=2026/month=11/day=21/_SUCCESS", "xetl-test-source-111111111111") == MARKER
    assert sql.marker_uri(MARKER, "other-bucket") == MARKER
    assert sql.marker_uri(None) is None


@pytest.mark.parametrize(
    ("name", "value"),
    [("rows_read", "1000; DROP TABLE xetl.products"), ("rows_read", "-1"), ("run_id", "x'); DROP TABLE y; --"),
     ("partition", "2026-02-30"), ("marker", "s3://bucket/key'--")],
)
def test_unsafe_rendered_values_never_reach_a_statement(name, value):
    with pytest.raises(RenderError, match=name):
        publish(**{name: value})


def test_the_shipped_dags_write_no_sql_of_their_own():
    # One SQL authority: COPY, UNLOAD, CALL, DELETE and SELECT text lives in sql/xetl_sql/queries.
    from pathlib import Path

    dags = Path(__file__).resolve().parents[1]
    for path in [dags / "xetl_products_pipeline.py", *(dags / "xetl_tasks").glob("*.py")]:
        text = path.read_text()
        for keyword in ("COPY xetl", "UNLOAD (", "CALL xetl", "DELETE FROM", "INSERT INTO", "SELECT COUNT"):
            assert keyword not in text, f"{path.name} writes SQL ({keyword})"
