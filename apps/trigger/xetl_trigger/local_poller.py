"""The trigger's local mode: the Lambda's own ``process_batch``, driven by polling an SQS queue (the
emulator's account-B queue) and calling a local Airflow instead of MWAA.

The local run (``tools/local``) calls it as a module or a function; see docs/event-trigger.md:

    scripts/venv-run.sh tools python -m xetl_trigger.local_poller --dag-id <dag id> \
        --endpoint-url http://127.0.0.1:5000 --queue-url <url> --dlq-url <url> \
        --airflow-url http://127.0.0.1:8080 --until-runs 1 --timeout 60

    from xetl_trigger.local_poller import Poller, LocalAirflowApi
    Poller(sqs, queue_url, dlq_url, LocalAirflowApi("http://127.0.0.1:8080"), dag_id=contract["dag_id"]) \
        .run(until_runs=1, timeout=60)

The DAG id is the pipeline contract's ``dag_id`` (``--dag-id``, or ``XETL_DAG_ID`` as in the Lambda);
the partition window comes from ``XETL_PARTITION_DAYS_BACK``/``_AHEAD`` as in the Lambda, or from
``window`` (a local run may drop any date it likes).

Airflow clients (pluggable, each one ``post(path, body) -> (status, body)``):
``LocalAirflowApi`` (REST ``/api/v2`` of a local api-server, optional bearer token or JWT from
``/auth/token``), ``AirflowCliApi`` (``airflow dags trigger``), or any object with ``post``
(tests record the calls).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from xetl_trigger.handler import (
    DAG_ID_ENV,
    DEFAULT_PREFIX,
    AirflowApi,
    Deps,
    PartitionWindow,
    TransientError,
    process_batch,
    sqs_dead_letter,
)

DAG_RUNS_PATH_RE = re.compile(r"^/dags/(?P<dag_id>[A-Za-z0-9_.-]+)/dagRuns$")


class LocalAirflowApi:
    """A local Airflow 3 api-server: ``POST <base>/api/v2<path>`` (what MWAA forwards to)."""

    def __init__(self, base_url: str, token: str | None = None, username: str | None = None,
                 password: str | None = None, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.username = username
        self.password = password
        self.timeout = timeout

    def _bearer(self) -> str | None:
        if self.token or not self.username:
            return self.token
        # Airflow 3's simple auth manager: POST /auth/token with the user's credentials -> JWT.
        req = urllib.request.Request(
            f"{self.base_url}/auth/token", method="POST",
            data=json.dumps({"username": self.username, "password": self.password}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=self.timeout) as res:  # noqa: S310 - loopback only
            self.token = json.loads(res.read() or b"{}").get("access_token")
        return self.token

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        token = self._bearer()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(f"{self.base_url}/api/v2{path}", method="POST",
                                     data=json.dumps(body).encode(), headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as res:  # noqa: S310 - loopback only
                return res.status, _json(res.read())
        except urllib.error.HTTPError as err:
            return err.code, _json(err.read())
        except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
            raise TransientError(f"local Airflow unreachable: {err}") from err


class AirflowCliApi:
    """``airflow dags trigger`` in a local Airflow installation (no api-server needed); the DAG is the
    one the handler's path names."""

    def __init__(self, airflow_bin: Sequence[str] = ("airflow",), env: dict[str, str] | None = None) -> None:
        self.airflow_bin = list(airflow_bin)
        self.env = env

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        route = DAG_RUNS_PATH_RE.fullmatch(path)
        if route is None:
            return 404, {"detail": f"unsupported path {path}"}
        cmd = [*self.airflow_bin, "dags", "trigger", route.group("dag_id"), "--run-id", body["dag_run_id"],
               "--conf", json.dumps(body.get("conf") or {})]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=self.env, check=False)  # noqa: S603
        if proc.returncode == 0:
            return 200, {"dag_run_id": body["dag_run_id"]}
        text = (proc.stderr or proc.stdout).strip()
        if "already exists" in text:
            return 409, {"detail": text.splitlines()[-1][:300]}
        return 400, {"detail": (text.splitlines() or ["airflow dags trigger failed"])[-1][:300]}


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return raw.decode(errors="replace")[:300]


@dataclass
class PollStats:
    batches: int = 0
    messages: int = 0
    outcomes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def runs_started(self) -> list[dict[str, Any]]:
        return [o for o in self.outcomes if o["action"] == "started"]


class Poller:
    """Long-polls ``queue_url``, runs each batch through ``process_batch`` and deletes what succeeded
    (as the Lambda event source mapping does); failed items stay for redelivery after their visibility
    timeout."""

    def __init__(self, sqs: Any, queue_url: str, dlq_url: str, airflow: AirflowApi, *, dag_id: str,
                 expected_bucket: str | None = None, prefix: str = DEFAULT_PREFIX,
                 window: PartitionWindow | None = None, batch_size: int = 10, wait_seconds: int = 1,
                 on_outcome: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.sqs = sqs
        self.queue_url = queue_url
        self.deps = Deps(airflow=airflow, dead_letter=sqs_dead_letter(sqs, dlq_url), dag_id=dag_id,
                         expected_bucket=expected_bucket, prefix=prefix, window=window or PartitionWindow())
        self.batch_size = batch_size
        self.wait_seconds = wait_seconds
        self.on_outcome = on_outcome
        self.stats = PollStats()

    def poll_once(self) -> list[dict[str, Any]]:
        """One ReceiveMessage (long poll up to ``wait_seconds``) and its batch; returns its outcomes."""
        res = self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=self.batch_size, WaitTimeSeconds=self.wait_seconds,
            MessageAttributeNames=["All"], AttributeNames=["All"],
        )
        messages = res.get("Messages") or []
        if not messages:
            return []
        event = {"Records": [{
            "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m.get("Body", ""),
            "attributes": m.get("Attributes", {}), "messageAttributes": m.get("MessageAttributes", {}),
            "eventSource": "aws:sqs", "eventSourceARN": self.queue_url,
        } for m in messages]}
        result = process_batch(event, self.deps)
        failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
            ])
        self.stats.batches += 1
        self.stats.messages += len(messages)
        self.stats.outcomes.extend(result["outcomes"])
        for o in result["outcomes"]:
            if self.on_outcome:
                self.on_outcome(o)
        return result["outcomes"]

    def run(self, *, until_runs: int | None = None, timeout: float | None = None) -> PollStats:
        """Polls until ``until_runs`` runs have started (or were already there: 409) or ``timeout``."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while deadline is None or time.monotonic() < deadline:
            self.poll_once()
            triggered = [o for o in self.stats.outcomes if o["action"] in ("started", "duplicate")]
            if until_runs is not None and len(triggered) >= until_runs:
                break
        return self.stats


def main(argv: Sequence[str] | None = None) -> int:
    import boto3

    p = argparse.ArgumentParser(description="xetl trigger, local mode: SQS (emulator) -> local Airflow")
    p.add_argument("--dag-id", default=os.environ.get(DAG_ID_ENV),
                   help=f"the pipeline contract's dag_id (default: ${DAG_ID_ENV})")
    p.add_argument("--endpoint-url", default=os.environ.get("XETL_AWS_ENDPOINT_URL"))
    p.add_argument("--region", default=os.environ.get("AWS_DEFAULT_REGION", "eu-west-1"))
    p.add_argument("--queue-url", required=True)
    p.add_argument("--dlq-url", required=True)
    p.add_argument("--source-bucket")
    p.add_argument("--airflow-url", help="local Airflow api-server, e.g. http://127.0.0.1:8080")
    p.add_argument("--airflow-token", default=os.environ.get("XETL_AIRFLOW_TOKEN"))
    p.add_argument("--airflow-cli", action="store_true", help="use `airflow dags trigger` instead of REST")
    p.add_argument("--until-runs", type=int)
    p.add_argument("--timeout", type=float)
    p.add_argument("--wait-seconds", type=int, default=1)
    a = p.parse_args(argv)
    problems: list[str] = []
    window = PartitionWindow.from_env(os.environ, problems)
    if not a.dag_id:
        problems.append(f"--dag-id (or {DAG_ID_ENV}) is required")
    if problems:
        p.error("; ".join(problems))
    airflow: AirflowApi = AirflowCliApi() if a.airflow_cli else LocalAirflowApi(a.airflow_url, token=a.airflow_token)
    sqs = boto3.client("sqs", endpoint_url=a.endpoint_url, region_name=a.region)
    poller = Poller(sqs, a.queue_url, a.dlq_url, airflow, dag_id=a.dag_id, expected_bucket=a.source_bucket,
                    window=window, wait_seconds=a.wait_seconds,
                    on_outcome=lambda o: print(json.dumps(o), flush=True))
    stats = poller.run(until_runs=a.until_runs, timeout=a.timeout)
    ok = a.until_runs is None or len([o for o in stats.outcomes if o["action"] in ("started", "duplicate")]) >= a.until_runs
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
