"""The local runtime's building blocks, without servers: the catalog step and the S3 helpers against
moto in-process, and the warehouse client's error path. The whole local run (real moto server,
Airflow, PySpark, PostgreSQL) is the end-to-end test."""

from __future__ import annotations

import json

import boto3
import pytest
from xetl_local import warehouse
from xetl_local.catalog import infer_columns, infer_type, register_partition
from xetl_local.files import delete_prefix, is_data_file, replace_prefix

REGION = "eu-west-1"
BUCKET = "xetl-test-source-111111111111"


@pytest.fixture
def moto_aws(monkeypatch):
    """moto's in-process AWS (no network at all), with dummy credentials."""
    from moto import mock_aws

    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"), ("AWS_DEFAULT_REGION", REGION)):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield
HEADER = "product_id,product_name,category,price,quantity,updated_at\n"
LINES = (
    'P-1,"Chair, oak",furniture,12.50,3,2026-11-21T08:00:00Z\n'
    "P-2,Lamp,,7.00,1,2026-11-21T09:00:00Z\n"
    "P-3,broken line with too few fields\n"
)


def test_types_are_inferred_from_the_sample_like_the_csv_classifier():
    assert infer_type(["1", "22", ""]) == "bigint"
    assert infer_type(["1.50", "2"]) == "double"
    assert infer_type(["2026-11-21T08:00:00Z"]) == "timestamp"
    assert infer_type(["abc", "1"]) == "string"
    assert infer_type(["", ""]) == "string"
    columns = infer_columns(HEADER + LINES)
    assert [(c["Name"], c["Type"]) for c in columns] == [
        ("product_id", "string"),
        ("product_name", "string"),
        ("category", "string"),
        ("price", "double"),
        ("quantity", "bigint"),
        ("updated_at", "timestamp"),
    ]


def test_a_header_that_is_not_column_names_is_refused():
    with pytest.raises(ValueError, match="not a list of distinct column names"):
        infer_columns("a,a,b\n1,2,3\n")
    with pytest.raises(ValueError, match="no header line"):
        infer_columns("")


def test_catalog_step_registers_table_and_partition_and_is_idempotent(moto_aws):
    s3 = boto3.client("s3", region_name=REGION)
    glue = boto3.client("glue", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    prefix = "products/year=2026/month=11/day=21/"
    s3.put_object(Bucket=BUCKET, Key=prefix + "feed-1.csv", Body=(HEADER + LINES).encode())
    s3.put_object(Bucket=BUCKET, Key=prefix + "_SUCCESS", Body=b"{}")
    kwargs = dict(partition="2026-11-21", bucket=BUCKET, prefix="products", database="xetl_test", crawler="c")

    with pytest.raises(ValueError, match="Glue database 'xetl_test' does not exist"):
        register_partition(s3, glue, **kwargs)
    glue.create_database(DatabaseInput={"Name": "xetl_test"})
    first = register_partition(s3, glue, **kwargs)
    second = register_partition(s3, glue, **kwargs)
    assert (first["table_action"], first["partition_action"]) == ("created", "created")
    assert (second["table_action"], second["partition_action"]) == ("updated", "updated")
    table = glue.get_table(DatabaseName="xetl_test", Name="products")["Table"]
    assert [k["Name"] for k in table["PartitionKeys"]] == ["year", "month", "day"]
    assert table["StorageDescriptor"]["Location"] == f"s3://{BUCKET}/products/"
    part = glue.get_partitions(DatabaseName="xetl_test", TableName="products")["Partitions"]
    assert [p["Values"] for p in part] == [["2026", "11", "21"]]
    assert part[0]["StorageDescriptor"]["Location"] == f"s3://{BUCKET}/{prefix}"

    with pytest.raises(ValueError, match="no CSV data files"):
        register_partition(s3, glue, **{**kwargs, "partition": "2026-11-22"})


def test_replacing_a_prefix_touches_only_that_partition(moto_aws, tmp_path):
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    for key in ("products/year=2026/month=11/day=2/old.parquet", "products/year=2026/month=11/day=21/old.parquet"):
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"old")
    (tmp_path / "part_000.parquet").write_bytes(b"new")
    (tmp_path / ".part_000.parquet.crc").write_bytes(b"checksum")
    (tmp_path / "_SUCCESS").write_bytes(b"")

    keys = replace_prefix(s3, BUCKET, "products/year=2026/month=11/day=2/", tmp_path)

    assert keys == ["products/year=2026/month=11/day=2/part_000.parquet"]
    listed = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"])
    assert listed == ["products/year=2026/month=11/day=2/part_000.parquet", "products/year=2026/month=11/day=21/old.parquet"]
    with pytest.raises(ValueError, match="trailing slash"):
        delete_prefix(s3, BUCKET, "products/year=2026/month=11/day=2")
    assert not is_data_file("x/_SUCCESS") and not is_data_file(".a.crc") and is_data_file("x/part-0.parquet")


def test_warehouse_engine_failures_are_reported_with_their_cause(monkeypatch, tmp_path):
    monkeypatch.setenv(warehouse.TOOLS_PYTHON_ENV, str(tmp_path / "no-python"))
    with pytest.raises(FileNotFoundError):
        warehouse.run_statements(["SELECT 1"], dsn="host=127.0.0.1")
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho '" + json.dumps({"error": "statement 1 of 1 failed"}) + "'\n")
    fake.chmod(0o755)
    monkeypatch.setenv(warehouse.TOOLS_PYTHON_ENV, str(fake))
    with pytest.raises(warehouse.WarehouseError, match="statement 1 of 1 failed"):
        warehouse.run_statements(["SELECT 1"], dsn="host=127.0.0.1")


def test_the_summary_names_failed_dbt_tasks_and_dbts_own_reason():
    from xetl_local.pipeline import failed_task_ids, reason_from_log

    states = {
        "publish_partition": ("success", 1.0),
        "transform_with_dbt.stg_products_model_build": ("success", 3.0),
        "transform_with_dbt.daily_category_summary_model_build": ("failed", 4.0),
        "unload_to_target": ("upstream_failed", 0.0),
        "notify_failure": ("success", 1.0),
    }
    failed = failed_task_ids(states)
    assert failed == ["transform_with_dbt.daily_category_summary_model_build"]
    log = (
        "\x1b[32m12:00:01\x1b[0m  1 of 3 START test accepted_values_daily_category_summary_category\n"
        "12:00:02  Failure in test accepted_values_daily_category_summary_category (models/marts/schema.yml)\n"
        "12:00:02    Got 1 result, configured to fail if != 0\n\n"
        "│ AirflowException: dbt command failed. The command returned a non-zero exit code 1. │\n"
    )
    assert reason_from_log(log, failed) == (
        "Failure in test accepted_values_daily_category_summary_category (models/marts/schema.yml)"
    )


def test_a_traceback_in_a_box_gives_its_cause_not_the_wrapper():
    from xetl_local.pipeline import reason_from_log

    log = (
        "│ │ result = FullOutputSubprocessResult(exit_code=1,                    │ │\n"
        "│ ModuleNotFoundError: No module named 'dbt'                            │\n"
        "╰──────────────────────────────────────────────────────────────────────╯\n"
        "AirflowException: dbt command failed. The command returned a non-zero exit code 1.\n"
    )
    assert reason_from_log(log, ["transform_with_dbt.stg_products_model_build"]) == (
        "ModuleNotFoundError: No module named 'dbt'"
    )
    quality = "x\nAirflowFailException: data quality failed for partition 2026-11-22: 1 check(s) failed\n  - not_empty: no rows\n\nlater"
    assert reason_from_log(quality, ["check_manifest"]) == (
        "AirflowFailException: data quality failed for partition 2026-11-22: 1 check(s) failed - not_empty: no rows"
    )
    assert reason_from_log("nothing useful", ["check_manifest"]) is None
