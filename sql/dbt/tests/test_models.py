"""The dbt project on PostgreSQL 15: `dbt build` of every model with its tests over partitions loaded
the way the pipeline loads them, checked against figures computed independently (sample.py);
partition re-runs; failing tests; the partition var's validation; source freshness."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from sample import (
    D1,
    D2,
    D2_CORRECTED,
    D3,
    PARTITIONS,
    RUNS,
    category_summary,
    current_products,
    load,
    price_history,
    summary_figures,
    summary_rows,
)
from xetl_dbt.warehouse import LocalWarehouse, run_dbt

MODELS = ("stg_products", "stg_pipeline_runs", "daily_category_summary", "products_current", "product_price_history")


def build(warehouse: LocalWarehouse, target_path: Path, *args: str, partition: str | None = None):
    return run_dbt(["build", *args], warehouse.dbt_env(), target_path, dbt_vars={"partition": partition} if partition else None)


def mart_snapshot(warehouse: LocalWarehouse) -> dict[str, list[tuple]]:
    return {
        model: warehouse.query(f"SELECT * FROM xetl_marts.{model} ORDER BY 1, 2, 3")
        for model in ("daily_category_summary", "products_current", "product_price_history")
    }


def test_build_makes_every_mart_match_the_loaded_partitions_and_documents_every_column(warehouse, target_path):
    load(warehouse, PARTITIONS)

    result = build(warehouse, target_path)

    assert result.ok, result.output[-3000:]
    statuses = result.statuses()
    manifest = json.loads((target_path / "manifest.json").read_text())
    # Every model, data test and unit test of the project ran, and each one succeeded.
    runnable = {uid for uid, n in manifest["nodes"].items() if n["resource_type"] in ("model", "test")}
    assert set(statuses) == runnable | set(manifest["unit_tests"])
    assert {uid.split(".")[-1] for uid in statuses if uid.startswith("model.")} == set(MODELS)
    assert set(statuses.values()) <= {"success", "pass"}, {u: s for u, s in statuses.items() if s not in ("success", "pass")}
    assert sum(uid.startswith("test.") for uid in statuses) == 51 and len(manifest["unit_tests"]) == 1

    assert summary_figures(warehouse) == category_summary(PARTITIONS)
    history = warehouse.query("SELECT product_id, price, valid_from, valid_to FROM xetl_marts.product_price_history")
    assert {(p, price, start.isoformat(), end.isoformat() if end else None) for p, price, start, end in history} == (
        price_history(PARTITIONS)
    )
    current = warehouse.query(
        "SELECT product_id, current_price, first_seen_partition, last_seen_partition, partitions_seen, "
        "in_latest_partition FROM xetl_marts.products_current"
    )
    assert {
        r[0]: {
            "current_price": r[1],
            "first_seen_partition": r[2].isoformat(),
            "last_seen_partition": r[3].isoformat(),
            "partitions_seen": r[4],
            "in_latest_partition": r[5],
        }
        for r in current
    } == current_products(PARTITIONS)
    assert_every_column_documented(warehouse, manifest)


def assert_every_column_documented(warehouse: LocalWarehouse, manifest: dict) -> None:
    """Every model has a description, and its documented columns are exactly its columns in the
    warehouse, each with a description."""
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert sorted(n["name"] for n in models) == sorted(MODELS)
    for node in models:
        assert node["description"].strip(), f"{node['name']} has no description"
        actual = [
            name
            for (name,) in warehouse.query(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
                "ORDER BY ordinal_position",
                (node["schema"], node["name"]),
            )
        ]
        documented = {name: column["description"].strip() for name, column in node["columns"].items()}
        assert set(actual) == set(documented), f"{node['name']}: warehouse {actual} vs documented {sorted(documented)}"
        assert all(documented.values()), f"{node['name']}: undocumented {[c for c, d in documented.items() if not d]}"


def test_the_mart_unload_template_selects_the_partition_of_the_built_mart(warehouse, target_path):
    """`unload_daily_category_summary` (config airflow.unloadTemplate) reads the dbt mart: its SELECT,
    rendered by xetl_sql and translated as the local run translates it, runs on the built mart and
    returns exactly that partition's rows, so a renamed mart column fails here, not on Redshift."""
    from xetl_sql import render
    from xetl_sql_tools import to_postgres

    load(warehouse, PARTITIONS)
    assert build(warehouse, target_path).ok
    [unload] = render.render_statements(
        "unload_daily_category_summary", partition=D2, target_bucket="xetl-dev-target-111111111111",
        target_prefix="daily_category_summary", unload_role_chain="arn:aws:iam::222222222222:role/r",
        target_kms_key_arn="arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    )  # fmt: skip
    spec = to_postgres.unload_spec(unload)
    assert "CLEANPATH" in spec.options and f"/daily_category_summary/{render.hive_partition(D2)}/" in spec.target_uri

    rows = warehouse.query(spec.select_sql)

    mart = {key: row for key, row in summary_rows(warehouse).items() if key[0] == D2}
    assert rows and len(rows) == len(mart)
    assert [(r[0].isoformat(), r[1]) for r in rows] == sorted(mart)  # ORDER BY category
    assert {r[0].isoformat() for r in rows} == {D2}


def test_a_partition_rerun_replaces_that_partition_and_no_other(warehouse, target_path):
    load(warehouse, PARTITIONS)
    assert build(warehouse, target_path).ok
    before = summary_rows(warehouse)
    snapshot = mart_snapshot(warehouse)

    # Re-running a partition with unchanged data changes no row of any mart.
    rerun = build(warehouse, target_path, partition=D2)
    assert rerun.ok, rerun.output[-3000:]
    assert mart_snapshot(warehouse) == snapshot

    # A corrected D2 (the kitchen gone, A repriced, F new), loaded and re-run for D2 alone.
    warehouse.load_partition(D2, D2_CORRECTED, RUNS[D2] + "-retry")
    corrected = build(warehouse, target_path, partition=D2)
    assert corrected.ok, corrected.output[-3000:]

    after = summary_rows(warehouse)
    for key, row in before.items():
        if key[0] != D2:
            assert after[key] == row, f"{key} changed although only {D2} was re-run"
    expected = category_summary({**PARTITIONS, D2: D2_CORRECTED})
    assert summary_figures(warehouse) == expected
    assert (D2, "kitchen") not in after  # deleted by partition, not by the keys of the new rows
    assert {row[-2] for key, row in after.items() if key[0] == D2} == {RUNS[D2] + "-retry"}

    # Partition by partition equals a rebuild of everything from scratch.
    incremental = mart_snapshot(warehouse)
    assert build(warehouse, target_path, "--full-refresh").ok
    assert mart_snapshot(warehouse) == incremental


def test_a_failing_test_fails_the_build_names_the_test_and_publishes_nothing_downstream(warehouse, target_path):
    load(warehouse, {D1: PARTITIONS[D1]})
    assert build(warehouse, target_path).ok
    published = summary_rows(warehouse)
    # Negative prices never pass the Glue job; one loaded anyway must stop the marts.
    bad = [*PARTITIONS[D2][:-1], {**PARTITIONS[D2][-1], "price": Decimal("-1.00")}]
    warehouse.load_partition(D2, bad, RUNS[D2])

    result = build(warehouse, target_path, partition=D2)

    assert not result.ok
    failed = {uid.split(".")[2]: s for uid, s in result.statuses().items() if s in ("fail", "error")}
    assert failed == {"xetl_in_range_stg_products_price__0": "fail"}
    assert "xetl_in_range_stg_products_price__0" in result.output
    skipped = {uid.split(".")[2] for uid, s in result.statuses().items() if s == "skipped" and uid.startswith("model.")}
    assert {"daily_category_summary", "products_current", "product_price_history"} <= skipped
    assert summary_rows(warehouse) == published


def test_a_partition_left_unsummarised_fails_a_full_check_but_not_the_next_days_run(warehouse, target_path):
    """D2 published to xetl.products while its dbt stage failed (the mart lacks it): D3's run checks
    D3 and passes, so one failed day does not block the days after it; a full build's check still
    finds D2."""
    load(warehouse, {D1: PARTITIONS[D1]})
    assert build(warehouse, target_path).ok
    warehouse.load_partition(D2, PARTITIONS[D2], RUNS[D2])  # its dbt stage never ran
    warehouse.load_partition(D3, PARTITIONS[D3], RUNS[D3])

    day_run = build(warehouse, target_path, partition=D3)

    assert day_run.ok, day_run.output[-3000:]
    assert {key[0] for key in summary_rows(warehouse)} == {D1, D3}
    full_check = run_dbt(["test", "--select", "daily_category_summary_reconciles_with_products"], warehouse.dbt_env(), target_path)
    assert not full_check.ok
    assert "daily_category_summary_reconciles_with_products" in full_check.output


def test_an_incremental_run_needs_a_valid_partition_and_deletes_nothing_without_one(warehouse, target_path):
    load(warehouse, {D1: PARTITIONS[D1], D3: PARTITIONS[D3]})
    assert build(warehouse, target_path).ok
    published = summary_rows(warehouse)

    for value, message in (
        (None, "replaces one partition per run"),
        ("2026-02-30", "partition '2026-02-30' is not a calendar day in the form YYYY-MM-DD"),
    ):
        result = run_dbt(
            ["run", "--select", "daily_category_summary"],
            warehouse.dbt_env(),
            target_path,
            dbt_vars={"partition": value} if value else None,
        )
        assert not result.ok, value
        assert message in result.output, result.output[-2000:]
        assert summary_rows(warehouse) == published
    assert warehouse.query("SELECT count(*) FROM xetl.products") == [(7,)]


def test_source_freshness_passes_after_a_load_and_errors_after_two_missed_days(warehouse, target_path):
    load(warehouse, {D1: PARTITIONS[D1]})
    fresh = run_dbt(["source", "freshness"], warehouse.dbt_env(), target_path)
    assert fresh.ok, fresh.output[-2000:]

    stale_by = dt.timedelta(hours=51)
    warehouse.query("UPDATE xetl.products SET loaded_at = loaded_at - %s RETURNING 1", (stale_by,))
    warehouse.query("UPDATE xetl.pipeline_runs SET finished_at = finished_at - %s RETURNING 1", (stale_by,))
    stale = run_dbt(["source", "freshness"], warehouse.dbt_env(), target_path)

    assert not stale.ok
    states = {uid.split(".")[-1]: s for uid, s in stale.statuses().items()}
    assert states == {"products": "error", "pipeline_runs": "error"}
