"""End to end, event mode (`npm run local -- --event`): one drop, and the event path starts exactly
one DAG run: S3 (moto) -> EventBridge A -> B's bus -> B's queue -> the trigger handler's own code
(apps/trigger/local_poller.py) -> `airflow dags test` with the handler's conf. Counts reconcile and
the DAG run carries the handler's conf. Shares the session's stack (conftest.py) with test_local_e2e.py.
"""

from __future__ import annotations

import json
import sqlite3

from xetl_local.event_mode import MARKER, account_b
from xetl_local.pipeline import DAG_ID, final_count, render_summary, run_partition
from xetl_local.warehouse import run_statements
from xetl_tasks.partition import partition_path

EVENT_DATE = "2026-11-23"


def _dag_runs(stack) -> list[str]:
    db = sqlite3.connect(stack.work / "airflow" / "airflow.db")
    try:
        return [r[0] for r in db.execute("SELECT run_id FROM dag_run WHERE dag_id = ?", (DAG_ID,))]
    finally:
        db.close()


def test_event_mode_one_drop_starts_exactly_one_run_and_counts_reconcile(stack):
    import xetl_trigger.handler as handler

    stack.ensure_airflow_db()
    runs_before = set(_dag_runs(stack))
    result = run_partition(stack, partition=EVENT_DATE, rows=100, bad_ratio=0.1, files=2, seed=23, event=True)
    print(render_summary(stack, result))
    assert result.succeeded, result.failure
    ev = result.event

    # Exactly one run for the drop, started by the handler with its deterministic id and conf.
    assert set(_dag_runs(stack)) - runs_before == {result.run_id}
    assert [o["action"] for o in ev.outcomes if o["action"] not in ("duplicate",)] == ["started"]
    assert not ev.dead_lettered
    bucket = stack.variable["source_bucket"]
    key = partition_path(EVENT_DATE, stack.variable["source_prefix"]) + MARKER
    etag = stack.client("s3").head_object(Bucket=bucket, Key=key)["ETag"].strip('"')
    assert ev.call.handler_run_id == handler.dag_run_id(EVENT_DATE, key, etag)
    assert ev.call.conf["partition"] == EVENT_DATE
    assert ev.call.conf["marker"] == ev.marker_uri == f"s3://{bucket}/{key}"
    # Nothing left on B's queue (duplicates of the event were answered 409 and deleted) or its DLQ.
    sqs, b = stack.client("sqs"), account_b(stack)
    for url in (b.queue_url, b.dlq_url):
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                                                       "ApproximateNumberOfMessagesNotVisible"])
        assert sum(int(v) for v in attrs["Attributes"].values()) == 0, url
    assert 0 < ev.latency < 5, ev.latency

    # Counts reconcile.
    expected, manifest = result.expected, result.manifest
    assert manifest["rows_read"] == expected.rows_read == 100
    assert manifest["rows_read"] == manifest["rows_curated"] + manifest["rows_quarantined"]
    assert manifest["rows_curated"] == expected.rows_curated == result.final_rows == result.target_rows
    assert final_count(stack, EVENT_DATE) == expected.rows_curated
    # The handler's conf reached the DAG run as it is (partition, marker URI, marker identity).
    db = sqlite3.connect(stack.work / "airflow" / "airflow.db")
    try:
        [(conf,)] = db.execute("SELECT conf FROM dag_run WHERE run_id = ?", (result.run_id,)).fetchall()
    finally:
        db.close()
    assert json.loads(conf) == ev.call.conf
    # The run records which marker it processed in the audit table.
    [result_rows] = run_statements(
        [f"SELECT status, marker FROM xetl.pipeline_runs WHERE run_id = '{result.run_id}'"], dsn=stack.pg_dsn
    )
    audit = result_rows["rows"]
    assert len(audit) == 1
    assert audit[0]["marker"] == ev.marker_uri
