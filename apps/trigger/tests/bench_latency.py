"""Benchmark: local latency from the marker's PUT to the handler's trigger call, median of 10 drops,
beside its floor: the same event sent straight to B's queue (the poller and handler alone).

Measured on a real moto_server with both accounts' event path (emulator.py beside this file): S3 PUT of the
marker -> EventBridge (A's default bus -> B's bus) -> B's SQS queue -> the local poller (long poll,
1 s wait, the poll interval included) -> process_batch -> the Airflow client's POST. The Airflow
client here records the time of the call and answers 200; the local Airflow's own DAG-run start comes
with the `npm run local` event mode (docs/event-trigger.md).

    scripts/venv-run.sh tools python apps/trigger/tests/bench_latency.py   (npx nx run trigger:bench)
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from emulator import PREFIX, SOURCE_BUCKET, build, moto_server
from pipeline_contract import dag_id, marker_key
from support import s3_event
from xetl_trigger.local_poller import Poller

DROPS = 10


class Recording:
    def __init__(self) -> None:
        self.calls: list[tuple[float, str]] = []

    def post(self, path: str, body: dict) -> tuple[int, dict]:
        self.calls.append((time.perf_counter(), body["dag_run_id"]))
        return 200, {"dag_run_id": body["dag_run_id"]}


def days_ago(n: int) -> str:
    """A partition inside the handler's default window (days before today, UTC)."""
    return (datetime.now(UTC).date() - timedelta(days=n)).isoformat()


def timed(airflow: Recording, act: Callable[[], None]) -> float:
    """Milliseconds from ``act`` to the next trigger call (inf after 30 s)."""
    before = len(airflow.calls)
    start = time.perf_counter()
    act()
    while len(airflow.calls) <= before and time.perf_counter() < start + 30:
        time.sleep(0.002)
    return (airflow.calls[before][0] - start) * 1000 if len(airflow.calls) > before else float("inf")


def summary(label: str, latencies: list[float]) -> str:
    return (f"{label}: median {statistics.median(latencies):.0f} ms, max {max(latencies):.0f} ms "
            f"({' '.join(f'{ms:.0f}' for ms in latencies)})")


def main() -> int:
    with moto_server() as endpoint:
        topo = build(endpoint)
        airflow = Recording()
        poller = Poller(topo.sqs_b, topo.queue_url, topo.dlq_url, airflow, dag_id=dag_id(),
                        expected_bucket=SOURCE_BUCKET, wait_seconds=1)
        stop = threading.Event()

        def loop() -> None:
            while not stop.is_set():
                poller.poll_once()

        t = threading.Thread(target=loop, daemon=True)
        t.start()
        path, floor = [], []
        for i in range(DROPS):
            # Data files go first (not timed); the clock starts at the marker's PUT.
            key = marker_key(PREFIX, days_ago(i + 1))
            for n in range(2):
                topo.s3_a.put_object(Bucket=SOURCE_BUCKET, Key=f"{key.rsplit('/', 1)[0]}/part-{n:04d}.csv",
                                     Body=b"product_id\n1\n")
            path.append(timed(airflow, lambda k=key, i=i: topo.s3_a.put_object(
                Bucket=SOURCE_BUCKET, Key=k, Body=f'{{"drop": {i}}}'.encode())))
            time.sleep(0.3)
            # Floor: the same event sent straight to B's queue, no S3 or EventBridge on the way.
            event = json.dumps(s3_event(marker_key(PREFIX, days_ago(i + 1)), etag=f"floor{i}", bucket=SOURCE_BUCKET))
            floor.append(timed(airflow, lambda e=event: topo.sqs_b.send_message(QueueUrl=topo.queue_url,
                                                                                MessageBody=e)))
            time.sleep(0.3)
        stop.set()
        t.join(5)
    print(f"trigger latency to the trigger call (moto_server, 2 accounts, poller long poll 1 s), {DROPS} drops:")
    print("  " + summary("marker PUT -> S3 -> EventBridge A -> B -> SQS -> handler", path))
    print("  " + summary("floor, SendMessage on B's queue -> handler", floor))
    print("  goal: DAG run start < 5000 ms")
    return 0 if statistics.median(path) < 5000 else 1


if __name__ == "__main__":
    raise SystemExit(main())
