"""A real moto_server with the event path of both accounts: A's source bucket (EventBridge
notifications) -> A's default-bus rule -> B's pipeline bus -> B's rule -> B's queue (+ DLQs).

moto serves every account from one process; A and B are separate moto accounts here, chosen per
request with the ``x-moto-account-id`` header. (With ONE account, moto delivers S3 events to rules
on every bus, so B's rule would see each event twice: directly and forwarded. The handler would still
start one run: same run id, 409.) Names follow libs/config/src/naming.ts for the `dev` layout.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
from pipeline_contract import marker_event_pattern, marker_key
from xetl_harness.loopback import exempt_loopback_from_proxies
from xetl_trigger.emulator_setup import create_account_b
from xetl_trigger.emulator_setup import marker_pattern as fill_marker_pattern

REPO = Path(__file__).resolve().parents[3]
REGION = "eu-west-1"
ACCOUNT_A = "111111111111"
ACCOUNT_B = "222222222222"
BASE = "xetl-dev"
SOURCE_BUCKET = f"{BASE}-source-{ACCOUNT_A}-{REGION}"
BUS = f"{BASE}-pipeline"
BUS_ARN = f"arn:aws:events:{REGION}:{ACCOUNT_B}:event-bus/{BUS}"
FORWARD_RULE = f"{BASE}-forward-markers"
TRIGGER_RULE = f"{BASE}-trigger-markers"
QUEUE = f"{BASE}-trigger"
DLQ = f"{BASE}-trigger-dlq"
FORWARDER_DLQ = f"{BASE}-forward-dlq"
PREFIX = "products"


def marker_pattern(bucket: str = SOURCE_BUCKET, prefix: str = PREFIX) -> dict:
    """The pattern both rules use: the pipeline contract's, as the stacks synthesize it."""
    return fill_marker_pattern(marker_event_pattern(), bucket, prefix)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    exempt_loopback_from_proxies()  # the handler under test builds its own clients
    port = free_port()
    binary = Path(sys.executable).parent / "moto_server"
    log_dir = REPO / ".work" / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / f"moto-trigger-{port}.log", "w") as log:
        proc = subprocess.Popen([str(binary), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)  # noqa: S310 - loopback
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto_server did not start on {endpoint}") from None
                time.sleep(0.1)
        yield endpoint
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()


def client(service: str, endpoint: str, account: str):
    c = boto3.client(service, endpoint_url=endpoint, region_name=REGION,
                     aws_access_key_id="testing", aws_secret_access_key="testing")

    def pin(request, **_):  # moto picks the account per request from this header
        request.headers["x-moto-account-id"] = account

    c.meta.events.register("before-send", pin)
    return c


@dataclass
class Topology:
    endpoint: str
    s3_a: object
    sqs_b: object
    queue_url: str
    dlq_url: str


def build(endpoint: str) -> Topology:
    s3 = client("s3", endpoint, ACCOUNT_A)
    s3.create_bucket(Bucket=SOURCE_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_notification_configuration(
        Bucket=SOURCE_BUCKET, NotificationConfiguration={"EventBridgeConfiguration": {}})

    # ---- account B: bus (policy admits A), rule re-checking the pattern -> queue with DLQ
    sqs_b = client("sqs", endpoint, ACCOUNT_B)
    b = create_account_b(sqs_b, client("events", endpoint, ACCOUNT_B), bus=BUS, bus_arn=BUS_ARN, rule=TRIGGER_RULE,
                         queue=QUEUE, dlq=DLQ, source_account=ACCOUNT_A, event_pattern=marker_pattern())
    queue_url, dlq_url = b.queue_url, b.dlq_url

    # ---- account A: default-bus rule -> B's bus (role and retry policy are not enforced by moto)
    sqs_a = client("sqs", endpoint, ACCOUNT_A)
    fdlq = sqs_a.create_queue(QueueName=FORWARDER_DLQ)["QueueUrl"]
    fdlq_arn = sqs_a.get_queue_attributes(QueueUrl=fdlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events_a = client("events", endpoint, ACCOUNT_A)
    events_a.put_rule(Name=FORWARD_RULE, EventPattern=json.dumps(marker_pattern()))
    events_a.put_targets(Rule=FORWARD_RULE, Targets=[{
        "Id": "pipeline-bus", "Arn": BUS_ARN,
        "RoleArn": f"arn:aws:iam::{ACCOUNT_A}:role/{BASE}-events-forwarder",
        "RetryPolicy": {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400},
        "DeadLetterConfig": {"Arn": fdlq_arn},
    }])
    return Topology(endpoint, s3, sqs_b, queue_url, dlq_url)


def drop(topology: Topology, day: str, files: int = 2, marker_body: bytes = b"{}") -> str:
    """Data files first, the marker last (the producer contract); returns the marker key."""
    key = marker_key(PREFIX, day)
    folder = key.rsplit("/", 1)[0]
    for i in range(files):
        topology.s3_a.put_object(Bucket=SOURCE_BUCKET, Key=f"{folder}/part-{i:04d}.csv", Body=b"product_id\n1\n")
    topology.s3_a.put_object(Bucket=SOURCE_BUCKET, Key=key, Body=marker_body)
    return key


def receive_all(sqs, queue_url: str, wait: int = 1) -> list[dict]:
    out: list[dict] = []
    while True:
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait,
                                  MessageAttributeNames=["All"]).get("Messages", [])
        if not got:
            return out
        out.extend(got)

