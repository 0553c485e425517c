"""The data-quality gate (pure rules), Data API result parsing, and reading the manifest through the
real S3 hook against moto."""

from __future__ import annotations

import json

import pytest
from support import TEST_PIPELINE
from xetl_tasks.quality import (
    DataQualityError,
    check_manifest,
    check_staged,
    staged_check_parameters,
    statement_result_rows,
)

PARTITION = "2026-11-21"
RUN_ID = "event__2026-11-21__0123456789abcdef"
MAX_RATIO = 0.2


def manifest(**overrides):
    base = {
        "partition": PARTITION,
        "run_id": RUN_ID,
        "rows_read": 1000,
        "rows_curated": 957,
        "rows_quarantined": 43,
        "quarantined_by_reason": {"invalid_decimal": 12, "duplicate_key": 31},
        "source_files": ["s3://src/products/year=2026/month=11/day=21/feed-1.csv"],
        "written_at": "2026-11-22T01:12:11Z",
    }
    return {**base, **overrides}


def manifest_failure(ratio: float = MAX_RATIO, **overrides) -> DataQualityError:
    with pytest.raises(DataQualityError) as err:
        check_manifest(PARTITION, RUN_ID, manifest(**overrides), ratio)
    return err.value


def dq_rows(reconciled=True, unique=True, not_null=True):
    """One result row per data-quality query, as xetl_sql/queries/dq_*.sql return them."""
    return {
        "dq_row_count_reconciliation": {"check_name": "row_count_reconciliation", "passed": reconciled,
                                        "rows_loaded": 957 if reconciled else 900,
                                        "detail": "rows_read 1000, rows_loaded 900, rows_quarantined 43, unaccounted 57"},
        "dq_key_uniqueness": {"check_name": "key_uniqueness", "passed": unique, "detail": "2 duplicated keys"},
        "dq_required_not_null": {"check_name": "required_not_null", "passed": not_null, "detail": "3 rows have a NULL"},
    }  # fmt: skip


def test_a_good_manifest_passes_and_hands_on_its_counts():
    counts = check_manifest(PARTITION, RUN_ID, manifest(), MAX_RATIO)
    assert {k: counts[k] for k in ("rows_read", "rows_curated", "rows_quarantined")} == {
        "rows_read": 1000, "rows_curated": 957, "rows_quarantined": 43,
    }
    assert counts["checks"] == [
        "manifest_identity", "manifest_balance", "quarantine_reasons", "not_empty", "not_all_quarantined",
        "quarantine_ratio",
    ]


def test_an_empty_partition_is_refused_with_the_number_of_files():
    err = manifest_failure(rows_read=0, rows_curated=0, rows_quarantined=0, quarantined_by_reason={})
    assert [f.name for f in err.failures] == ["not_empty"]
    assert "no data rows in 1 file(s)" in str(err) and "nothing was published" in str(err)


def test_a_feed_whose_every_line_was_quarantined_is_not_published():
    err = manifest_failure(rows_curated=0, rows_quarantined=1000, quarantined_by_reason={"invalid_key": 1000}, ratio=1.0)
    assert [f.name for f in err.failures] == ["not_all_quarantined"]
    assert "all 1000 row(s) read were quarantined" in str(err)


def test_a_quarantine_ratio_above_the_maximum_is_refused_with_the_numbers():
    err = manifest_failure(ratio=0.04)
    assert [f.name for f in err.failures] == ["quarantine_ratio"]
    assert "43 of 1000 row(s) quarantined (4.3%), above the maximum of 4.0%" in str(err)


def test_a_stale_manifest_from_another_run_is_caught():
    err = manifest_failure(run_id="manual__earlier")
    assert [f.name for f in err.failures] == ["manifest_identity"]


def test_unbalanced_counts_and_reasons_that_do_not_add_up_are_all_reported():
    err = manifest_failure(rows_curated=900, quarantined_by_reason={"invalid_decimal": 1})
    assert [f.name for f in err.failures] == ["manifest_balance", "quarantine_reasons"]
    assert "rows_read=1000 but rows_curated + rows_quarantined = 900 + 43 = 943" in str(err)


@pytest.mark.parametrize(("key", "value"), [("rows_read", -1), ("rows_curated", "957"), ("rows_quarantined", True), ("rows_read", None)])
def test_unreadable_counts_fail_as_schema_errors(key, value):
    err = manifest_failure(**{key: value})
    assert [f.name for f in err.failures] == ["manifest_schema"]


def test_the_maximum_ratio_must_be_a_share():
    with pytest.raises(ValueError, match="max_quarantine_ratio"):
        check_manifest(PARTITION, RUN_ID, manifest(), 1.5)


def test_staged_rows_that_pass_every_query_are_summarised():
    counts = check_manifest(PARTITION, RUN_ID, manifest(), MAX_RATIO)
    summary = check_staged(PARTITION, counts, dq_rows())
    assert summary["rows_loaded"] == 957
    assert summary["checks"][-3:] == ["row_count_reconciliation", "key_uniqueness", "required_not_null"]


def test_every_failed_staged_check_is_reported_with_its_detail():
    with pytest.raises(DataQualityError) as err:
        check_staged(PARTITION, {"rows_read": 1000, "rows_quarantined": 43}, dq_rows(reconciled=False, unique=False))
    assert [f.name for f in err.value.failures] == ["row_count_reconciliation", "key_uniqueness"]
    assert "unaccounted 57" in str(err.value) and "2 duplicated keys" in str(err.value)


def test_a_missing_query_result_fails_the_gate():
    rows = dq_rows()
    del rows["dq_key_uniqueness"]
    with pytest.raises(DataQualityError, match="the check returned no row"):
        check_staged(PARTITION, {"rows_read": 1000, "rows_quarantined": 43}, rows)


def test_the_staged_checks_read_the_staging_table_with_the_manifest_counts():
    parameters = staged_check_parameters(PARTITION, {"rows_read": 1000, "rows_quarantined": 43})
    assert parameters == {
        "dq_row_count_reconciliation": {"table": "xetl.products_staging", "partition": PARTITION, "rows_read": 1000, "rows_quarantined": 43},
        "dq_key_uniqueness": {"table": "xetl.products_staging", "partition": PARTITION},
        "dq_required_not_null": {"table": "xetl.products_staging", "partition": PARTITION},
    }  # fmt: skip


def test_statement_result_rows_maps_typed_fields_to_column_names():
    result = {
        "ColumnMetadata": [{"name": "check_name"}, {"name": "passed"}, {"name": "rows_loaded"}, {"name": "example_key"}],
        "Records": [[{"stringValue": "key_uniqueness"}, {"booleanValue": True}, {"longValue": 957}, {"isNull": True}]],
    }
    assert statement_result_rows(result) == [{"check_name": "key_uniqueness", "passed": True, "rows_loaded": 957, "example_key": None}]


def test_statement_result_rows_refuses_ragged_records():
    with pytest.raises(ValueError, match="fields but the result has"):
        statement_result_rows({"ColumnMetadata": [{"name": "a"}], "Records": [[{"longValue": 1}, {"longValue": 2}]]})


# --- the manifest, read through the provider's S3 hook from moto (in-process, no network) ---


def _s3_hook():
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    return S3Hook(aws_conn_id="aws_default", region_name="eu-west-1")


MANIFEST_KEY = "manifests/products/year=2026/month=11/day=21/manifest.json"


@pytest.fixture
def staging_bucket(moto_aws):
    import boto3

    s3 = boto3.client("s3", region_name="eu-west-1")
    bucket = TEST_PIPELINE["staging_bucket"]
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    return s3, bucket


def test_read_manifest_returns_the_jobs_json(staging_bucket):
    from xetl_tasks.aws import read_manifest

    s3, bucket = staging_bucket
    s3.put_object(Bucket=bucket, Key=MANIFEST_KEY, Body=json.dumps(manifest()).encode())
    assert read_manifest(_s3_hook(), bucket, PARTITION) == manifest()


def test_missing_manifest_fails_without_retry_and_says_where_it_looked(staging_bucket):
    from airflow.exceptions import AirflowFailException
    from xetl_tasks.aws import read_manifest

    _, bucket = staging_bucket
    with pytest.raises(AirflowFailException, match=f"run manifest not found at s3://{bucket}/{MANIFEST_KEY}"):
        read_manifest(_s3_hook(), bucket, PARTITION)


def test_manifest_that_is_not_json_fails_without_retry(staging_bucket):
    from airflow.exceptions import AirflowFailException
    from xetl_tasks.aws import read_manifest

    s3, bucket = staging_bucket
    s3.put_object(Bucket=bucket, Key=MANIFEST_KEY, Body=b"rows_read=1000")
    with pytest.raises(AirflowFailException, match="is not JSON"):
        read_manifest(_s3_hook(), bucket, PARTITION)
