"""The handler with MWAA stubbed by botocore's Stubber (there is no MWAA in moto) and the DLQ in
moto's in-process SQS. Each test pins the documented behaviour (docs/event-trigger.md)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from datetime import date, timedelta
from pathlib import Path

import boto3
import pytest
import xetl_trigger.handler as handler
from botocore.stub import Stubber
from moto import mock_aws
from pipeline_contract import dag_id, marker_key
from support import KEY, PREFIX, SOURCE_BUCKET, TODAY, WINDOW, batch, s3_event
from xetl_trigger.handler import Deps, MwaaApi, dag_runs_path, process_batch, sqs_dead_letter

ENV = "xetl-test"
DAG_RUNS_PATH = dag_runs_path(dag_id())
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
            deps = Deps(airflow=MwaaApi(ENV, mwaa), dead_letter=sqs_dead_letter(sqs, dlq), dag_id=dag_id(),
                        expected_bucket=SOURCE_BUCKET, window=WINDOW)
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
    other_day = marker_key(PREFIX, "2026-11-20")
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
        modeled_fields={"RestApiStatusCode": 404, "RestApiResponse": {"detail": f"DAG {dag_id()} not found"}},
    )
    body = json.dumps(s3_event())
    result = process_batch(batch(body), deps)
    assert result["batchItemFailures"] == []
    [msg] = dlq_messages(sqs, dlq)
    assert msg["Body"] == body
    assert msg["MessageAttributes"]["xetl_reason"]["StringValue"] == f"Airflow answered 404: DAG {dag_id()} not found"
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
    other_day = marker_key(PREFIX, "2026-11-20")
    stub.add_response("invoke_rest_api", ok(handler.dag_run_id("2026-11-20", other_day, ETAG)), None)
    result = process_batch(batch(s3_event(), s3_event(), s3_event(other_day)), deps)
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


# ---- issue #16: each record in isolation, a bounded partition window, a deadline ----------------

DAYS = [f"2026-11-{d:02d}" for d in range(11, 21)]
MARKERS = [marker_key(PREFIX, day) for day in DAYS]


def started(day: str) -> dict:
    """The stubbed 200 for the marker of ``day`` (any params: these tests count calls, not bodies)."""
    return ok(handler.dag_run_id(day, marker_key(PREFIX, day), ETAG))


def test_stubbed_a_poison_record_fails_alone_and_nine_good_markers_start(aws):
    stub, deps, sqs, dlq = aws
    poison = "[" * 100_000 + "]" * 100_000  # valid JSON, deeper than the decoder's recursion limit
    for day in DAYS[:9]:
        stub.add_response("invoke_rest_api", started(day), None)
    result = process_batch(batch(poison, *(s3_event(k) for k in MARKERS[:9])), deps)
    assert result["batchItemFailures"] == []
    assert [o["action"] for o in result["outcomes"]] == ["dead-lettered"] + ["started"] * 9
    [msg] = dlq_messages(sqs, dlq)
    assert msg["Body"] == poison
    assert msg["MessageAttributes"]["xetl_reason"]["StringValue"] == \
        "malformed event: body nests deeper than the JSON decoder allows"


def test_stubbed_a_far_future_marker_fails_alone_and_starts_no_run(aws):
    stub, deps, sqs, dlq = aws
    far = marker_key(PREFIX, "9999-12-31")
    stub.add_response("invoke_rest_api", ok(), expected_params())
    result = process_batch(batch(s3_event(far), s3_event()), deps)
    assert result["batchItemFailures"] == []
    assert [o["action"] for o in result["outcomes"]] == ["dead-lettered", "started"]
    [msg] = dlq_messages(sqs, dlq)
    assert msg["MessageAttributes"]["xetl_reason"]["StringValue"].startswith(
        "partition out of window: 9999-12-31 is after ")
    assert msg["MessageAttributes"]["xetl_stage"]["StringValue"] == "parse"


class SlowMwaa:
    """Lambda's context and MWAA's latency on one fake clock: every InvokeRestApi call (stubbed)
    takes ``seconds``; ``get_remaining_time_in_millis`` counts down from the function timeout."""

    def __init__(self, api, timeout_ms: int, seconds: float) -> None:
        self.api, self.timeout_ms, self.seconds, self.elapsed_ms, self.calls = api, timeout_ms, seconds, 0, 0

    def post(self, path, body):
        self.calls += 1
        self.elapsed_ms += int(self.seconds * 1000)
        return self.api.post(path, body)

    def get_remaining_time_in_millis(self) -> int:
        return self.timeout_ms - self.elapsed_ms


def test_stubbed_the_handler_stops_before_its_timeout_and_leaves_the_rest_to_sqs(aws, monkeypatch):
    stub, deps, sqs, dlq = aws
    slow = SlowMwaa(deps.airflow, timeout_ms=30_000, seconds=5)
    deps.airflow = slow
    monkeypatch.setattr(handler, "_DEPS", deps)
    # A call may take up to 14 s (connect 2 s + read 11 s + 1 s to finish): with 30 s, calls start at
    # 30, 25, 20 and 15 s left; at 10 s left the remaining six markers go back to SQS untouched.
    for day in DAYS[:4]:
        stub.add_response("invoke_rest_api", started(day), None)
    result = handler.handler(batch(*(s3_event(k) for k in MARKERS)), slow)
    assert result == {"batchItemFailures": [{"itemIdentifier": f"m{i}"} for i in range(5, 11)]}
    assert (slow.calls, slow.get_remaining_time_in_millis()) == (4, 10_000)
    assert dlq_messages(sqs, dlq) == []


@pytest.mark.parametrize(("day", "accepted"), [
    (TODAY - timedelta(days=400), True), (TODAY - timedelta(days=401), False),
    (TODAY + timedelta(days=2), True), (TODAY + timedelta(days=3), False),
    (date(1, 1, 1), False),
])
def test_stubbed_the_partition_window_is_400_days_back_to_2_days_ahead_by_default(aws, day, accepted):
    stub, deps, sqs, dlq = aws
    if accepted:
        stub.add_response("invoke_rest_api", started(day.isoformat()), None)
    result = process_batch(batch(s3_event(marker_key(PREFIX, day.isoformat()))), deps)
    assert result["batchItemFailures"] == []
    assert result["outcomes"][0]["action"] == ("started" if accepted else "dead-lettered")


def test_stubbed_an_out_of_window_reason_names_the_window_and_its_settings(aws):
    stub, deps, sqs, dlq = aws
    process_batch(batch(s3_event(marker_key(PREFIX, "2024-01-01"))), deps)
    [msg] = dlq_messages(sqs, dlq)
    assert msg["MessageAttributes"]["xetl_reason"]["StringValue"] == (
        "partition out of window: 2024-01-01 is before 2025-10-18, the window is 2025-10-18..2026-11-24 "
        "(today 2026-11-22 UTC, XETL_PARTITION_DAYS_BACK=400, XETL_PARTITION_DAYS_AHEAD=2)")


def test_stubbed_an_unexpected_error_while_reading_one_record_dead_letters_that_record_only(aws, monkeypatch):
    stub, deps, sqs, dlq = aws
    real = handler.parse_event

    def parse_or_fail(body, **kwargs):
        if "boom" in body:
            raise KeyError("boom")
        return real(body, **kwargs)

    monkeypatch.setattr(handler, "parse_event", parse_or_fail)
    stub.add_response("invoke_rest_api", ok(), expected_params())
    result = process_batch(batch('"boom"', s3_event()), deps)
    assert result["batchItemFailures"] == []
    assert [(o["action"], o["reason"]) for o in result["outcomes"]] == [
        ("dead-lettered", "KeyError: 'boom'"), ("started", None)]
    [msg] = dlq_messages(sqs, dlq)
    assert (msg["Body"], msg["MessageAttributes"]["xetl_stage"]["StringValue"]) == ('"boom"', "parse")


def test_stubbed_no_dlq_send_starts_without_time_for_it_and_the_record_is_left_to_sqs(aws):
    stub, deps, sqs, dlq = aws
    result = process_batch(batch("not json"), deps, remaining_ms=lambda: handler.DLQ_SEND_MS)
    assert result["batchItemFailures"] == [{"itemIdentifier": "m1"}]
    assert result["outcomes"][0]["reason"].startswith("malformed event: body is not JSON (JSONDecodeError); left for retry")
    assert dlq_messages(sqs, dlq) == []


LAMBDA_ENV = {"MWAA_ENVIRONMENT": "xetl-dev", "DLQ_URL": "https://sqs/dlq"}


def test_deps_from_env_reads_the_dag_id_and_the_window_from_the_lambda_environment():
    env = {**LAMBDA_ENV, "XETL_DAG_ID": os.environ["XETL_DAG_ID"], "SOURCE_BUCKET": "b",
           "XETL_PARTITION_DAYS_BACK": "30", "XETL_PARTITION_DAYS_AHEAD": "0"}
    deps = handler.deps_from_env(env)
    assert (deps.dag_id, deps.airflow.environment, deps.expected_bucket, deps.prefix) == \
        (dag_id(), "xetl-dev", "b", "products")
    assert (deps.window.days_back, deps.window.days_ahead) == (30, 0)
    # The clients' limits are the ones the deadline assumes.
    cfg = deps.airflow.client.meta.config
    assert (cfg.connect_timeout, cfg.read_timeout, cfg.retries["total_max_attempts"]) == (2, 11, 1)


def test_deps_from_env_defaults_the_window_to_400_days_back_and_2_ahead():
    deps = handler.deps_from_env({**LAMBDA_ENV, "XETL_DAG_ID": dag_id()})
    assert (deps.window.days_back, deps.window.days_ahead) == (400, 2)


@pytest.mark.parametrize(("env", "message"), [
    ({}, "xetl trigger configuration: XETL_DAG_ID is not set (the pipeline contract's dag_id, set by the "
         "analytics stack); MWAA_ENVIRONMENT is not set (the MWAA environment's name); DLQ_URL is not set "
         "(the trigger dead-letter queue's URL)"),
    ({**LAMBDA_ENV, "XETL_DAG_ID": "a/b"},
     "xetl trigger configuration: XETL_DAG_ID='a/b' is not an Airflow DAG id (letters, digits, '_', '.', '-')"),
    ({**LAMBDA_ENV, "XETL_DAG_ID": "d" * 51},
     f"xetl trigger configuration: XETL_DAG_ID='{'d' * 51}' makes the InvokeRestApi path longer than 64 characters"),
    ({**LAMBDA_ENV, "XETL_DAG_ID": "x", "XETL_PARTITION_DAYS_BACK": "-1", "XETL_PARTITION_DAYS_AHEAD": "two"},
     "xetl trigger configuration: XETL_PARTITION_DAYS_BACK='-1' is not a whole number of days (0 or more); "
     "XETL_PARTITION_DAYS_AHEAD='two' is not a whole number of days (0 or more)"),
])
def test_a_bad_lambda_environment_stops_the_cold_start_with_every_problem_in_one_line(env, message):
    with pytest.raises(handler.ConfigError) as err:
        handler.deps_from_env(env)
    assert str(err.value) == message


def test_the_lambda_entry_point_fails_its_first_invocation_without_xetl_dag_id(monkeypatch):
    monkeypatch.setattr(handler, "_DEPS", None)
    for name, value in LAMBDA_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("XETL_DAG_ID")
    with pytest.raises(handler.ConfigError, match=r"^xetl trigger configuration: XETL_DAG_ID is not set"):
        handler.handler(batch(s3_event()), None)


def test_the_lambda_zip_needs_only_the_package_init_and_the_handler(tmp_path):
    """The stack zips xetl_trigger/__init__.py and xetl_trigger/handler.py; loaded from such a zip
    alone (zipimport, ahead of any installed copy), the entry point configures itself and answers."""
    package = Path(handler.__file__).parent
    archive = tmp_path / "trigger.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in ("__init__.py", "handler.py"):
            zf.write(package / name, f"xetl_trigger/{name}")
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]); import xetl_trigger.handler as h; "
        "assert h.__file__.startswith(sys.argv[1]), h.__file__; "
        "assert sorted(m for m in sys.modules if m.startswith('xetl_trigger')) == ['xetl_trigger', 'xetl_trigger.handler']; "
        "print(h.handler({'Records': []}, None), h._DEPS.dag_id)"
    )
    env = {**os.environ, **LAMBDA_ENV, "XETL_DAG_ID": dag_id()}
    out = subprocess.run([sys.executable, "-c", probe, str(archive)], env=env, capture_output=True, text=True,
                         check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"{{'batchItemFailures': []}} {dag_id()}"
