"""Builders for EventBridge S3 events and SQS records, as AWS (and moto) deliver them."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from pipeline_contract import marker_key
from xetl_trigger.handler import PartitionWindow

SOURCE_BUCKET = "xetl-test-source-111111111111-eu-west-1"
PREFIX = "products"
PARTITION = "2026-11-21"
KEY = marker_key(PREFIX, PARTITION)
# Tests pin "today" so their fixed dates stay inside the default partition window.
TODAY = date(2026, 11, 22)
WINDOW = PartitionWindow(today=lambda: TODAY)


def s3_event(key: str = KEY, etag: str = "d41d8cd98f00b204e9800998ecf8427e", *, bucket: str = SOURCE_BUCKET,
             size: int = 412, etag_field: str = "etag", **overrides: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "version": "0",
        "id": "17793124-05d4-b198-2fde-7ededc63b103",
        "detail-type": "Object Created",
        "source": "aws.s3",
        "account": "111111111111",
        "time": "2026-11-22T00:01:02Z",
        "region": "eu-west-1",
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": {
            "version": "0",
            "bucket": {"name": bucket},
            "object": {"key": key, "size": size, etag_field: etag, "sequencer": "00617F08299329D189"},
            "request-id": "N4N7GDK58NMKJ12R",
            "requester": "111111111111",
            "reason": "PutObject",
        },
    }
    event.update(overrides)
    return event


def record(body: Any, message_id: str) -> dict[str, Any]:
    return {
        "messageId": message_id,
        "receiptHandle": f"rh-{message_id}",
        "body": body if isinstance(body, str) else json.dumps(body),
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-west-1:222222222222:xetl-test-trigger",
    }


def batch(*bodies: Any) -> dict[str, Any]:
    return {"Records": [record(b, f"m{i}") for i, b in enumerate(bodies, start=1)]}
