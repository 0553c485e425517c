"""Account B's side of the trigger path in an emulator (moto), shared by the emulator test
(``apps/trigger/tests/emulator.py``) and the local run's event mode
(``tools/local/xetl_local/event_mode.py``): the pipeline bus (policy admits account A), the rule
re-checking the marker pattern, and the trigger queue with its DLQ, as the analytics stack creates
them (minus CMKs: moto does not enforce them). Account A's forwarding rule comes from its own stack
(the local run applies it with Terraform; the emulator test creates it with boto3). A test and local
helper: never part of the Lambda's package.

The marker pattern is not spelled here: callers pass the pipeline contract's ``marker.event_pattern``
(dags/xetl_tasks/pipeline_contract.json), whose ``{source_bucket}``/``{source_prefix}`` placeholders
``marker_pattern`` fills, as the stacks do.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PLACEHOLDER_RE = re.compile(r"\{[a-z_]+\}")


def marker_pattern(template: Mapping[str, Any], bucket: str, prefix: str) -> dict[str, Any]:
    """The contract's ``marker.event_pattern`` for one source bucket and feed prefix; ValueError if
    the template holds a placeholder other than ``{source_bucket}`` and ``{source_prefix}``."""
    values = {"{source_bucket}": bucket, "{source_prefix}": prefix}

    def fill(node: Any) -> Any:
        if isinstance(node, Mapping):
            return {k: fill(v) for k, v in node.items()}
        if isinstance(node, list):
            return [fill(v) for v in node]
        if isinstance(node, str):
            text = PLACEHOLDER_RE.sub(lambda m: values.get(m.group(0), m.group(0)), node)
            if unknown := PLACEHOLDER_RE.search(text):
                raise ValueError(f"marker event pattern: unknown placeholder {unknown.group(0)} in {node!r}")
            return text
        return node

    return fill(template)


@dataclass
class AccountB:
    queue_url: str
    dlq_url: str
    queue_arn: str
    bus_arn: str


def create_account_b(sqs: Any, events: Any, *, bus: str, bus_arn: str, rule: str, queue: str, dlq: str,
                     source_account: str, event_pattern: Mapping[str, Any]) -> AccountB:
    """Creates (or finds: every call is idempotent) B's bus, rule, queue and DLQ with clients of
    account B; ``event_pattern`` is the rule's filled pattern (``marker_pattern``)."""
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
    events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps(event_pattern))
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "queue", "Arn": queue_arn}])
    return AccountB(queue_url=queue_url, dlq_url=dlq_url, queue_arn=queue_arn, bus_arn=bus_arn)
