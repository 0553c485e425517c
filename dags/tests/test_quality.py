"""Data-quality rules (pure), Data API result parsing, and reading the manifest through the real
S3 hook against moto."""

from __future__ import annotations

import json

import pytest
from support import TEST_PIPELINE
from xetl_tasks.quality import DataQualityError, assert_quality, evaluate, statement_result_rows

PARTITION = "2026-11-21"
RUN_ID = "scheduled__2026-11-21T01:00:00+00:00"


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


def metrics(**overrides):
    base = {
        "rows_loaded": 957,
        "distinct_keys": 957,
        "duplicate_keys": 0,
        "null_product_id": 0,
        "null_product_name": 0,
        "null_price": 0,
        "null_quantity": 0,
        "null_updated_at": 0,
        "rows_other_runs": 0,
    }
    return {**base, **overrides}


def failure_of(**kwargs) -> DataQualityError:
    with pytest.raises(DataQualityError) as err:
        assert_quality(
            PARTITION, RUN_ID, kwargs.get("manifest", manifest()), kwargs.get("metrics", metrics())
        )
    return err.value


def test_good_numbers_pass_and_summarise_the_run():
    summary = assert_quality(PARTITION, RUN_ID, manifest(), metrics())
    assert summary["rows_read"] == 1000
    assert summary["rows_loaded"] == 957
    assert summary["rows_quarantined"] == 43
    assert summary["quarantined_by_reason"] == {"invalid_decimal": 12, "duplicate_key": 31}
    assert summary["checks"] == [
        "manifest_identity",
        "manifest_balance",
        "quarantine_reasons",
        "row_count_reconciliation",
        "not_all_quarantined",
        "key_uniqueness",
        "required_not_null",
        "partition_replaced",
    ]


def test_every_rule_passes_on_good_numbers():
    assert all(result.passed for result in evaluate(PARTITION, RUN_ID, manifest(), metrics()))


def test_mismatched_counts_name_the_check_and_the_numbers():
    err = failure_of(metrics=metrics(rows_loaded=950, distinct_keys=950))
    assert [f.name for f in err.failures] == ["row_count_reconciliation"]
    message = str(err)
    assert f"data quality failed for partition {PARTITION}: 1 check(s) failed" in message
    assert (
        "row_count_reconciliation: rows_read=1000 but rows_loaded + rows_quarantined = 950 + 43 = 993"
        in message
    )


def test_duplicate_keys_are_reported_with_counts():
    err = failure_of(metrics=metrics(distinct_keys=955, duplicate_keys=2))
    assert [f.name for f in err.failures] == ["key_uniqueness"]
    assert "key_uniqueness: 2 duplicate product_id row(s): 957 rows, 955 distinct keys" in str(err)


def test_nulls_in_required_columns_are_reported_per_column():
    err = failure_of(metrics=metrics(null_price=3, null_updated_at=1))
    assert [f.name for f in err.failures] == ["required_not_null"]
    assert "required_not_null: null values in required columns: price=3, updated_at=1" in str(err)


def test_unbalanced_manifest_fails_on_its_own():
    err = failure_of(manifest=manifest(rows_read=1001))
    names = [f.name for f in err.failures]
    assert names == ["manifest_balance", "row_count_reconciliation"]
    assert "manifest_balance: rows_read=1001 but rows_curated + rows_quarantined = 957 + 43 = 1000" in str(
        err
    )


def test_reason_breakdown_must_add_up():
    err = failure_of(manifest=manifest(quarantined_by_reason={"invalid_decimal": 12}))
    assert [f.name for f in err.failures] == ["quarantine_reasons"]
    assert "quarantined_by_reason sums to 12 but rows_quarantined=43" in str(err)


def test_a_stale_manifest_from_another_run_is_caught():
    err = failure_of(manifest=manifest(run_id="manual__2026-11-21T09:00:00+00:00"))
    assert [f.name for f in err.failures] == ["manifest_identity"]
    assert "run 'manual__2026-11-21T09:00:00+00:00'" in str(err)


def test_rows_left_from_other_runs_mean_the_partition_was_not_replaced():
    err = failure_of(metrics=metrics(rows_other_runs=5))
    assert [f.name for f in err.failures] == ["partition_replaced"]
    assert f"5 of 957 row(s) in the partition were not written by run '{RUN_ID}'" in str(err)


def test_all_failures_are_reported_together():
    err = failure_of(
        metrics=metrics(rows_loaded=900, distinct_keys=899, duplicate_keys=1, null_product_name=2)
    )
    assert [f.name for f in err.failures] == [
        "row_count_reconciliation",
        "key_uniqueness",
        "required_not_null",
    ]
    assert "3 check(s) failed" in str(err)


@pytest.mark.parametrize(
    ("source", "key", "value"),
    [
        ("manifest", "rows_read", None),
        ("manifest", "rows_quarantined", "43"),
        ("manifest", "rows_curated", True),
        ("metrics", "rows_loaded", -1),
        ("metrics", "null_price", None),
    ],
)
def test_unreadable_counts_fail_as_schema_errors(source, key, value):
    kwargs = {source: (manifest if source == "manifest" else metrics)(**{key: value})}
    err = failure_of(**kwargs)
    assert [f.name for f in err.failures] == [f"{source}_schema"]
    assert f"{source} field {key!r} is {value!r}, not a count >= 0" in str(err)


def test_statement_result_rows_maps_typed_fields_to_column_names():
    result = {
        "ColumnMetadata": [{"name": "rows_loaded"}, {"name": "label"}, {"name": "ratio"}, {"name": "gone"}],
        "Records": [[{"longValue": 957}, {"stringValue": "x"}, {"doubleValue": 0.5}, {"isNull": True}]],
        "TotalNumRows": 1,
    }
    assert statement_result_rows(result) == [{"rows_loaded": 957, "label": "x", "ratio": 0.5, "gone": None}]


def test_statement_result_rows_refuses_ragged_records():
    with pytest.raises(ValueError, match="2 columns"):
        statement_result_rows(
            {"ColumnMetadata": [{"name": "a"}, {"name": "b"}], "Records": [[{"longValue": 1}]]}
        )


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


def test_a_feed_whose_every_line_was_quarantined_is_not_published():
    everything_bad = manifest(rows_curated=0, rows_quarantined=1000, quarantined_by_reason={"invalid_key": 1000})
    err = failure_of(manifest=everything_bad, metrics=metrics(rows_loaded=0, distinct_keys=0))
    assert [f.name for f in err.failures] == ["not_all_quarantined"]
    assert "all 1000 row(s) read were quarantined" in str(err)
