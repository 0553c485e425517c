"""End to end: the local pipeline on real engines (moto, Airflow, PySpark, PostgreSQL).

Case 1: a small partition with 10% bad lines publishes exactly the generator's expected rows, the
counts reconcile, the unloaded Parquet holds the same rows, and a second run changes nothing.
Case 2: a partition whose every line is malformed stops at the manifest gate with a clear message,
quarantines every line, and neither publishes rows nor touches the target prefix.
Case 3: a re-run of a published partition that fails its checks leaves the published rows and files
exactly as they were, and records the run as failed in the audit table.
Case 4: an empty drop (a header and no data rows) fails the run and publishes nothing.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from xetl_local.pipeline import final_rows, parquet_rows, render_summary, run_partition, target_objects
from xetl_local.warehouse import run_statements
from xetl_tasks.contract import DBT_DOCS_PREFIX
from xetl_tasks.notify import chat_text
from xetl_tasks.partition import partition_path

GOOD_DATE = "2026-11-21"
BAD_DATE = "2026-11-22"
RERUN_DATE = "2026-11-24"
EMPTY_DATE = "2026-11-25"
MALFORMED = ("wrong_column_count", "invalid_decimal", "invalid_timestamp", "invalid_key")


def _normalise(rows):
    """Rows as comparable values: PostgreSQL text and Parquet values print timestamps differently."""
    out = []
    for product_id, name, category, price, quantity, updated_at, source_file, day in rows:
        out.append(
            (product_id, name, category, Decimal(str(price)), int(quantity),
             datetime.fromisoformat(str(updated_at)), source_file, str(day))
        )  # fmt: skip
    return sorted(out)


def _expected_keys(expected) -> set[str]:
    """product_ids of the lines the generator says must be curated (not in its quarantine list).

    The generator numbers physical lines (a record by its first line), and its bad records include
    an unterminated quote, which a CSV reader would let swallow the lines after it; so each
    line is read on its own, as the job reads a curated (single-line) record."""
    keys = set()
    for path in expected.files:
        # The generator writes some records with bytes that are not UTF-8 (invalid_encoding).
        lines = Path(path).read_bytes().decode("utf-8", errors="surrogateescape").split("\n")
        for number, line in enumerate(lines, start=1):
            if number > 1 and line and (Path(path).name, number) not in expected.quarantined_lines:
                keys.add(next(csv.reader([line]))[0])
    return keys


def test_partition_publishes_expected_rows_and_rerun_changes_nothing(stack):
    first = run_partition(stack, partition=GOOD_DATE, rows=200, bad_ratio=0.1, files=2, seed=11)
    summary = render_summary(stack, first)
    print(summary)
    assert first.succeeded, first.failure
    # The summary's "where to look next" names a log that exists and holds the tasks' own lines.
    [log_line] = [line for line in summary.splitlines() if line.strip().startswith("DAG and task logs")]
    log = Path(log_line.split("DAG and task logs", 1)[1].strip())
    assert log.is_file() and "check_manifest" in log.read_text(errors="replace"), log
    assert all(" " + task_id + " " in summary for task_id in first.task_states)
    expected, manifest = first.expected, first.manifest
    # Counts reconcile exactly, and match what the generator says a correct job produces.
    assert manifest["rows_read"] == expected.rows_read == 200
    assert manifest["rows_read"] == manifest["rows_curated"] + manifest["rows_quarantined"]
    assert manifest["rows_curated"] == expected.rows_curated
    assert manifest["quarantined_by_reason"] == expected.quarantined_by_reason
    assert expected.rows_quarantined > 0
    # The final table holds exactly the curated lines, and the target holds the same rows.
    table = final_rows(stack, GOOD_DATE)
    assert len(table) == first.final_rows == expected.rows_curated
    assert {row[0] for row in table} == _expected_keys(expected)
    objects = target_objects(stack, GOOD_DATE)
    assert objects and all(uri.endswith(".parquet") for uri in objects)
    assert _normalise(parquet_rows(objects)) == _normalise(table)
    assert [n["status"] for n in first.notices] == ["success"]
    # The dbt docs site, generated on PostgreSQL, in the emulator's staging bucket (what xetl docs serves).
    assert first.task_states["publish_dbt_docs"][0] == "success"
    s3, staging = stack.client("s3"), stack.variable["staging_bucket"]
    listed = s3.list_objects_v2(Bucket=staging, Prefix=DBT_DOCS_PREFIX)["Contents"]
    assert sorted(o["Key"] for o in listed) == [f"{DBT_DOCS_PREFIX}{n}" for n in ("catalog.json", "index.html", "manifest.json")]
    catalog = json.loads(s3.get_object(Bucket=staging, Key=f"{DBT_DOCS_PREFIX}catalog.json")["Body"].read())
    assert "model.xetl.daily_category_summary" in catalog["nodes"]
    # The chat message a channel would get, printed by the local run.
    (chat,) = first.chat
    assert chat["content"]["title"] == f"\u2705 xetl local: partition {GOOD_DATE} published"
    assert (f"rows: read 200, loaded {expected.rows_curated}, quarantined {expected.rows_quarantined}"
            in chat["content"]["description"].splitlines())  # fmt: skip
    assert chat_text(chat).rstrip("\n").replace("\n", "\n    ") in render_summary(stack, first)

    second = run_partition(stack, partition=GOOD_DATE, rows=200, bad_ratio=0.1, files=2, seed=11)
    assert second.succeeded, second.failure
    assert second.run_id != first.run_id
    assert final_rows(stack, GOOD_DATE) == table
    again = target_objects(stack, GOOD_DATE)
    assert sorted(again) == sorted(objects)
    assert _normalise(parquet_rows(again)) == _normalise(table)
    assert {k: v for k, v in second.manifest.items() if k not in ("run_id", "written_at")} == {
        k: v for k, v in manifest.items() if k not in ("run_id", "written_at")
    }


def test_all_malformed_partition_fails_at_the_manifest_gate_and_publishes_nothing(stack):
    s3 = stack.client("s3")
    bucket = stack.variable["target_bucket"]
    prefix = partition_path(BAD_DATE, stack.variable["target_prefix"])
    # A previous publication of the day: the failed run must leave it exactly as it is.
    sentinel = prefix + "part_000.parquet"
    s3.put_object(Bucket=bucket, Key=sentinel, Body=b"previous publication",
                  ServerSideEncryption="aws:kms", SSEKMSKeyId=stack.variable["target_kms_key_arn"])  # fmt: skip
    good_before = final_rows(stack, GOOD_DATE)

    result = run_partition(stack, partition=BAD_DATE, rows=60, bad_ratio=1.0, files=1, seed=3, kinds=MALFORMED)
    print(render_summary(stack, result))
    assert not result.succeeded
    assert result.task_states["check_manifest"][0] == "failed"
    for later in ("stage_partition", "publish_partition", "unload_to_target"):
        assert result.task_states[later][0] == "upstream_failed", later
    assert result.task_states["notify_failure"][0] == "success"
    assert "data quality failed for partition 2026-11-22" in result.failure
    assert "not_all_quarantined" in result.failure
    assert result.manifest["rows_quarantined"] == result.manifest["rows_read"] == 60
    assert result.manifest["rows_curated"] == 0
    assert final_rows(stack, BAD_DATE) == []
    assert final_rows(stack, GOOD_DATE) == good_before
    assert target_objects(stack, BAD_DATE) == {f"s3://{bucket}/{sentinel}": b"previous publication"}
    assert [n["status"] for n in result.notices] == ["failure"]
    (chat,) = result.chat
    assert chat["content"]["title"] == "\u274c xetl local: partition 2026-11-22 FAILED at check_manifest"
    assert "rows: read 60, curated 0, quarantined 60" in chat["content"]["description"].splitlines()


def _audit(stack, run_id: str) -> list[dict]:
    [result] = run_statements(
        [f"SELECT status, error_message FROM xetl.pipeline_runs WHERE run_id = '{run_id}'"], dsn=stack.pg_dsn
    )
    return result["rows"]


def test_a_rerun_that_fails_its_checks_leaves_the_published_partition_untouched(stack):
    good = run_partition(stack, partition=RERUN_DATE, rows=80, bad_ratio=0.05, files=1, seed=5)
    assert good.succeeded, good.failure
    published_rows = final_rows(stack, RERUN_DATE)
    published_files = target_objects(stack, RERUN_DATE)
    assert published_rows and published_files

    bad = run_partition(stack, partition=RERUN_DATE, rows=80, bad_ratio=0.6, files=1, seed=6, kinds=MALFORMED)
    print(render_summary(stack, bad))
    assert not bad.succeeded
    assert bad.task_states["check_manifest"][0] == "failed"
    assert "quarantine_ratio" in bad.failure
    assert final_rows(stack, RERUN_DATE) == published_rows
    assert target_objects(stack, RERUN_DATE) == published_files
    assert _audit(stack, bad.run_id) == [{"status": "failed", "error_message": "failed at check_manifest"}]
    assert _audit(stack, good.run_id)[0]["status"] == "succeeded"


def test_an_empty_drop_fails_the_run_and_publishes_nothing(stack):
    # `xetl drop` refuses a header-only file; a producer using plain S3 calls gets it through.
    result = run_partition(stack, partition=EMPTY_DATE, rows=0, bad_ratio=0.0, files=1, seed=9, producer_upload=True)
    print(render_summary(stack, result))
    assert not result.succeeded
    assert "no data rows" in result.failure
    assert final_rows(stack, EMPTY_DATE) == []
    assert target_objects(stack, EMPTY_DATE) == {}
