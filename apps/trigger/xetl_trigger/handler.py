"""Event-driven trigger: S3 marker event (EventBridge, delivered through SQS) -> one DAG run in MWAA.

Lambda entry point ``handler.handler`` (python3.12, event source mapping with
``ReportBatchItemFailures``). The same ``process_batch`` runs locally in ``local_poller.py`` with a
local Airflow client instead of MWAA. See docs/event-trigger.md.

Per SQS record:

* the body is an EventBridge ``Object Created`` event from S3 for a marker key
  ``products/year=YYYY/month=MM/day=DD/_SUCCESS`` (``detail.object.etag``, or ``eTag`` as moto
  writes it). Anything else is *malformed*: sent to the DLQ with its reason, never retried, and
  never allowed to crash the batch.
* records of one (partition, marker identity) are collapsed into one trigger; the run id is
  deterministic, ``event__<partition>__<sha256(key|etag)[:16]>``, so a redelivered or duplicated
  event starts nothing new (Airflow answers 409, which counts as success). A new marker for the
  same partition has another etag and starts a new run, which replaces the partition idempotently.
* Airflow 4xx other than 409 (and MWAA's own client errors) -> DLQ with the reason; the record is
  reported done so SQS does not retry it. Throttling, 5xx and network errors -> reported in
  ``batchItemFailures`` so SQS retries them (and, after ``maxReceiveCount``, moves them to the DLQ).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

LOG = logging.getLogger("xetl.trigger")
LOG.setLevel(logging.INFO)

DAG_ID = "xetl_products_pipeline"
# MWAA's InvokeRestApi takes the path without /api/v2 and allows at most 64 characters.
DAG_RUNS_PATH = f"/dags/{DAG_ID}/dagRuns"
MAX_PATH_CHARS = 64
RUN_ID_PREFIX = "event__"
# Airflow's default allowed_run_id_pattern is ^[A-Za-z0-9_.~:+-]+$; run ids here stay well inside it.
RUN_ID_RE = re.compile(r"^[A-Za-z0-9_.~:+-]{1,250}$")
MARKER_KEY_RE = re.compile(r"^(?P<prefix>[a-z0-9_-]+)/year=(?P<y>\d{4})/month=(?P<m>\d{2})/day=(?P<d>\d{2})/_SUCCESS$")
DEFAULT_PREFIX = "products"
# Names of the SQS message attributes a DLQ message carries (xetl redrive shows them).
REASON_ATTRIBUTE = "xetl_reason"
STAGE_ATTRIBUTE = "xetl_stage"

# MWAA's own error codes that a retry cannot fix (configuration): to the DLQ with the reason.
MWAA_PERMANENT = {"AccessDeniedException", "ResourceNotFoundException", "ValidationException"}


class MalformedEvent(ValueError):
    """The record is not a marker event this trigger accepts; the message says why."""


class TransientError(RuntimeError):
    """A failure worth retrying (throttling, 5xx, network): the record goes back to SQS."""


@dataclass(frozen=True)
class Marker:
    """One completed drop: the marker object whose arrival means every file of the partition landed."""

    bucket: str
    key: str
    etag: str
    size: int | None
    version_id: str | None
    partition: str

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    @property
    def identity(self) -> tuple[str, str]:
        """(partition, marker identity): the unit of deduplication and of the run id."""
        return (self.partition, f"{self.key}|{self.etag}")

    @property
    def run_id(self) -> str:
        return dag_run_id(self.partition, self.key, self.etag)

    def conf(self) -> dict[str, Any]:
        """The run's ``conf``: partition, the marker's s3:// URI (the DAG's ``marker`` param, string
        or null, recorded in the audit table) and the marker's full identity."""
        return {
            "partition": self.partition,
            "marker": self.uri,
            "marker_object": {"bucket": self.bucket, "key": self.key, "etag": self.etag, "size": self.size},
        }

    def body(self) -> dict[str, Any]:
        """Airflow 3 ``POST /dags/{dag_id}/dagRuns`` body (extra fields are refused by Airflow)."""
        return {"dag_run_id": self.run_id, "logical_date": None, "conf": self.conf()}


def dag_run_id(partition: str, key: str, etag: str) -> str:
    """``event__<partition>__<sha256(key|etag)[:16]>``: one id per (partition, marker object)."""
    digest = hashlib.sha256(f"{key}|{etag}".encode()).hexdigest()[:16]
    return f"{RUN_ID_PREFIX}{partition}__{digest}"


def partition_from_key(key: str, prefix: str = DEFAULT_PREFIX) -> str:
    m = MARKER_KEY_RE.fullmatch(key)
    if not m or m.group("prefix") != prefix:
        raise MalformedEvent(f"key {key!r} is not a marker key {prefix}/year=YYYY/month=MM/day=DD/_SUCCESS")
    text = f"{m.group('y')}-{m.group('m')}-{m.group('d')}"
    try:
        date.fromisoformat(text)
    except ValueError:
        raise MalformedEvent(f"key {key!r} names {text}, which is not a calendar date") from None
    return text


def parse_event(body: str, *, expected_bucket: str | None = None, prefix: str = DEFAULT_PREFIX) -> Marker:
    """One SQS body -> Marker, or MalformedEvent with a one-line reason."""
    try:
        event = json.loads(body)
    except (TypeError, ValueError) as err:
        raise MalformedEvent(f"body is not JSON ({err.__class__.__name__})") from None
    if not isinstance(event, dict):
        raise MalformedEvent("body is not a JSON object")
    if event.get("source") != "aws.s3":
        raise MalformedEvent(f"source is {event.get('source')!r}, expected 'aws.s3'")
    if event.get("detail-type") != "Object Created":
        raise MalformedEvent(f"detail-type is {event.get('detail-type')!r}, expected 'Object Created'")
    detail = event.get("detail")
    if not isinstance(detail, dict):
        raise MalformedEvent("detail is missing or not an object")
    bucket = (detail.get("bucket") or {}).get("name") if isinstance(detail.get("bucket"), dict) else None
    obj = detail.get("object") if isinstance(detail.get("object"), dict) else None
    if not isinstance(bucket, str) or not bucket:
        raise MalformedEvent("detail.bucket.name is missing")
    if obj is None:
        raise MalformedEvent("detail.object is missing")
    key = obj.get("key")
    if not isinstance(key, str) or not key:
        raise MalformedEvent("detail.object.key is missing")
    if expected_bucket and bucket != expected_bucket:
        raise MalformedEvent(f"bucket {bucket!r} is not the source bucket {expected_bucket!r}")
    # AWS writes "etag"; moto writes "eTag". Either identifies this version of the marker.
    etag = obj.get("etag", obj.get("eTag"))
    if not isinstance(etag, str) or not etag.strip('"'):
        raise MalformedEvent("detail.object.etag is missing")
    size = obj.get("size")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise MalformedEvent(f"detail.object.size {size!r} is not a byte count")
    version = obj.get("version-id")
    partition = partition_from_key(key, prefix)
    return Marker(bucket=bucket, key=key, etag=etag.strip('"'), size=size,
                  version_id=version if isinstance(version, str) else None, partition=partition)


# ---- Airflow clients ---------------------------------------------------------------------------


class AirflowApi(Protocol):
    """POSTs one request to the Airflow REST API; returns (status, body).

    Raises TransientError for failures worth retrying; any other exception is permanent.
    """

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, Any]: ...


class MwaaApi:
    """Airflow REST API through MWAA ``InvokeRestApi`` (boto3 ``mwaa`` client)."""

    TRANSIENT_CODES = {
        "ThrottlingException", "Throttling", "TooManyRequestsException", "InternalServerException",
        "ServiceUnavailableException", "RequestTimeout", "RequestTimeoutException",
    }

    def __init__(self, environment: str, client: Any) -> None:
        self.environment = environment
        self.client = client

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        from botocore.exceptions import BotoCoreError, ClientError

        if len(path) > MAX_PATH_CHARS:
            raise ValueError(f"InvokeRestApi path {path!r} exceeds {MAX_PATH_CHARS} characters")
        try:
            out = self.client.invoke_rest_api(Name=self.environment, Path=path, Method="POST", Body=body)
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code", "")
            # Airflow's own answer, wrapped by MWAA with the real status.
            if code in ("RestApiClientException", "RestApiServerException"):
                return int(err.response.get("RestApiStatusCode", 500 if "Server" in code else 400)), \
                    err.response.get("RestApiResponse")
            http = int(err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
            if code in self.TRANSIENT_CODES or http == 429 or http >= 500:
                raise TransientError(f"MWAA {code or http}: {_first_line(err)}") from err
            raise PermanentError(f"MWAA {code or http}: {_first_line(err)}") from err
        except BotoCoreError as err:  # connection errors, timeouts: retry
            raise TransientError(f"{err.__class__.__name__}: {_first_line(err)}") from err
        return int(out.get("RestApiStatusCode", 200)), out.get("RestApiResponse")


class PermanentError(RuntimeError):
    """A failure a retry cannot fix (configuration, permissions): the record goes to the DLQ."""


def _first_line(err: BaseException) -> str:
    return str(err).split("\n", 1)[0][:300]


# ---- the batch ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What happened to one group of records (one marker)."""

    action: str  # started | duplicate | dead-lettered | retry
    run_id: str | None = None
    partition: str | None = None
    reason: str | None = None
    message_ids: list[str] = field(default_factory=list)


@dataclass
class Deps:
    airflow: AirflowApi
    # Sends one DLQ message: (original body, reason, stage) -> None; raises on failure.
    dead_letter: Callable[[str, str, str], None]
    expected_bucket: str | None = None
    prefix: str = DEFAULT_PREFIX


def _airflow_detail(body: Any) -> str:
    if isinstance(body, dict):
        for k in ("detail", "title", "message"):
            if isinstance(body.get(k), str):
                return body[k].split("\n", 1)[0][:300]
    return json.dumps(body)[:300] if body is not None else ""


def process_batch(event: Mapping[str, Any], deps: Deps) -> dict[str, Any]:
    """An SQS batch -> ``{"batchItemFailures": [...], "outcomes": [...]}`` (Lambda reads the first)."""
    records = list(event.get("Records") or [])
    failures: list[str] = []
    outcomes: list[Outcome] = []
    groups: dict[tuple[str, str], tuple[Marker, list[Mapping[str, Any]]]] = {}

    def dead_letter(record: Mapping[str, Any], reason: str, stage: str, outcome: Outcome) -> None:
        mid = str(record.get("messageId", "?"))
        try:
            deps.dead_letter(str(record.get("body", "")), reason, stage)
        except Exception as err:  # noqa: BLE001 - cannot park it: let SQS retry (its redrive still applies)
            LOG.error(json.dumps({"msg": "dlq send failed", "messageId": mid, "error": _first_line(err)}))
            failures.append(mid)
            outcome.action = "retry"
            outcome.reason = f"{reason}; DLQ send failed: {_first_line(err)}"

    for record in records:
        mid = str(record.get("messageId", "?"))
        try:
            marker = parse_event(record.get("body", ""), expected_bucket=deps.expected_bucket, prefix=deps.prefix)
        except MalformedEvent as err:
            reason = f"malformed event: {err}"
            outcome = Outcome("dead-lettered", reason=reason, message_ids=[mid])
            LOG.warning(json.dumps({"msg": "rejected", "messageId": mid, "reason": reason}))
            dead_letter(record, reason, "parse", outcome)
            outcomes.append(outcome)
            continue
        groups.setdefault(marker.identity, (marker, []))[1].append(record)

    for marker, group in groups.values():
        ids = [str(r.get("messageId", "?")) for r in group]
        outcome = Outcome("started", run_id=marker.run_id, partition=marker.partition, message_ids=ids)
        try:
            status, body = deps.airflow.post(DAG_RUNS_PATH, marker.body())
            if 200 <= status < 300:
                outcome.action = "started"
            elif status == 409:
                outcome.action = "duplicate"
                outcome.reason = "run exists (409)"
            elif status == 429 or status >= 500:
                raise TransientError(f"Airflow answered {status}: {_airflow_detail(body)}")
            else:
                outcome.action = "dead-lettered"
                outcome.reason = f"Airflow answered {status}: {_airflow_detail(body)}"
        except TransientError as err:
            outcome.action = "retry"
            outcome.reason = str(err)
        except Exception as err:  # noqa: BLE001 - permanent (PermanentError, bad config): DLQ, never crash
            outcome.action = "dead-lettered"
            outcome.reason = f"{err.__class__.__name__}: {_first_line(err)}"

        if outcome.action == "retry":
            failures.extend(ids)
        elif outcome.action == "dead-lettered":
            # One DLQ message per record, each with the reason; the group shares the outcome.
            for r in group:
                dead_letter(r, outcome.reason or "unknown", "trigger", outcome)
        LOG.info(json.dumps({
            "msg": "trigger", "action": outcome.action, "run_id": outcome.run_id, "partition": outcome.partition,
            "marker": marker.uri, "etag": marker.etag, "records": len(ids), "reason": outcome.reason,
        }))
        outcomes.append(outcome)

    # Every record id at most once, in batch order (Lambda requires ids of this batch).
    order = {str(r.get("messageId", "?")): i for i, r in enumerate(records)}
    unique = sorted(set(failures), key=lambda m: order.get(m, len(order)))
    return {
        "batchItemFailures": [{"itemIdentifier": m} for m in unique],
        "outcomes": [o.__dict__ for o in outcomes],
    }


def sqs_dead_letter(sqs: Any, queue_url: str) -> Callable[[str, str, str], None]:
    """DLQ sender: the original body, the reason and the stage as message attributes."""

    def send(body: str, reason: str, stage: str) -> None:
        sqs.send_message(
            QueueUrl=queue_url,
            MessageBody=body or "<empty>",
            MessageAttributes={
                REASON_ATTRIBUTE: {"DataType": "String", "StringValue": reason[:1000] or "unknown"},
                STAGE_ATTRIBUTE: {"DataType": "String", "StringValue": stage},
            },
        )

    return send


_DEPS: Deps | None = None


def deps_from_env(env: Mapping[str, str] = os.environ) -> Deps:
    """Lambda wiring: MWAA_ENVIRONMENT, DLQ_URL, SOURCE_BUCKET (optional), SOURCE_PREFIX (optional)."""
    import boto3
    from botocore.config import Config

    # InvokeRestApi times out after 10 s on MWAA's side; SQS retries what fails here.
    cfg = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=15)
    return Deps(
        airflow=MwaaApi(env["MWAA_ENVIRONMENT"], boto3.client("mwaa", config=cfg)),
        dead_letter=sqs_dead_letter(boto3.client("sqs", config=cfg), env["DLQ_URL"]),
        expected_bucket=env.get("SOURCE_BUCKET") or None,
        prefix=env.get("SOURCE_PREFIX") or DEFAULT_PREFIX,
    )


def handler(event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
    """Lambda entry point (SQS event source with ReportBatchItemFailures)."""
    global _DEPS
    _DEPS = _DEPS or deps_from_env()
    result = process_batch(event, _DEPS)
    return {"batchItemFailures": result["batchItemFailures"]}
