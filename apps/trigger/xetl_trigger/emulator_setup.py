"""Account B's side of the trigger path in an emulator (moto), shared by the emulator test
(``tests/emulator.py``) and the local run's event mode (``tools/local/xetl_local/event_mode.py``):
the pipeline bus (policy admits account A), the rule re-checking the marker pattern, and the
trigger queue with its DLQ, as the analytics stack creates them (minus CMKs: moto does not enforce
them). Account A's forwarding rule comes from its own stack (the local run applies it with
Terraform; the emulator test creates it with boto3).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Any


def marker_pattern(bucket: str, prefix: str) -> dict[str, Any]:
    """The pattern both rules use (the constructs synthesize the same, see events/event-patterns.ts)."""
    return {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [bucket]}, "object": {"key": [{"wildcard": f"{prefix}/*/_SUCCESS"}]}},
    }


@dataclass
class AccountB:
    queue_url: str
    dlq_url: str
    queue_arn: str
    bus_arn: str


def create_account_b(sqs: Any, events: Any, *, bus: str, bus_arn: str, rule: str, queue: str, dlq: str,
                     source_account: str, bucket: str, prefix: str) -> AccountB:
    """Creates (or finds: every call is idempotent) B's bus, rule, queue and DLQ with clients of
    account B."""
    dlq_url = sqs.create_queue(QueueName=dlq)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue_url = sqs.create_queue(QueueName=queue, Attributes={
        "VisibilityTimeout": "30",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}),
    })["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    with contextlib.suppress(events.exceptions.ResourceAlreadyExistsException):
        events.create_event_bus(Name=bus)
    events.put_permission(EventBusName=bus, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "SourceAccountOnly", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{source_account}:root"},
        "Action": "events:PutEvents", "Resource": bus_arn}]}))
    events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps(marker_pattern(bucket, prefix)))
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "queue", "Arn": queue_arn}])
    return AccountB(queue_url=queue_url, dlq_url=dlq_url, queue_arn=queue_arn, bus_arn=bus_arn)
