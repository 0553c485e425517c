"""Notification texts (pure) and one real publish through the provider's SNS hook to moto."""

from __future__ import annotations

import json

import pytest
from xetl_tasks.runtime import TaskIds
from xetl_tasks.notify import failed_and_blocked, failure_message, success_message

DAG_ID = "xetl_products_pipeline"
RUN_ID = "scheduled__2026-11-21T01:00:00+00:00"
TARGET = "s3://xetl-test-target-111111111111/products/year=2026/month=11/day=21/"


def test_success_message_carries_partition_target_and_counts():
    quality = {
        "rows_read": 1000,
        "rows_loaded": 957,
        "rows_quarantined": 43,
        "quarantined_by_reason": {"invalid_decimal": 12, "duplicate_key": 31},
        "checks": ["row_count_reconciliation", "key_uniqueness"],
    }
    subject, body = success_message(DAG_ID, "test", "2026-11-21", RUN_ID, TARGET, quality)
    assert subject == "[xetl test] OK 2026-11-21"
    assert body.splitlines() == [
        f"xetl published partition 2026-11-21 to {TARGET}",
        "environment: test",
        f"dag: {DAG_ID}",
        f"run: {RUN_ID}",
        "rows read: 1000",
        "rows loaded: 957",
        "rows quarantined: 43",
        "  duplicate_key: 31",
        "  invalid_decimal: 12",
        "checks passed: row_count_reconciliation, key_uniqueness",
    ]


def test_success_message_without_quality_summary_says_so():
    _, body = success_message(DAG_ID, "test", "2026-11-21", RUN_ID, TARGET, None)
    assert "data-quality summary: not available" in body


def test_failed_and_blocked_follow_the_pipeline_order():
    states = {"wait_for_marker": "success", "start_glue_crawler": "success", "wait_for_glue_crawler": "success",
              "start_glue_job": "success", "wait_for_glue_job": "failed"}  # fmt: skip
    failed, blocked = failed_and_blocked(states, TaskIds.PIPELINE, TaskIds.NOTIFY_SUCCESS)
    assert failed == ["wait_for_glue_job"]
    assert blocked == [
        "check_manifest",
        "stage_partition",
        "check_data_quality",
        "publish_partition",
        "unload_to_target",
        "notify_success",
    ]


def test_a_failed_dbt_test_is_named_and_blocks_the_unload():
    states = {"publish_partition": "success", "transform_with_dbt.daily_category_summary_model_build": "failed"}
    failed, blocked = failed_and_blocked(states, TaskIds.PIPELINE, TaskIds.NOTIFY_SUCCESS)
    assert failed == ["transform_with_dbt.daily_category_summary_model_build"]
    assert blocked == ["unload_to_target", "notify_success"]
    _, body = failure_message(DAG_ID, "prod", "2026-11-21", RUN_ID, failed, blocked)
    assert "dbt models from the failed one on were not rebuilt, and the target bucket was not changed" in body


def test_failed_and_blocked_when_states_are_unknown():
    assert failed_and_blocked({}, TaskIds.PIPELINE, TaskIds.NOTIFY_SUCCESS) == ([], [])


def test_failure_message_names_the_failed_task_and_how_to_rerun():
    subject, body = failure_message(
        DAG_ID, "prod", "2026-11-21", RUN_ID, ["check_data_quality"], ["unload_to_target", "notify_success"]
    )
    assert subject == "[xetl prod] FAILED 2026-11-21 at check_data_quality"
    assert "failed task(s): check_data_quality" in body
    assert "not run because of it: unload_to_target, notify_success" in body
    assert f"""Re-run: airflow dags trigger {DAG_ID} -c '{{"partition": "2026-11-21"}}'""" in body
    assert "Nothing was published: the published table and the target prefix are exactly as they were." in body


def test_a_failure_while_publishing_says_what_may_have_changed():
    _, body = failure_message(DAG_ID, "prod", "2026-11-21", RUN_ID, ["unload_to_target"], ["notify_success"])
    assert "unload_to_target failed" in body and "target prefix may be partial until a re-run" in body


def test_failure_message_for_an_invalid_partition_shows_the_expected_form():
    bad = "<invalid partition: dag_run.conf['partition']: partition '2026-02-30' is not a calendar date>"
    subject, body = failure_message(DAG_ID, "prod", bad, "manual__x", ["wait_for_marker"], [])
    assert len(subject) <= 100 and subject.endswith("...")
    assert bad in body
    assert """-c '{"partition": "YYYY-MM-DD"}'""" in body


def test_subject_is_ascii_only():
    subject, _ = failure_message(DAG_ID, "prød", "2026-11-21", RUN_ID, [], [])
    assert subject.isascii()
    assert subject == "[xetl pr?d] FAILED 2026-11-21 at unknown task"


@pytest.fixture
def topic_with_queue(moto_aws):
    import boto3

    sns = boto3.client("sns", region_name="eu-west-1")
    sqs = boto3.client("sqs", region_name="eu-west-1")
    topic_arn = sns.create_topic(Name="xetl-test-pipeline")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="xetl-test-notices")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    return topic_arn, sqs, queue_url


def test_publish_delivers_subject_body_and_filterable_attributes(topic_with_queue):
    from xetl_tasks.aws import _publish

    topic_arn, sqs, queue_url = topic_with_queue
    subject, body = failure_message(
        DAG_ID, "test", "2026-11-21", RUN_ID, ["wait_for_glue_job"], ["notify_success"]
    )
    message_id = _publish(topic_arn, "eu-west-1", subject, body, "failure", "2026-11-21", "test")
    assert message_id

    (received,) = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    envelope = json.loads(received["Body"])
    assert envelope["Subject"] == "[xetl test] FAILED 2026-11-21 at wait_for_glue_job"
    assert envelope["Message"] == body
    assert {k: v["Value"] for k, v in envelope["MessageAttributes"].items()} == {
        "status": "failure",
        "environment": "test",
        "partition": "2026-11-21",
    }
