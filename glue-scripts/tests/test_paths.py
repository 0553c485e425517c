"""Partition paths follow the contract: one Hive path, the same under every area."""

from datetime import date

import pytest
from xetl_transform import InvalidPartitionError, parse_partition, partition_paths


def test_every_area_uses_the_same_zero_padded_hive_path():
    paths = partition_paths(date(2026, 3, 7), "s3://source-a/products/", "s3://staging-b")
    assert paths.source_dir == "s3://source-a/products/year=2026/month=03/day=07"
    assert paths.curated_dir == "s3://staging-b/curated/products/year=2026/month=03/day=07"
    assert paths.quarantine_dir == "s3://staging-b/quarantine/products/year=2026/month=03/day=07"
    assert paths.manifest_file == "s3://staging-b/manifests/products/year=2026/month=03/day=07/manifest.json"


def test_file_uris_work_the_same_way():
    paths = partition_paths(date(2026, 11, 21), "file:///tmp/x/products", "file:///tmp/x/staging/")
    assert paths.source_dir == "file:///tmp/x/products/year=2026/month=11/day=21"
    assert paths.curated_dir == "file:///tmp/x/staging/curated/products/year=2026/month=11/day=21"


def test_a_partition_is_a_real_day_written_yyyy_mm_dd():
    assert parse_partition("2026-11-21") == date(2026, 11, 21)


@pytest.mark.parametrize("text", ["2026-11-31", "20261121", "2026-W47-6", "2026-1-2", "21/11/2026", ""])
def test_anything_else_is_rejected(text):
    with pytest.raises(InvalidPartitionError, match="YYYY-MM-DD"):
        parse_partition(text)
