"""The rendered marker sensor, poked for real through the provider's S3 hook against moto
(in-process): it waits for the partition's _SUCCESS marker, not for data files, and applies the
variable's timeout, also to the deferred wait."""

from __future__ import annotations

import pytest
from support import TEST_PIPELINE, Run, start_task

SOURCE = TEST_PIPELINE["source_bucket"]
PREFIX = "products/year=2026/month=11/day=21/"
RUN = Run(
    run_id="event__2026-11-21__0123456789abcdef",
    run_type="manual",
    logical_date=None,
    conf={"partition": "2026-11-21"},
)


@pytest.fixture
def source_bucket(moto_aws):
    import boto3

    s3 = boto3.client("s3", region_name="eu-west-1")
    s3.create_bucket(Bucket=SOURCE, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    return s3


@pytest.fixture
def sensor():
    ti, context = start_task("wait_for_marker", RUN)
    return ti.task, context


def put(s3, key: str) -> None:
    s3.put_object(Bucket=SOURCE, Key=key, Body=b"product_id,product_name,category,price,quantity,updated_at\n")


def test_data_files_alone_are_a_drop_still_in_progress(source_bucket, sensor):
    # A run that woke mid-upload must not process half a partition.
    task, context = sensor
    for key in (PREFIX + "feed-1.csv", PREFIX + "feed-2.csv", "products/year=2026/month=11/day=20/_SUCCESS",
                "products/year=2026/month=11/day=22/_SUCCESS", PREFIX + "_SUCCESS.tmp"):  # fmt: skip
        put(source_bucket, key)
    assert task.poke(context) is False


def test_the_marker_of_the_partition_completes_the_wait(source_bucket, sensor):
    task, context = sensor
    put(source_bucket, PREFIX + "feed-1.csv")
    assert task.poke(context) is False
    put(source_bucket, PREFIX + "_SUCCESS")
    assert task.poke(context) is True


def test_execute_applies_the_variables_timeout_then_returns_when_the_marker_is_there(source_bucket, sensor):
    task, context = sensor
    put(source_bucket, PREFIX + "_SUCCESS")
    # deferrable: the marker already present means no deferral, execute just returns.
    assert task.execute(context) is None
    assert task.timeout == 21600.0


@pytest.mark.parametrize("bad", ["0", "-5", "six hours", ""])
def test_a_non_positive_or_non_numeric_timeout_fails_clearly(sensor, bad):
    from airflow.exceptions import AirflowFailException

    task, context = sensor
    task.timeout_seconds = bad
    with pytest.raises(AirflowFailException, match="sensor_timeout_seconds must be a positive number of seconds"):
        task.execute(context)


def test_without_the_marker_it_defers_to_the_triggerer_with_the_variables_timeout(source_bucket, sensor):
    from datetime import timedelta

    from airflow.exceptions import TaskDeferred
    from airflow.providers.amazon.aws.triggers.s3 import S3KeyTrigger

    task, context = sensor
    put(source_bucket, PREFIX + "feed-1.csv")
    with pytest.raises(TaskDeferred) as deferred:
        task.execute(context)
    assert deferred.value.timeout == timedelta(seconds=21600)
    trigger = deferred.value.trigger
    assert isinstance(trigger, S3KeyTrigger)
    assert (trigger.bucket_name, trigger.bucket_key, trigger.wildcard_match) == (SOURCE, PREFIX + "_SUCCESS", False)
    assert trigger.poke_interval == 60


def test_a_variable_outside_the_contract_stops_the_run_before_anything_is_read(source_bucket, sensor, monkeypatch):
    import json

    from airflow.exceptions import AirflowFailException

    task, context = sensor
    put(source_bucket, PREFIX + "_SUCCESS")
    alias = "arn:aws:kms:eu-west-1:111111111111:alias/xetl-test-data"
    bad = {**TEST_PIPELINE, "target_kms_key_arn": alias, "extra": 1}
    del bad["glue_job"]
    monkeypatch.setenv("AIRFLOW_VAR_XETL_PIPELINE", json.dumps(bad))
    with pytest.raises(AirflowFailException) as err:
        task.execute(context)
    message = str(err.value)
    assert "missing glue_job" in message and "unknown field extra" in message
    assert f"target_kms_key_arn {alias!r} does not match" in message and "--var source_data_key_arn" in message
