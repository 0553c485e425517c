"""Emulator test: a real moto_server with both accounts' event path (see emulator.py). A drop of two
data files and the marker sends exactly one message to B's queue; the handler (MWAA stubbed with
botocore's Stubber: no MWAA in moto) starts one run with the documented id and conf; a duplicate
event starts nothing new (409)."""

from __future__ import annotations

import json

import boto3
import pytest
import xetl_trigger.handler as handler
from botocore.stub import Stubber
from emulator import SOURCE_BUCKET, build, drop, moto_server, receive_all
from pipeline_contract import dag_id
from support import WINDOW
from xetl_trigger.handler import MwaaApi, dag_runs_path
from xetl_trigger.local_poller import Poller


@pytest.fixture(scope="module")
def endpoint():
    with moto_server() as ep:
        yield ep


@pytest.fixture
def topology(endpoint):
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"))  # noqa: S310
    return build(endpoint)


def test_one_message_per_marker_reaches_account_b_and_none_for_data_files(topology):
    key = drop(topology, "2026-11-21", files=2)
    messages = receive_all(topology.sqs_b, topology.queue_url)
    assert len(messages) == 1
    event = json.loads(messages[0]["Body"])
    assert (event["source"], event["detail-type"]) == ("aws.s3", "Object Created")
    assert event["detail"]["object"]["key"] == key
    assert event["detail"]["bucket"]["name"] == SOURCE_BUCKET
    # The wildcard pattern matched the marker only: no message for the two data files (or the
    # "Object Tags Added" events moto also emits). Forwarding kept source/detail-type/detail.
    assert event["detail"]["object"]["key"].endswith("/_SUCCESS")


def test_emulated_event_starts_one_run_and_a_duplicate_starts_none_stubbed_mwaa(topology):
    key = drop(topology, "2026-11-21", files=2)
    [message] = receive_all(topology.sqs_b, topology.queue_url, wait=1)
    etag = json.loads(message["Body"])["detail"]["object"]["eTag"]
    run_id = handler.dag_run_id("2026-11-21", key, etag)
    body = {"dag_run_id": run_id, "logical_date": None, "conf": {
        "partition": "2026-11-21", "marker": f"s3://{SOURCE_BUCKET}/{key}",
        "marker_object": {"bucket": SOURCE_BUCKET, "key": key, "etag": etag, "size": 2},
    }}
    params = {"Name": "xetl-dev", "Path": dag_runs_path(dag_id()), "Method": "POST", "Body": body}
    mwaa = boto3.client("mwaa", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(mwaa) as stub:
        stub.add_response("invoke_rest_api", {"RestApiStatusCode": 200, "RestApiResponse": {"dag_run_id": run_id}}, params)
        stub.add_client_error("invoke_rest_api", service_error_code="RestApiClientException", http_status_code=400,
                              expected_params=params,
                              modeled_fields={"RestApiStatusCode": 409, "RestApiResponse": {"detail": "exists"}})
        # The message is still in flight from receive_all: make it visible again for the poller.
        topology.sqs_b.change_message_visibility(QueueUrl=topology.queue_url, ReceiptHandle=message["ReceiptHandle"],
                                                 VisibilityTimeout=0)
        poller = Poller(topology.sqs_b, topology.queue_url, topology.dlq_url, MwaaApi("xetl-dev", mwaa),
                        dag_id=dag_id(), expected_bucket=SOURCE_BUCKET, window=WINDOW)
        first = poller.poll_once()
        assert [(o["action"], o["run_id"]) for o in first] == [("started", run_id)]
        # The same marker event again (EventBridge and SQS deliver at least once).
        topology.sqs_b.send_message(QueueUrl=topology.queue_url, MessageBody=message["Body"])
        second = poller.poll_once()
        assert [(o["action"], o["run_id"]) for o in second] == [("duplicate", run_id)]
        stub.assert_no_pending_responses()
    # Both were deleted from the queue; nothing reached the DLQ.
    assert receive_all(topology.sqs_b, topology.queue_url) == []
    assert receive_all(topology.sqs_b, topology.dlq_url) == []


def test_a_failed_trigger_lands_in_the_dlq_with_its_reason(topology):
    drop(topology, "2026-11-22", files=1)

    class Refusing:
        def post(self, path, body):
            return 400, {"detail": "conf.partition: bad"}

    Poller(topology.sqs_b, topology.queue_url, topology.dlq_url, Refusing(), dag_id=dag_id(),
           expected_bucket=SOURCE_BUCKET, window=WINDOW).poll_once()
    [parked] = receive_all(topology.sqs_b, topology.dlq_url)
    assert parked["MessageAttributes"]["xetl_reason"]["StringValue"] == "Airflow answered 400: conf.partition: bad"
