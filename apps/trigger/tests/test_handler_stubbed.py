"""The handler with MWAA stubbed by botocore's Stubber (there is no MWAA in moto) and the DLQ in
moto's in-process SQS. Each test pins the documented behaviour (docs/event-trigger.md)."""

from __future__ import annotations

import hashlib
import json

import boto3
import pytest
import xetl_trigger.handler as handler
from botocore.stub import Stubber
from moto import mock_aws
from support import KEY, SOURCE_BUCKET, batch, s3_event
from xetl_trigger.handler import DAG_RUNS_PATH, Deps, MwaaApi, process_batch, sqs_dead_letter

ENV = "xetl-test"
ETAG = "d41d8cd98f00b204e9800998ecf8427e"
RUN_ID = "event__2026-11-21__" + hashlib.sha256(f"{KEY}|{ETAG}".encode()).hexdigest()[:16]
CONF = {
    "partition": "2026-11-21",
    "marker": f"s3://{SOURCE_BUCKET}/{KEY}",
    "marker_object": {"bucket": SOURCE_BUCKET, "key": KEY, "etag": ETAG, "size": 412},
}


def expected_params(run_id: str = RUN_ID, conf: dict | None = None) -> dict:
    return {
        "Name": ENV, "Path": DAG_RUNS_PATH, "Method": "POST",
        "Body": {"dag_run_id": run_id, "logical_date": None, "conf": conf or CONF},
    }


@pytest.fixture
def aws():
    with mock_aws():
        sqs = boto3.client("sqs", region_name="eu-west-1")
        dlq = sqs.create_queue(QueueName="xetl-test-trigger-dlq")["QueueUrl"]
        mwaa = boto3.client("mwaa", region_name="eu-west-1")
        with Stubber(mwaa) as stub:
            deps = Deps(airflow=MwaaApi(ENV, mwaa), dead_letter=sqs_dead_letter(sqs, dlq), expected_bucket=SOURCE_BUCKET)
            yield stub, deps, sqs, dlq
            stub.assert_no_pending_responses()


def dlq_messages(sqs, dlq) -> list[dict]:
    out = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
    return out.get("Messages", [])


def ok(run_id: str = RUN_ID) -> dict:
    return {"RestApiStatusCode": 200, "RestApiResponse": {"dag_run_id": run_id, "state": "queued"}}


def test_stubbed_run_id_and_conf_are_exactly_as_documented(aws):
    stub, deps, *_ = aws
    stub.add_response("invoke_rest_api", ok(), expected_params())
    result = process_batch(batch(s3_event()), deps)
    assert result["batchItemFailures"] == []
    assert [o["action"] for o in result["outcomes"]] == ["started"]
    assert RUN_ID == "event__2026-11-21__" + handler.dag_run_id("2026-11-21", KEY, ETAG).rsplit("__", 1)[1]
    assert len(RUN_ID) <= 64 and len(DAG_RUNS_PATH) <= 64


def test_stubbed_a_batch_of_duplicates_starts_one_run_per_partition_and_marker(aws):
    stub, deps, *_ = aws
    other_day = "products/year=2026/month=11/day=20/_SUCCESS"
    other_run = handler.dag_run_id("2026-11-20", other_day, ETAG)
    stub.add_response("invoke_rest_api", ok(), expected_params())
    stub.add_response("invoke_rest_api", ok(other_run), expected_params(other_run, {
        "partition": "2026-11-20", "marker": f"s3://{SOURCE_BUCKET}/{other_day}",
        "marker_object": {"bucket": SOURCE_BUCKET, "key": other_day, "etag": ETAG, "size": 412},
    }))
    # moto spells the field eTag: the same marker either way.
    result = process_batch(batch(s3_event(), s3_event(etag_field="eTag"), s3_event(other_day), s3_event()), deps)
    assert result["batchItemFailures"] == []
    assert [(o["action"], o["message_ids"]) for o in result["outcomes"]] == [
        ("started", ["m1", "m2", "m4"]), ("started", ["m3"]),
    ]


def test_stubbed_a_new_marker_for_the_same_partition_starts_a_new_run(aws):
    stub, deps, *_ = aws
    new_etag = "0cc175b9c0f1b6a831c399e269772661"
    new_run = handler.dag_run_id("2026-11-21", KEY, new_etag)
    assert new_run != RUN_ID
    stub.add_response("invoke_rest_api", ok(), expected_params())
    stub.add_response("invoke_rest_api", ok(new_run), expected_params(new_run, {
        **CONF, "marker_object": {**CONF["marker_object"], "etag": new_etag},
    }))
    result = process_batch(batch(s3_event(), s3_event(etag=new_etag)), deps)
    assert [o["run_id"] for o in result["outcomes"]] == [RUN_ID, new_run]


def test_stubbed_409_is_success_and_nothing_is_retried(aws):
    stub, deps, sqs, dlq = aws
    stub.add_client_error(
        "invoke_rest_api", service_error_code="RestApiClientException", service_message="conflict",
        http_status_code=400, expected_params=expected_params(),
        modeled_fields={"RestApiStatusCode": 409, "RestApiResponse": {"detail": f"DAG run {RUN_ID} already exists"}},
    )
    result = process_batch(batch(s3_event()), deps)
    assert result["batchItemFailures"] == []
    assert result["outcomes"][0]["action"] == "duplicate"
    assert dlq_messages(sqs, dlq) == []


def test_stubbed_other_4xx_goes_to_the_dlq_with_its_reason_and_is_not_retried(aws):
    stub, deps, sqs, dlq = aws
    stub.add_client_error(
        "invoke_rest_api", service_error_code="RestApiClientException", service_message="bad",
        http_status_code=400, expected_params=expected_params(),
        modeled_fields={"RestApiStatusCode": 404, "RestApiResponse": {"detail": "DAG xetl_products_pipeline not found"}},
    )
    body = json.dumps(s3_event())
    result = process_batch(batch(body), deps)
    assert result["batchItemFailures"] == []
    [msg] = dlq_messages(sqs, dlq)
    assert msg["Body"] == body
    assert msg["MessageAttributes"]["xetl_reason"]["StringValue"] == "Airflow answered 404: DAG xetl_products_pipeline not found"
    assert msg["MessageAttributes"]["xetl_stage"]["StringValue"] == "trigger"


def test_stubbed_access_denied_from_mwaa_goes_to_the_dlq(aws):
    stub, deps, sqs, dlq = aws
    stub.add_client_error("invoke_rest_api", service_error_code="AccessDeniedException",
                          service_message="not authorized to perform airflow:InvokeRestApi", http_status_code=403)
    assert process_batch(batch(s3_event()), deps)["batchItemFailures"] == []
    [msg] = dlq_messages(sqs, dlq)
    assert "AccessDeniedException" in msg["MessageAttributes"]["xetl_reason"]["StringValue"]


@pytest.mark.parametrize(("code", "http", "fields"), [
    ("RestApiServerException", 500, {"RestApiStatusCode": 503, "RestApiResponse": {"detail": "scheduler down"}}),
    ("ThrottlingException", 429, None),
    ("InternalServerException", 500, None),
])
def test_stubbed_throttling_and_5xx_are_retried_by_sqs(aws, code, http, fields):
    stub, deps, sqs, dlq = aws
    stub.add_client_error("invoke_rest_api", service_error_code=code, service_message="x",
                          http_status_code=http, expected_params=None, **({"modeled_fields": fields} if fields else {}))
    stub.add_response("invoke_rest_api", ok(handler.dag_run_id("2026-11-20", "products/year=2026/month=11/day=20/_SUCCESS", ETAG)), None)
    result = process_batch(batch(s3_event(), s3_event(), s3_event("products/year=2026/month=11/day=20/_SUCCESS")), deps)
    # Both records of the failed marker retry; the other marker's run started.
    assert result["batchItemFailures"] == [{"itemIdentifier": "m1"}, {"itemIdentifier": "m2"}]
    assert [o["action"] for o in result["outcomes"]] == ["retry", "started"]
    assert dlq_messages(sqs, dlq) == []


@pytest.mark.parametrize(("body", "reason"), [
    ("not json", "malformed event: body is not JSON (JSONDecodeError)"),
    ("[1]", "malformed event: body is not a JSON object"),
    (s3_event(source="aws.ec2"), "malformed event: source is 'aws.ec2', expected 'aws.s3'"),
    (s3_event(**{"detail-type": "Object Tags Added"}), "malformed event: detail-type is 'Object Tags Added', expected 'Object Created'"),
    (s3_event("products/year=2026/month=11/day=21/part-0001.csv"),
     "malformed event: key 'products/year=2026/month=11/day=21/part-0001.csv' is not a marker key products/year=YYYY/month=MM/day=DD/_SUCCESS"),
    (s3_event("products/year=2026/month=02/day=30/_SUCCESS"),
     "malformed event: key 'products/year=2026/month=02/day=30/_SUCCESS' names 2026-02-30, which is not a calendar date"),
    (s3_event(bucket="someone-else"), f"malformed event: bucket 'someone-else' is not the source bucket '{SOURCE_BUCKET}'"),
    (s3_event(etag=""), "malformed event: detail.object.etag is missing"),
    (s3_event(size="12"), "malformed event: detail.object.size '12' is not a byte count"),
    ({"source": "aws.s3", "detail-type": "Object Created"}, "malformed event: detail is missing or not an object"),
])
def test_stubbed_malformed_events_are_rejected_with_a_reason_and_never_crash_the_batch(aws, body, reason):
    stub, deps, sqs, dlq = aws
    stub.add_response("invoke_rest_api", ok(), expected_params())
    result = process_batch(batch(body, s3_event()), deps)
    assert result["batchItemFailures"] == []
    assert [(o["action"], o["reason"]) for o in result["outcomes"]] == [("dead-lettered", reason), ("started", None)]
    [msg] = dlq_messages(sqs, dlq)
    assert msg["MessageAttributes"]["xetl_reason"]["StringValue"] == reason
    assert msg["MessageAttributes"]["xetl_stage"]["StringValue"] == "parse"


def test_stubbed_a_dlq_that_cannot_be_written_leaves_the_record_to_sqs(aws):
    stub, deps, *_ = aws

    def broken(body: str, reason: str, stage: str) -> None:
        raise RuntimeError("sqs down")

    deps.dead_letter = broken
    result = process_batch(batch("not json"), deps)
    assert result["batchItemFailures"] == [{"itemIdentifier": "m1"}]


def test_stubbed_lambda_entry_point_returns_only_batch_item_failures(aws, monkeypatch):
    stub, deps, *_ = aws
    monkeypatch.setattr(handler, "_DEPS", deps)
    stub.add_response("invoke_rest_api", ok(), expected_params())
    assert handler.handler(batch(s3_event()), None) == {"batchItemFailures": []}


def test_deps_from_env_reads_the_lambda_environment(monkeypatch):
    deps = handler.deps_from_env({"MWAA_ENVIRONMENT": "xetl-dev", "DLQ_URL": "https://sqs/dlq", "SOURCE_BUCKET": "b"})
    assert (deps.airflow.environment, deps.expected_bucket, deps.prefix) == ("xetl-dev", "b", "products")
