"""The SQL the DAG sends: exact statements for known inputs, and refusal of unsafe inputs."""

from __future__ import annotations

import pytest
from xetl_tasks import sql

ROLE_B = "arn:aws:iam::222222222222:role/xetl-test-redshift-unload"
ROLE_A = "arn:aws:iam::111111111111:role/xetl-test-target-writer"
KMS = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_delete_staging_partition():
    assert sql.delete_staging_partition("2026-11-21") == (
        "DELETE FROM xetl.products_staging WHERE partition_date = '2026-11-21'"
    )


def test_copy_reads_the_curated_prefix_of_the_partition_as_parquet():
    assert sql.copy_curated_to_staging("stg-bucket", "2026-01-05", "arn:aws:iam::222222222222:role/copy") == (
        "COPY xetl.products_staging "
        "FROM 's3://stg-bucket/curated/products/year=2026/month=01/day=05/' "
        "IAM_ROLE 'arn:aws:iam::222222222222:role/copy' FORMAT AS PARQUET"
    )


def test_call_passes_partition_and_run_id():
    assert sql.call_load_partition("2026-11-21", "manual__2026-11-21T10:00:00+00:00") == (
        "CALL xetl.sp_load_products_partition('2026-11-21', 'manual__2026-11-21T10:00:00+00:00')"
    )


def test_unload_names_columns_doubles_inner_quotes_and_cleans_only_the_partition_path():
    statement = sql.unload_partition("tgt-bucket", "products", "2026-11-21", f"{ROLE_B},{ROLE_A}", KMS)
    assert statement == (
        "UNLOAD ('SELECT product_id, product_name, category, price, quantity, updated_at, source_file, "
        "partition_date, run_id, loaded_at FROM xetl.products WHERE partition_date = ''2026-11-21''') "
        "TO 's3://tgt-bucket/products/year=2026/month=11/day=21/' "
        f"IAM_ROLE '{ROLE_B},{ROLE_A}' "
        f"FORMAT AS PARQUET CLEANPATH KMS_KEY_ID '{KMS}' ENCRYPTED"
    )


def test_quality_metrics_counts_rows_keys_nulls_and_foreign_runs_for_one_partition():
    query = sql.quality_metrics("2026-11-21", "scheduled__2026-11-21T01:00:00+00:00")
    assert query.startswith("SELECT\n  COUNT(*) AS rows_loaded,\n")
    assert "COUNT(product_id) - COUNT(DISTINCT product_id) AS duplicate_keys" in query
    for column in ("product_id", "product_name", "price", "quantity", "updated_at"):
        assert f"COALESCE(SUM(CASE WHEN {column} IS NULL THEN 1 ELSE 0 END), 0) AS null_{column}" in query
    assert "null_category" not in query, "category is optional in the contract"
    assert (
        "COALESCE(SUM(CASE WHEN run_id = 'scheduled__2026-11-21T01:00:00+00:00' THEN 0 ELSE 1 END), 0)"
        " AS rows_other_runs" in query
    )
    assert query.endswith("FROM xetl.products\nWHERE partition_date = '2026-11-21'")


def test_literal_doubles_quotes_and_refuses_backslashes():
    assert sql.literal("it's") == "'it''s'"
    with pytest.raises(ValueError, match="backslash"):
        sql.literal("a\\b")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: sql.delete_staging_partition("2026-11-21' OR '1'='1"), "YYYY-MM-DD"),
        (lambda: sql.call_load_partition("2026-11-21", "run'); DROP TABLE xetl.products; --"), "run id"),
        (lambda: sql.call_load_partition("2026-11-21", "manual__x\n"), "run id"),
        (lambda: sql.copy_curated_to_staging("Bad_Bucket", "2026-11-21", ROLE_B), "bucket"),
        (lambda: sql.copy_curated_to_staging("stg", "2026-11-21", ROLE_B + "\n"), "role"),
        (lambda: sql.copy_curated_to_staging("stg", "2026-11-21", "arn:aws:iam::2222:role/x"), "role"),
        (lambda: sql.unload_partition("tgt", "products", "2026-11-21", f"{ROLE_B}, {ROLE_A}", KMS), "role"),
        (lambda: sql.unload_partition("tgt", "products", "2026-11-21", ROLE_B, "alias'x"), "KMS"),
        (lambda: sql.unload_partition("tgt", "products/../x'", "2026-11-21", ROLE_B, KMS), "prefix"),
    ],
)
def test_unsafe_inputs_never_reach_a_statement(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_staging_uri_areas():
    assert sql.staging_uri("stg-bucket", "manifests", "2026-11-21") == (
        "s3://stg-bucket/manifests/products/year=2026/month=11/day=21/"
    )
    with pytest.raises(ValueError, match="staging area"):
        sql.staging_uri("stg-bucket", "tmp", "2026-11-21")
