"""The run manifest: counts by outcome that always add up, or no manifest at all."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from xetl_transform import ReconciliationError, build_manifest


def manifest(**overrides):
    arguments = dict(
        partition=date(2026, 11, 21), run_id="manual__2026-11-21T10:00:00+00:00", rows_read=1000,
        rows_curated=957, quarantined_by_reason={"duplicate_key": 31, "invalid_decimal": 12},
        source_files=["s3://src/products/year=2026/month=11/day=21/feed-2.csv",
                      "s3://src/products/year=2026/month=11/day=21/feed-1.csv"],
        written_at=datetime(2026, 11, 21, 11, 2, 11, tzinfo=timezone(timedelta(hours=1))),
    )
    return build_manifest(**{**arguments, **overrides})


def test_the_manifest_has_the_contract_shape():
    assert manifest() == {
        "partition": "2026-11-21",
        "run_id": "manual__2026-11-21T10:00:00+00:00",
        "rows_read": 1000,
        "rows_curated": 957,
        "rows_quarantined": 43,
        "quarantined_by_reason": {"invalid_decimal": 12, "duplicate_key": 31},
        "source_files": ["s3://src/products/year=2026/month=11/day=21/feed-1.csv",
                         "s3://src/products/year=2026/month=11/day=21/feed-2.csv"],
        "rejected_files": [],
        "ignored_columns": {},
        "ignored_files": [],
        "written_at": "2026-11-21T10:02:11Z",
    }


def test_rejected_files_ignored_columns_and_ignored_files_are_listed_in_a_stable_order():
    result = manifest(
        rejected_files={"s3://b/f-2.csv": ("missing_header", None), "s3://b/f-1.csv": ("missing_column", "price")},
        ignored_columns={"s3://b/f-3.csv": ["colour", "size"]},
        ignored_files=["s3://b/readme.txt", "s3://b/notes.md"],
    )
    assert result["rejected_files"] == [
        {"source_file": "s3://b/f-1.csv", "reason_code": "missing_column", "reason_detail": "price"},
        {"source_file": "s3://b/f-2.csv", "reason_code": "missing_header", "reason_detail": None},
    ]
    assert result["ignored_columns"] == {"s3://b/f-3.csv": ["colour", "size"]}
    assert result["ignored_files"] == ["s3://b/notes.md", "s3://b/readme.txt"]


def test_reasons_are_listed_in_contract_order_and_zero_counts_are_left_out():
    result = manifest(rows_curated=990, quarantined_by_reason={"duplicate_key": 4, "invalid_key": 0,
                                                               "wrong_column_count": 6})
    assert list(result["quarantined_by_reason"].items()) == [("wrong_column_count", 6), ("duplicate_key", 4)]


def test_counts_that_do_not_add_up_raise_instead_of_writing_a_manifest():
    with pytest.raises(ReconciliationError, match="rows_read=1000 but rows_curated=956"):
        manifest(rows_curated=956)


def test_a_reason_the_contract_does_not_know_is_an_error():
    with pytest.raises(ReconciliationError, match="header"):
        manifest(rows_curated=957, quarantined_by_reason={"header": 43})


def test_written_at_defaults_to_now_in_utc():
    before = datetime.now(UTC).replace(microsecond=0)
    written = datetime.strptime(manifest(written_at=None)["written_at"], "%Y-%m-%dT%H:%M:%S%z")
    assert before <= written <= datetime.now(UTC)
