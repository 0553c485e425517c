"""Partition helpers: format validation, Hive paths and the resolver's order of sources."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from xetl_tasks.partition import PartitionError, parse_partition, partition_path, resolve_partition


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2026-13-01", "not a calendar date"),
        ("2026-02-30", "not a calendar date"),
        ("2026-00-10", "not a calendar date"),
        ("20261121", "form YYYY-MM-DD"),
        ("2026-11-1", "form YYYY-MM-DD"),
        ("2026/11/21", "form YYYY-MM-DD"),
        (" 2026-11-21", "form YYYY-MM-DD"),
        ("2026-11-21\n", "form YYYY-MM-DD"),
        ("2026-W47-6", "form YYYY-MM-DD"),
        ("", "form YYYY-MM-DD"),
        ("2026-11-21T00:00:00", "form YYYY-MM-DD"),
    ],
)
def test_malformed_partitions_are_rejected_with_the_reason(value, reason):
    with pytest.raises(PartitionError, match=reason) as err:
        parse_partition(value)
    assert repr(value) in str(err.value), "the message must quote the offending value"


@pytest.mark.parametrize("value", [20261121, None, ["2026-11-21"]])
def test_non_string_partitions_are_rejected(value):
    with pytest.raises(PartitionError, match="must be a string"):
        parse_partition(value)


def test_leap_day_is_a_valid_partition():
    assert parse_partition("2028-02-29").isoformat() == "2028-02-29"


@pytest.mark.parametrize(
    ("partition", "prefix", "expected"),
    [
        ("2026-11-21", "products", "products/year=2026/month=11/day=21/"),
        ("2026-01-05", "products", "products/year=2026/month=01/day=05/"),
        ("2026-01-05", "feeds/products", "feeds/products/year=2026/month=01/day=05/"),
    ],
)
def test_partition_path_is_hive_style_zero_padded_with_trailing_slash(partition, prefix, expected):
    assert partition_path(partition, prefix) == expected


@pytest.mark.parametrize("prefix", ["", "/products", "products/", "prod*", "pro'ducts", "a//b"])
def test_partition_path_rejects_unsafe_prefixes(prefix):
    with pytest.raises(PartitionError, match="prefix"):
        partition_path("2026-11-21", prefix)


LOGICAL = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)


def test_scheduled_run_uses_the_utc_day_of_its_logical_date():
    assert resolve_partition({}, {"partition": ""}, LOGICAL) == "2026-11-21"


def test_logical_date_is_converted_to_utc_before_taking_the_day():
    # 2026-11-21 23:30 at UTC-05:00 is already 2026-11-22 in UTC.
    late_evening = datetime(2026, 11, 21, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert resolve_partition(None, None, late_evening) == "2026-11-22"


def test_param_beats_logical_date():
    assert resolve_partition({}, {"partition": "2026-11-20"}, LOGICAL) == "2026-11-20"


def test_conf_beats_param_and_logical_date():
    assert (
        resolve_partition({"partition": "2026-11-19"}, {"partition": "2026-11-20"}, LOGICAL) == "2026-11-19"
    )


def test_empty_conf_value_falls_through_to_the_param():
    assert resolve_partition({"partition": ""}, {"partition": "2026-11-20"}, LOGICAL) == "2026-11-20"


def test_malformed_conf_partition_names_its_source():
    with pytest.raises(PartitionError, match=r"dag_run\.conf\['partition'\].*'2026-11-31'"):
        resolve_partition({"partition": "2026-11-31"}, {}, LOGICAL)


def test_malformed_param_names_its_source():
    with pytest.raises(PartitionError, match=r"params\['partition'\].*'21-11-2026'"):
        resolve_partition(None, {"partition": "21-11-2026"}, LOGICAL)


def test_no_partition_and_no_logical_date_says_how_to_name_one():
    with pytest.raises(PartitionError, match=r'no partition to process.*conf \{"partition": "YYYY-MM-DD"\}'):
        resolve_partition({"marker": "s3://x/_SUCCESS"}, {"partition": ""}, None)


def test_naive_logical_date_is_refused():
    with pytest.raises(PartitionError, match="no time zone"):
        resolve_partition({}, {}, datetime(2026, 11, 21))
