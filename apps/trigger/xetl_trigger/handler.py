"""Event-driven trigger: S3 marker event (EventBridge, delivered through SQS) -> one DAG run in MWAA.

Lambda entry point ``xetl_trigger.handler.handler`` (python3.12, event source mapping with
``ReportBatchItemFailures``). The deployment zip holds this module and the package's ``__init__.py``
only, so it imports nothing else of ``xetl_trigger``. The same ``process_batch`` runs locally in
``xetl_trigger.local_poller`` with a local Airflow client instead of MWAA. See docs/event-trigger.md.

Configuration (environment, read once per execution environment, at the first invocation):
``XETL_DAG_ID`` (required: the pipeline contract's ``dag_id``), ``MWAA_ENVIRONMENT``, ``DLQ_URL``,
``SOURCE_BUCKET`` (optional), ``SOURCE_PREFIX`` (optional), ``XETL_PARTITION_DAYS_BACK`` and
``XETL_PARTITION_DAYS_AHEAD`` (optional, the accepted partition window). A missing or bad value
raises ``ConfigError`` naming every problem in one line.

Per SQS record, each in isolation (an exception while handling one record is that record's outcome,
never the batch's):

* the body is an EventBridge ``Object Created`` event from S3 for a marker key
  ``products/year=YYYY/month=MM/day=DD/_SUCCESS`` (``detail.object.etag``, or ``eTag`` as moto
  writes it) whose date lies in the partition window around today (UTC). Anything else is
  *malformed* or *out of window*: sent to the DLQ with its reason, never retried.
* records of one (partition, marker identity) are collapsed into one trigger; the run id is
  deterministic, ``event__<partition>__<sha256(key|etag)[:16]>``, so a redelivered or duplicated
  event starts nothing new (Airflow answers 409, which counts as success). A new marker for the
  same partition has another etag and starts a new run, which replaces the partition idempotently.
* Airflow 4xx other than 409 (and MWAA's own client errors) -> DLQ with the reason; the record is
  reported done so SQS does not retry it. Throttling, 5xx and network errors -> reported in
  ``batchItemFailures`` so SQS retries them (and, after ``maxReceiveCount``, moves them to the DLQ).
* before each call to MWAA or the DLQ, the Lambda's remaining time must cover that call's worst case;
  otherwise the records not yet handled are reported in ``batchItemFailures`` and SQS delivers them
  again, instead of the function being killed at its timeout with the whole batch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

LOG = logging.getLogger("xetl.trigger")
LOG.setLevel(logging.INFO)

# MWAA's InvokeRestApi takes the path without /api/v2 and allows at most 64 characters.
MAX_PATH_CHARS = 64
# Airflow's dag_id rule (KEY_REGEX, at most 250 characters); the path limit above is tighter.
DAG_ID_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
RUN_ID_PREFIX = "event__"
# Airflow's default allowed_run_id_pattern is ^[A-Za-z0-9_.~:+-]+$; run ids here stay well inside it.
RUN_ID_RE = re.compile(r"^[A-Za-z0-9_.~:+-]{1,250}$")
MARKER_KEY_RE = re.compile(r"^(?P<prefix>[a-z0-9_-]+)/year=(?P<y>\d{4})/month=(?P<m>\d{2})/day=(?P<d>\d{2})/_SUCCESS$")
DEFAULT_PREFIX = "products"
# Names of the SQS message attributes a DLQ message carries (xetl redrive shows them).
REASON_ATTRIBUTE = "xetl_reason"
STAGE_ATTRIBUTE = "xetl_stage"

# The accepted partition dates, relative to today (UTC). A marker outside starts nothing: a run for
# a day with no data would hold a worker in its sensor for hours; backfills go through `xetl trigger`.
DAG_ID_ENV = "XETL_DAG_ID"
DAYS_BACK_ENV = "XETL_PARTITION_DAYS_BACK"
DAYS_AHEAD_ENV = "XETL_PARTITION_DAYS_AHEAD"
DEFAULT_DAYS_BACK = 400
DEFAULT_DAYS_AHEAD = 2

# Worst cases of one call, from the clients' own limits (deps_from_env builds the clients with them).
# MWAA ends InvokeRestApi after 10 s; one attempt per invocation: SQS redelivery is the retry, and
# botocore's retries would multiply the worst case past the Lambda's timeout.
MWAA_CONNECT_TIMEOUT_S = 2
MWAA_READ_TIMEOUT_S = 11
MWAA_ATTEMPTS = 1
SQS_CONNECT_TIMEOUT_S = 2
SQS_READ_TIMEOUT_S = 3
SQS_ATTEMPTS = 2
# Time kept after the last call to log and return the batch result.
FINISH_MARGIN_MS = 1000
MWAA_CALL_MS = MWAA_ATTEMPTS * (MWAA_CONNECT_TIMEOUT_S + MWAA_READ_TIMEOUT_S) * 1000
DLQ_SEND_MS = SQS_ATTEMPTS * (SQS_CONNECT_TIMEOUT_S + SQS_READ_TIMEOUT_S) * 1000

class ConfigError(RuntimeError):
    """The function's environment is incomplete or wrong; the message names every problem."""


def dag_runs_path(dag_id: str) -> str:
    """Airflow 3 ``POST /dags/{dag_id}/dagRuns`` as InvokeRestApi takes it (no /api/v2)."""
    return f"/dags/{dag_id}/dagRuns"


def check_dag_id(dag_id: str) -> str | None:
    """Why ``dag_id`` cannot be used, or None."""
    if not DAG_ID_RE.fullmatch(dag_id):
        return f"{DAG_ID_ENV}={dag_id!r} is not an Airflow DAG id (letters, digits, '_', '.', '-')"
    if len(dag_runs_path(dag_id)) > MAX_PATH_CHARS:
        return f"{DAG_ID_ENV}={dag_id!r} makes the InvokeRestApi path longer than {MAX_PATH_CHARS} characters"
    return None


def _utc_today() -> date:
    return datetime.now(UTC).date()


def _shift(day: date, days: int) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


class MalformedEvent(ValueError):
    """The record is not a marker event this trigger accepts; the message says why."""

    label = "malformed event"


class OutOfWindow(MalformedEvent):
    """A well-formed marker for a date outside the accepted partition window."""

    label = "partition out of window"


class TransientError(RuntimeError):
    """A failure worth retrying (throttling, 5xx, network): the record goes back to SQS."""


class PermanentError(RuntimeError):
    """A failure a retry cannot fix (configuration, permissions): the record goes to the DLQ."""


@dataclass(frozen=True)
class PartitionWindow:
    """The partition dates a marker may name: ``days_back`` before today (UTC) to ``days_ahead`` after."""

    days_back: int = DEFAULT_DAYS_BACK
    days_ahead: int = DEFAULT_DAYS_AHEAD
    today: Callable[[], date] = _utc_today

    def check(self, day: date) -> None:
        """Raises OutOfWindow naming the window and the settings that define it."""
        today = self.today()
        first, last = _shift(today, -self.days_back), _shift(today, self.days_ahead)
        if first <= day <= last:
            return
        where = f"before {first}" if day < first else f"after {last}"
        raise OutOfWindow(
            f"{day.isoformat()} is {where}, the window is {first}..{last} (today {today} UTC, "
            f"{DAYS_BACK_ENV}={self.days_back}, {DAYS_AHEAD_ENV}={self.days_ahead})"
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str], problems: list[str]) -> PartitionWindow:
        """The window from ``XETL_PARTITION_DAYS_BACK``/``_AHEAD`` (defaults when unset); bad values
        are appended to ``problems`` (and the default used meanwhile)."""
        return cls(days_back=_days(env, DAYS_BACK_ENV, DEFAULT_DAYS_BACK, problems),
                   days_ahead=_days(env, DAYS_AHEAD_ENV, DEFAULT_DAYS_AHEAD, problems))


def _days(env: Mapping[str, str], name: str, default: int, problems: list[str]) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit():
        problems.append(f"{name}={text!r} is not a whole number of days (0 or more)")
        return default
    return int(text)


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


def partition_from_key(key: str, prefix: str = DEFAULT_PREFIX, window: PartitionWindow | None = None) -> str:
    """The partition (YYYY-MM-DD) a marker key names; MalformedEvent if it is not a marker key or not
    a calendar date, OutOfWindow if ``window`` refuses the date."""
    m = MARKER_KEY_RE.fullmatch(key)
    if not m or m.group("prefix") != prefix:
        raise MalformedEvent(f"key {key!r} is not a marker key {prefix}/year=YYYY/month=MM/day=DD/_SUCCESS")
    text = f"{m.group('y')}-{m.group('m')}-{m.group('d')}"
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise MalformedEvent(f"key {key!r} names {text}, which is not a calendar date") from None
    if window is not None:
        window.check(day)
    return text


def parse_event(body: str, *, expected_bucket: str | None = None, prefix: str = DEFAULT_PREFIX,
                window: PartitionWindow | None = None) -> Marker:
    """One SQS body -> Marker, or MalformedEvent (OutOfWindow) with a one-line reason."""
    try:
        event = json.loads(body)
    except RecursionError:
        raise MalformedEvent("body nests deeper than the JSON decoder allows") from None
    except (TypeError, ValueError) as err:
        raise MalformedEvent(f"body is not JSON ({err.__class__.__name__})") from None
    if not isinstance(event, dict):
        raise MalformedEvent("body is not a JSON object")
    if event.get("source") != "aws.s3":
        raise MalformedEvent(f"source is {_short(event.get('source'))}, expected 'aws.s3'")
    if event.get("detail-type") != "Object Created":
        raise MalformedEvent(f"detail-type is {_short(event.get('detail-type'))}, expected 'Object Created'")
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
        raise MalformedEvent(f"bucket {_short(bucket)} is not the source bucket {expected_bucket!r}")
    # AWS writes "etag"; moto writes "eTag". Either identifies this version of the marker.
    etag = obj.get("etag", obj.get("eTag"))
    if not isinstance(etag, str) or not etag.strip('"'):
        raise MalformedEvent("detail.object.etag is missing")
    size = obj.get("size")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise MalformedEvent(f"detail.object.size {_short(size)} is not a byte count")
    version = obj.get("version-id")
    partition = partition_from_key(key, prefix, window)
    return Marker(bucket=bucket, key=key, etag=etag.strip('"'), size=size,
                  version_id=version if isinstance(version, str) else None, partition=partition)


def _short(value: Any) -> str:
    """``repr`` cut to one readable line: reasons quote input, which can be anything."""
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


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


def _first_line(err: BaseException) -> str:
    return str(err).split("\n", 1)[0][:300]


def _reason(err: BaseException) -> str:
    """One line for any exception: the event's own label for rejected input, else the exception type."""
    if isinstance(err, MalformedEvent):
        return f"{err.label}: {err}"
    return f"{err.__class__.__name__}: {_first_line(err)}"


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
    # The DAG every marker starts (the pipeline contract's dag_id).
    dag_id: str
    expected_bucket: str | None = None
    prefix: str = DEFAULT_PREFIX
    window: PartitionWindow = field(default_factory=PartitionWindow)


def _airflow_detail(body: Any) -> str:
    if isinstance(body, dict):
        for k in ("detail", "title", "message"):
            if isinstance(body.get(k), str):
                return body[k].split("\n", 1)[0][:300]
    return json.dumps(body)[:300] if body is not None else ""


class Deadline:
    """Whether the Lambda's remaining time still covers a call's worst case (always, without a clock)."""

    def __init__(self, remaining_ms: Callable[[], int] | None) -> None:
        self.remaining_ms = remaining_ms

    def allows(self, call_ms: int) -> bool:
        return self.remaining_ms is None or self.remaining_ms() >= call_ms + FINISH_MARGIN_MS

    def left_for_retry(self, call_ms: int) -> str:
        return (f"left for retry: {self.remaining_ms() if self.remaining_ms else '?'} ms before the "
                f"function's timeout, a call may take {call_ms} ms")


def _message_id(record: Any) -> str:
    return str(record.get("messageId", "?")) if isinstance(record, Mapping) else "?"


def _record_body(record: Any) -> str:
    body = record.get("body", "") if isinstance(record, Mapping) else ""
    return body if isinstance(body, str) else json.dumps(body, default=str)


def process_batch(event: Mapping[str, Any], deps: Deps,
                  remaining_ms: Callable[[], int] | None = None) -> dict[str, Any]:
    """An SQS batch -> ``{"batchItemFailures": [...], "outcomes": [...]}`` (Lambda reads the first).

    ``remaining_ms`` is the Lambda context's ``get_remaining_time_in_millis``: no call to MWAA or the
    DLQ starts unless the time left covers its worst case. Without it (local poller) time is unbounded.
    """
    records = list(event.get("Records") or [])
    deadline = Deadline(remaining_ms)
    failures: list[str] = []
    outcomes: list[Outcome] = []
    groups: dict[tuple[str, str], tuple[Marker, list[Mapping[str, Any]]]] = {}
    path = dag_runs_path(deps.dag_id)

    def retry(ids: list[str], outcome: Outcome, reason: str) -> None:
        failures.extend(ids)
        outcome.action = "retry"
        outcome.reason = reason

    def dead_letter(record: Mapping[str, Any], reason: str, stage: str, outcome: Outcome) -> None:
        mid = _message_id(record)
        if not deadline.allows(DLQ_SEND_MS):
            retry([mid], outcome, f"{reason}; {deadline.left_for_retry(DLQ_SEND_MS)}")
            return
        try:
            deps.dead_letter(_record_body(record), reason, stage)
        except Exception as err:  # noqa: BLE001 - cannot park it: let SQS retry (its redrive still applies)
            LOG.error(json.dumps({"msg": "dlq send failed", "messageId": mid, "error": _first_line(err)}))
            retry([mid], outcome, f"{reason}; DLQ send failed: {_first_line(err)}")

    for record in records:
        mid = _message_id(record)
        try:
            marker = parse_event(_record_body(record), expected_bucket=deps.expected_bucket, prefix=deps.prefix,
                                 window=deps.window)
        except Exception as err:  # noqa: BLE001 - whatever one record does, it fails alone
            reason = _reason(err)
            outcome = Outcome("dead-lettered", reason=reason, message_ids=[mid])
            LOG.warning(json.dumps({"msg": "rejected", "messageId": mid, "reason": reason}))
            dead_letter(record, reason, "parse", outcome)
            outcomes.append(outcome)
            continue
        groups.setdefault(marker.identity, (marker, []))[1].append(record)

    for marker, group in groups.values():
        ids = [_message_id(r) for r in group]
        outcome = Outcome("started", run_id=marker.run_id, partition=marker.partition, message_ids=ids)
        outcomes.append(outcome)
        if not deadline.allows(MWAA_CALL_MS):
            retry(ids, outcome, deadline.left_for_retry(MWAA_CALL_MS))
            continue
        try:
            status, body = deps.airflow.post(path, marker.body())
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
            retry(ids, outcome, str(err))
        except Exception as err:  # noqa: BLE001 - permanent (PermanentError, bad config): DLQ, never crash
            outcome.action = "dead-lettered"
            outcome.reason = _reason(err)

        if outcome.action == "dead-lettered":
            # One DLQ message per record, each with the reason; the group shares the outcome.
            reason = outcome.reason or "unknown"
            for r in group:
                dead_letter(r, reason, "trigger", outcome)
        LOG.info(json.dumps({
            "msg": "trigger", "action": outcome.action, "run_id": outcome.run_id, "partition": outcome.partition,
            "marker": marker.uri, "etag": marker.etag, "records": len(ids), "reason": outcome.reason,
        }))

    # Every record id at most once, in batch order (Lambda requires ids of this batch).
    order = {_message_id(r): i for i, r in enumerate(records)}
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


@dataclass(frozen=True)
class Settings:
    """The function's environment, checked: see the module docstring for each variable."""

    dag_id: str
    mwaa_environment: str
    dlq_url: str
    source_bucket: str | None
    source_prefix: str
    window: PartitionWindow

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        problems: list[str] = []

        def required(name: str, what: str) -> str:
            value = env.get(name, "").strip()
            if not value:
                problems.append(f"{name} is not set ({what})")
            return value

        dag_id = required(DAG_ID_ENV, "the pipeline contract's dag_id, set by the analytics stack")
        if dag_id and (why := check_dag_id(dag_id)):
            problems.append(why)
        mwaa = required("MWAA_ENVIRONMENT", "the MWAA environment's name")
        dlq = required("DLQ_URL", "the trigger dead-letter queue's URL")
        window = PartitionWindow.from_env(env, problems)
        if problems:
            raise ConfigError("xetl trigger configuration: " + "; ".join(problems))
        return cls(dag_id=dag_id, mwaa_environment=mwaa, dlq_url=dlq,
                   source_bucket=env.get("SOURCE_BUCKET") or None,
                   source_prefix=env.get("SOURCE_PREFIX") or DEFAULT_PREFIX, window=window)


def deps_from_env(env: Mapping[str, str] = os.environ) -> Deps:
    """Lambda wiring: checked Settings, then the MWAA and SQS clients with the limits the deadline assumes."""
    import boto3
    from botocore.config import Config

    settings = Settings.from_env(env)
    mwaa_cfg = Config(retries={"mode": "standard", "total_max_attempts": MWAA_ATTEMPTS},
                      connect_timeout=MWAA_CONNECT_TIMEOUT_S, read_timeout=MWAA_READ_TIMEOUT_S)
    sqs_cfg = Config(retries={"mode": "standard", "total_max_attempts": SQS_ATTEMPTS},
                     connect_timeout=SQS_CONNECT_TIMEOUT_S, read_timeout=SQS_READ_TIMEOUT_S)
    return Deps(
        airflow=MwaaApi(settings.mwaa_environment, boto3.client("mwaa", config=mwaa_cfg)),
        dead_letter=sqs_dead_letter(boto3.client("sqs", config=sqs_cfg), settings.dlq_url),
        dag_id=settings.dag_id,
        expected_bucket=settings.source_bucket,
        prefix=settings.source_prefix,
        window=settings.window,
    )


_DEPS: Deps | None = None


def handler(event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
    """Lambda entry point (SQS event source with ReportBatchItemFailures).

    The first invocation of an execution environment reads the configuration; a ConfigError fails
    that invocation as a whole (nothing is parked: SQS delivers the batch again)."""
    global _DEPS
    _DEPS = _DEPS or deps_from_env()
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    result = process_batch(event, _DEPS, remaining_ms=remaining)
    return {"batchItemFailures": result["batchItemFailures"]}
