"""The Redshift side of the models without a Redshift: `dbt compile --target redshift` offline (no
relation cache, no introspection; is_incremental() answered by the var xetl_offline_compile), then
every compiled model and data test parsed by sqlfluff's Redshift grammar. It catches SQL that only
PostgreSQL accepts, and shows the dispatched macros taking their Redshift form."""

from __future__ import annotations

import sqlfluff
from xetl_dbt.warehouse import run_dbt


def test_every_model_and_test_compiles_for_redshift_and_parses_as_redshift_sql(tmp_path):
    result = run_dbt(
        ["compile", "--target", "redshift", "--no-populate-cache", "--no-introspect"],
        {"XETL_DBT_TARGET": "redshift"},
        tmp_path,
        dbt_vars={"xetl_offline_compile": True, "partition": "2026-11-21"},
    )
    assert result.ok, result.output[-3000:]

    compiled = sorted((tmp_path / "compiled" / "xetl").rglob("*.sql"))
    models = [p for p in compiled if p.parent.name in ("staging", "marts")]
    assert len(models) == 5 and len(compiled) - len(models) == 51
    summary = (tmp_path / "compiled" / "xetl" / "models" / "marts" / "daily_category_summary.sql").read_text()
    assert "median(price)" in summary and "percentile_cont" not in summary
    assert "where partition_date = cast('2026-11-21' as date)" in summary
    for path in compiled:
        sqlfluff.parse(path.read_text(), dialect="redshift")  # raises APIParsingError, naming the line
