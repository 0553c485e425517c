"""Where one partition lives, in the source bucket and in the staging bucket (contract: Partitions)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .contract import DATASET


class InvalidPartitionError(ValueError):
    pass


def parse_partition(text: str) -> date:
    """`YYYY-MM-DD` exactly: the form people type and the DAG passes."""
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            raise ValueError  # fromisoformat alone would also take 20261121 or 2026-W47-6
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidPartitionError(f"partition must be a date written YYYY-MM-DD, got {text!r}") from None


def hive_path(day: date) -> str:
    return f"year={day.year:04d}/month={day.month:02d}/day={day.day:02d}"


@dataclass(frozen=True)
class PartitionPaths:
    source_dir: str
    curated_dir: str
    quarantine_dir: str
    manifest_file: str


def partition_paths(day: date, source_uri: str, staging_uri: str) -> PartitionPaths:
    """`source_uri` is the feed's base (…/products); `staging_uri` the staging bucket's base."""
    source = source_uri.rstrip("/")
    staging = staging_uri.rstrip("/")
    part = hive_path(day)
    return PartitionPaths(
        source_dir=f"{source}/{part}",
        curated_dir=f"{staging}/curated/{DATASET}/{part}",
        quarantine_dir=f"{staging}/quarantine/{DATASET}/{part}",
        manifest_file=f"{staging}/manifests/{DATASET}/{part}/manifest.json",
    )
