"""Benchmark: local latency from the marker's PUT to the handler's trigger call, median of 10 drops.

Measured on a real moto_server with both accounts' event path (emulator.py beside this file): S3 PUT of the
marker -> EventBridge (A's default bus -> B's bus) -> B's SQS queue -> the local poller (long poll,
1 s wait, the poll interval included) -> process_batch -> the Airflow client's POST. The Airflow
client here records the time of the call and answers 200; the local Airflow's own DAG-run start comes
with the `npm run local` event mode (docs/event-trigger.md).

    scripts/venv-run.sh tools python apps/trigger/tests/bench_latency.py   (npx nx run trigger:bench)
"""

from __future__ import annotations

import statistics
import threading
import time

from emulator import SOURCE_BUCKET, build, moto_server
from xetl_trigger.local_poller import Poller

DROPS = 10


class Recording:
    def __init__(self) -> None:
        self.calls: list[tuple[float, str]] = []

    def post(self, path: str, body: dict) -> tuple[int, dict]:
        self.calls.append((time.perf_counter(), body["dag_run_id"]))
        return 200, {"dag_run_id": body["dag_run_id"]}


def main() -> int:
    with moto_server() as endpoint:
        topo = build(endpoint)
        airflow = Recording()
        poller = Poller(topo.sqs_b, topo.queue_url, topo.dlq_url, airflow, expected_bucket=SOURCE_BUCKET, wait_seconds=1)
        stop = threading.Event()

        def loop() -> None:
            while not stop.is_set():
                poller.poll_once()

        t = threading.Thread(target=loop, daemon=True)
        t.start()
        latencies = []
        for i in range(DROPS):
            # Data files go first (not timed); the clock starts at the marker's PUT.
            prefix = f"products/year=2026/month=10/day={i + 1:02d}/"
            for n in range(2):
                topo.s3_a.put_object(Bucket=SOURCE_BUCKET, Key=f"{prefix}part-{n:04d}.csv", Body=b"product_id\n1\n")
            before = len(airflow.calls)
            start = time.perf_counter()
            topo.s3_a.put_object(Bucket=SOURCE_BUCKET, Key=f"{prefix}_SUCCESS", Body=f'{{"drop": {i}}}'.encode())
            deadline = start + 30
            while len(airflow.calls) <= before and time.perf_counter() < deadline:
                time.sleep(0.002)
            latencies.append((airflow.calls[before][0] - start) * 1000 if len(airflow.calls) > before else float("inf"))
            time.sleep(0.3)
        stop.set()
        t.join(5)
    med = statistics.median(latencies)
    print(f"trigger latency, marker PUT -> trigger call (moto_server, 2 accounts, poll wait 1 s), {DROPS} drops:")
    print("  " + " ".join(f"{ms:.0f}" for ms in latencies) + " ms")
    print(f"  median {med:.0f} ms, max {max(latencies):.0f} ms (goal: DAG run start < 5000 ms)")
    return 0 if med < 5000 else 1


if __name__ == "__main__":
    raise SystemExit(main())
