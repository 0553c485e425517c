"""The Data API stand-in the local run uses (xetl_sql_tools.warehouse): the pipeline's own rendered
statements, comments and all, run on PostgreSQL with COPY and UNLOAD replaced by Parquet files."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support import COPY_ROLE, CURATED_COLUMNS, MARKER, RUN_A, STAGING_BUCKET, P, Warehouse, products
from xetl_sql import render
from xetl_sql_tools.warehouse import WarehouseError, execute_batch

CURATED_URI = f"s3://{STAGING_BUCKET}/curated/products/{render.hive_partition(P)}/"
KMS = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def curated_parquet(folder: Path, rows: list[dict]) -> Path:
    """The Glue job's curated output for the rows: one Parquet file, columns in contract order."""
    folder.mkdir(parents=True, exist_ok=True)
    table = pa.table({c: [r[c] for r in rows] for c in CURATED_COLUMNS})
    pq.write_table(table, folder / "part-00000.parquet")
    (folder / "_SUCCESS").write_bytes(b"")
    return folder


def stage(dsn: str, mirror: Path) -> dict:
    statements = render.render_statements("stage_partition", partition=P, staging_bucket=STAGING_BUCKET, copy_role_arn=COPY_ROLE)
    return execute_batch({"dsn": dsn, "statements": statements, "copy_mirrors": {CURATED_URI: str(mirror)}})


def test_the_rendered_staging_batch_copies_the_curated_parquet(warehouse: Warehouse, tmp_path: Path):
    rows = products("P-1", "P-2", "P-3")
    result = stage(warehouse.dsn, curated_parquet(tmp_path / "curated", rows))

    assert [r.get("kind") for r in result["results"] if "statement" in r] == ["sql", "copy"]
    assert [r["product_id"] for r in warehouse.staged(P)] == ["P-1", "P-2", "P-3"]


def test_a_copy_without_a_local_mirror_rolls_the_batch_back(warehouse: Warehouse):
    warehouse.stage(products("P-9"))
    statements = render.render_statements("stage_partition", partition=P, staging_bucket=STAGING_BUCKET, copy_role_arn=COPY_ROLE)

    with pytest.raises(WarehouseError, match="no local mirror"):
        execute_batch({"dsn": warehouse.dsn, "statements": statements, "copy_mirrors": {}})

    assert [r["product_id"] for r in warehouse.staged(P)] == ["P-9"]  # the DELETE was rolled back


def test_the_rendered_unload_writes_the_published_rows_as_parquet(warehouse: Warehouse, tmp_path: Path):
    warehouse.load(P, products("P-2", "P-1"), marker=MARKER)
    [unload] = render.render_statements(
        "unload_partition", partition=P, target_bucket="xetl-dev-target-111111111111", target_prefix="products",
        unload_role_chain="arn:aws:iam::222222222222:role/r", target_kms_key_arn=KMS,
    )  # fmt: skip

    result = execute_batch({"dsn": warehouse.dsn, "statements": [unload], "unload_dir": str(tmp_path / "out")})

    [done] = [r for r in result["results"] if r.get("kind") == "unload"]
    assert done["rowcount"] == 2 and "CLEANPATH" in done["options"]
    table = pq.read_table(tmp_path / "out" / done["files"][0])
    assert table.column("product_id").to_pylist() == ["P-1", "P-2"]  # ORDER BY product_id
    assert set(table.column("run_id").to_pylist()) == {RUN_A}
