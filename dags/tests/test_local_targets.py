"""The local target's building blocks, without servers: the catalog step and the S3 helpers against
moto in-process, the extra quality check, the warehouse engine's error path, and the templates the
local tasks receive. The whole local run (real moto server, Airflow, PySpark, PostgreSQL) is the
`local` project's end-to-end test."""

from __future__ import annotations

import json

import boto3
import pytest
from support import TEST_PIPELINE, Run, render
from xetl_tasks import local_warehouse
from xetl_tasks.local import delete_prefix, is_data_file, replace_prefix
from xetl_tasks.local_catalog import infer_columns, infer_type, register_partition

REGION = TEST_PIPELINE["region"]
BUCKET = TEST_PIPELINE["source_bucket"]
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
    monkeypatch.setenv(local_warehouse.TOOLS_PYTHON_ENV, str(tmp_path / "no-python"))
    with pytest.raises(FileNotFoundError):
        local_warehouse.run_in_tools_venv({"statements": ["SELECT 1"]})
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho '" + json.dumps({"error": "statement 1 of 1 failed"}) + "'\n")
    fake.chmod(0o755)
    monkeypatch.setenv(local_warehouse.TOOLS_PYTHON_ENV, str(fake))
    with pytest.raises(local_warehouse.WarehouseError, match="statement 1 of 1 failed"):
        local_warehouse.run_in_tools_venv({"statements": ["SELECT 1"]})
    with pytest.raises(local_warehouse.WarehouseError, match="no local mirror"):
        local_warehouse._local_dir_for("s3://b/curated/products/year=2026/month=11/day=21/", {})


def test_local_tasks_render_the_same_variable_names(monkeypatch):
    monkeypatch.setenv("XETL_TARGET", "local")
    run = Run(run_id="manual__2026-11-22T10:00:00+00:00", run_type="manual", logical_date=None,
              conf={"partition": "2026-11-21"})  # fmt: skip
    job = render("run_glue_job", run)
    assert job.op_kwargs == {
        "partition": "2026-11-21",
        "dag_run_id": run.run_id,
        "source_bucket": TEST_PIPELINE["source_bucket"],
        "source_prefix": "products",
        "staging_bucket": TEST_PIPELINE["staging_bucket"],
        "region": REGION,
    }
    unload = render("unload_to_target", run)
    assert unload.op_kwargs["role_chain"] == TEST_PIPELINE["unload_role_chain"]
    assert unload.op_kwargs["kms_key_arn"] == TEST_PIPELINE["target_kms_key_arn"]
    sensor = render("wait_for_source_files", run)
    assert sensor.bucket_key == "products/year=2026/month=11/day=21/[!_.]*.csv"
    assert sensor.deferrable is False and sensor.retries == 0
