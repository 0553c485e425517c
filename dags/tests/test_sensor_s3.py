"""The rendered source-file sensor, poked for real through the provider's S3 hook against moto
(in-process): which keys count as data, and that the variable's timeout is applied."""

from __future__ import annotations

from datetime import datetime

import pytest
from support import TEST_PIPELINE, Run, start_task

SOURCE = TEST_PIPELINE["source_bucket"]
PREFIX = "products/year=2026/month=11/day=21/"
RUN = Run(
    run_id="scheduled__2026-11-21T01:00:00+00:00",
    run_type="scheduled",
    logical_date=datetime.fromisoformat("2026-11-21T01:00:00+00:00"),
    conf={},
)


@pytest.fixture
def source_bucket(moto_aws):
    import boto3

    s3 = boto3.client("s3", region_name="eu-west-1")
    s3.create_bucket(Bucket=SOURCE, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    return s3


@pytest.fixture
def sensor():
    ti, context = start_task("wait_for_source_files", RUN)
    return ti.task, context


def put(s3, key: str) -> None:
    s3.put_object(
        Bucket=SOURCE, Key=key, Body=b"product_id,product_name,category,price,quantity,updated_at\n"
    )


def test_markers_temp_files_other_days_and_other_types_are_not_data(source_bucket, sensor):
    task, context = sensor
    for key in (
        PREFIX + "_SUCCESS",
        PREFIX + "_feed-0.csv",
        PREFIX + ".feed-1.csv.swp",
        PREFIX + ".feed-1.csv",
        PREFIX + "feed-1.csv.gz",
        PREFIX + "readme.txt",
        "products/year=2026/month=11/day=20/feed-1.csv",
        "products/year=2026/month=11/day=22/feed-1.csv",
    ):
        put(source_bucket, key)
    assert task.poke(context) is False


def test_a_csv_file_in_the_partition_is_found(source_bucket, sensor):
    task, context = sensor
    put(source_bucket, PREFIX + "_SUCCESS")
    assert task.poke(context) is False
    put(source_bucket, PREFIX + "feed-1.csv")
    assert task.poke(context) is True


def test_execute_applies_the_variables_timeout_then_returns_when_files_are_there(source_bucket, sensor):
    task, context = sensor
    put(source_bucket, PREFIX + "feed-1.csv")
    # deferrable: files already present means no deferral, execute just returns.
    assert task.execute(context) is None
    assert task.timeout == 21600.0


@pytest.mark.parametrize("bad", ["0", "-5", "six hours", ""])
def test_a_non_positive_or_non_numeric_timeout_fails_clearly(sensor, bad):
    task, context = sensor
    task.timeout_seconds = bad
    with pytest.raises(ValueError, match="sensor_timeout_seconds must be a positive number of seconds"):
        task.execute(context)


def test_without_files_it_defers_to_the_triggerer_with_the_variables_timeout(source_bucket, sensor):
    from datetime import timedelta

    from airflow.exceptions import TaskDeferred
    from airflow.providers.amazon.aws.triggers.s3 import S3KeyTrigger

    task, context = sensor
    put(source_bucket, PREFIX + "_SUCCESS")
    with pytest.raises(TaskDeferred) as deferred:
        task.execute(context)
    assert deferred.value.timeout == timedelta(seconds=21600)
    trigger = deferred.value.trigger
    assert isinstance(trigger, S3KeyTrigger)
    assert (trigger.bucket_name, trigger.bucket_key, trigger.wildcard_match) == (
        SOURCE,
        PREFIX + "[!_.]*.csv",
        True,
    )
    assert trigger.poke_interval == 60
