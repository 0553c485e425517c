"""Notification texts (pure) and one real publish through the provider's SNS hook to moto."""

from __future__ import annotations

import json

import pytest
from xetl_tasks.notify import (
    CHAT_DESCRIPTION_LIMIT,
    CHAT_LINE_LIMIT,
    CHAT_TITLE_LIMIT,
    chat_message,
    chat_text,
    failed_and_blocked,
    failure_message,
    run_url,
    success_message,
)
from xetl_tasks.runtime import TaskIds

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


def test_a_failed_docs_task_blocks_nothing_and_says_the_partition_is_published():
    states = {"unload_to_target": "success", "notify_success": "success", "publish_dbt_docs": "failed"}
    failed, blocked = failed_and_blocked(states, TaskIds.PIPELINE, TaskIds.NOTIFY_SUCCESS)
    assert (failed, blocked) == (["publish_dbt_docs"], [])
    _, body = failure_message(DAG_ID, "prod", "2026-11-21", RUN_ID, failed, blocked)
    assert "not run because of it: -" in body
    assert "The partition is published (warehouse and target bucket) and was announced; only the dbt docs site was not refreshed" in body


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


AIRFLOW = "https://0123abcd.c2.airflow.eu-west-1.on.aws"
QUALITY = {"rows_read": 1000, "rows_loaded": 957, "rows_quarantined": 43, "rows_curated": 957}


def test_chat_message_is_a_chatbot_custom_notification_naming_environment_partition_run_and_counts():
    message = chat_message(
        dag_id=DAG_ID, environment="prod", partition="2026-11-21", run_id=RUN_ID, counts=QUALITY,
        airflow_url=AIRFLOW, target_uri=TARGET,
    )  # fmt: skip
    url = f"{AIRFLOW}/dags/{DAG_ID}/runs/scheduled__2026-11-21T01%3A00%3A00%2B00%3A00"
    assert (message["version"], message["source"], message["content"]["textType"]) == ("1.0", "custom", "client-markdown")
    assert message["content"]["title"] == "\u2705 xetl prod: partition 2026-11-21 published"
    assert message["content"]["description"].splitlines() == [
        "environment: prod",
        "partition: 2026-11-21",
        f"run: `{RUN_ID}`",
        "rows: read 1000, loaded 957, quarantined 43",
        f"published to {TARGET}",
        f"Airflow: {url}",
    ]
    assert message["content"]["nextSteps"] == []
    assert message["metadata"]["threadId"] == "xetl-prod-2026-11-21"
    assert message["metadata"]["relatedResources"] == [url]
    assert message["metadata"]["additionalContext"] == {"environment": "prod", "partition": "2026-11-21", "run_id": RUN_ID, "dag_id": DAG_ID}
    json.dumps(message)  # what SNS carries


def test_chat_message_of_a_failed_dbt_test_names_the_test_what_changed_and_what_to_run():
    failed = ["transform_with_dbt.daily_category_summary_reconciles_with_products_test"]
    manifest = {"rows_read": 1000, "rows_curated": 957, "rows_quarantined": 43}
    message = chat_message(
        dag_id=DAG_ID, environment="prod", partition="2026-11-21", run_id=RUN_ID, counts=manifest,
        airflow_url=AIRFLOW, failed=failed, blocked=["unload_to_target", "notify_success"],
    )  # fmt: skip
    content = message["content"]
    assert content["title"] == f"\u274c xetl prod: partition 2026-11-21 FAILED at {failed[0]}"
    lines = content["description"].splitlines()
    # Not loaded: the counts say what the run got to, curated rather than loaded.
    assert "rows: read 1000, curated 957, quarantined 43" in lines
    assert "failed: dbt test `daily_category_summary_reconciles_with_products`" in lines
    assert "not run because of it: `unload_to_target`, `notify_success`" in lines
    assert any("dbt models from the failed one on were not rebuilt" in line for line in lines)
    assert content["nextSteps"] == [
        f"Read the log: xetl logs --env prod --partition 2026-11-21 --task {failed[0]}",
        "Re-run the day: xetl trigger --env prod --partition 2026-11-21",
    ]
    assert message["metadata"]["eventType"] == "xetl.run.failed"


def test_chat_message_names_a_failed_model_build_and_a_plain_step():
    build = chat_message(dag_id=DAG_ID, environment="dev", partition="2026-11-21", run_id=RUN_ID, counts=None,
                         failed=["transform_with_dbt.stg_products_model_build"])  # fmt: skip
    assert "failed: dbt model `stg_products` (its build or one of its tests)" in build["content"]["description"]
    # The task id, for the log, is in the next steps.
    assert "--task transform_with_dbt.stg_products_model_build" in build["content"]["nextSteps"][0]
    step = chat_message(dag_id=DAG_ID, environment="dev", partition="2026-11-21", run_id=RUN_ID, counts=None,
                        failed=["wait_for_glue_job"])  # fmt: skip
    lines = step["content"]["description"].splitlines()
    assert "failed: `wait_for_glue_job`" in lines
    assert "rows: not counted (the run stopped before the Glue job wrote its manifest)" in lines
    # No Airflow UI (the local run): no link, and it says so.
    assert lines[-1] == "Airflow: no UI link (no webserver in this environment)"
    assert step["metadata"]["relatedResources"] == []


def test_chat_message_stays_within_its_limits_however_long_the_input():
    failed = [f"transform_with_dbt.test_number_{i}_{'x' * 200}_test" for i in range(40)]
    bad = "<invalid partition: " + "y" * 800 + ">"
    message = chat_message(dag_id=DAG_ID, environment="prod", partition=bad, run_id="r" * 250, counts=QUALITY,
                           airflow_url=AIRFLOW, failed=failed, blocked=["notify_success"])  # fmt: skip
    content = message["content"]
    assert len(content["title"]) == CHAT_TITLE_LIMIT and content["title"].endswith("\u2026")
    lines = content["description"].splitlines()
    assert len(content["description"]) <= CHAT_DESCRIPTION_LIMIT
    assert max(len(line) for line in lines) <= CHAT_LINE_LIMIT
    # Long values are cut where they are; the count of the others and the link survive.
    assert lines[1].startswith("partition: <invalid partition: yyy") and lines[1].endswith("\u2026")
    assert lines[4].startswith("failed: dbt test `test_number_0_xxx") and lines[4].endswith("and 35 more")
    assert lines[-1].startswith(f"Airflow: {AIRFLOW}/dags/")
    assert len(message["metadata"]["threadId"]) <= 255 and len(message["id"]) <= 255
    # A partition that did not resolve: the next steps show the form to use.
    assert content["nextSteps"][1] == "Re-run the day: xetl trigger --env prod --partition YYYY-MM-DD"


def test_run_url_is_the_airflow_3_run_page_or_nothing():
    assert run_url(AIRFLOW + "/", "d", "manual__2026-11-21T01:00:00+00:00") == f"{AIRFLOW}/dags/d/runs/manual__2026-11-21T01%3A00%3A00%2B00%3A00"
    assert run_url("", "d", "r") is None


def test_chat_text_is_what_the_console_prints():
    message = chat_message(dag_id=DAG_ID, environment="local", partition="2026-11-21", run_id="manual__x", counts=QUALITY,
                           failed=["check_data_quality"], blocked=["publish_partition"])  # fmt: skip
    text = chat_text(message)
    assert text.splitlines()[0] == "\u274c xetl local: partition 2026-11-21 FAILED at check_data_quality"
    assert "  failed: `check_data_quality`" in text.splitlines()
    assert text.splitlines()[-1] == "  next: Re-run the day: xetl trigger --env local --partition 2026-11-21"


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


def test_the_chat_message_goes_to_the_chat_topic_as_chatbot_json_and_nowhere_without_one(topic_with_queue):
    from xetl_tasks.aws import _publish_chat

    topic_arn, sqs, queue_url = topic_with_queue
    message = chat_message(dag_id=DAG_ID, environment="test", partition="2026-11-21", run_id=RUN_ID, counts=QUALITY,
                           airflow_url=AIRFLOW, target_uri=TARGET)  # fmt: skip
    assert _publish_chat("", "eu-west-1", message) is None
    assert "Messages" not in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
    assert _publish_chat(topic_arn, "eu-west-1", message)
    (received,) = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    envelope = json.loads(received["Body"])
    # Chatbot reads the message itself: the JSON, no subject.
    assert json.loads(envelope["Message"]) == message
    assert "Subject" not in envelope or envelope["Subject"] is None


class _NoXComStub:
    """A task instance stub whose upstream checks returned nothing (the manifest gate failed)."""

    def xcom_pull(self, task_ids=None, **kwargs):
        return None


def test_a_failure_without_checked_counts_reads_them_from_the_glue_jobs_manifest(moto_aws):
    import boto3
    from xetl_tasks.aws import _run_counts

    s3 = boto3.client("s3", region_name="eu-west-1")
    s3.create_bucket(Bucket="staging", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert _run_counts(_NoXComStub(), "staging", "eu-west-1", "2026-11-22") is None
    manifest = {"rows_read": 60, "rows_curated": 0, "rows_quarantined": 60}
    s3.put_object(Bucket="staging", Key="manifests/products/year=2026/month=11/day=22/manifest.json", Body=json.dumps(manifest))
    assert _run_counts(_NoXComStub(), "staging", "eu-west-1", "2026-11-22") == manifest
    # A partition that did not resolve names no manifest.
    assert _run_counts(_NoXComStub(), "staging", "eu-west-1", "<invalid partition: x>") is None
