"""Partitions as the data contract defines them: one UTC day, ``YYYY-MM-DD`` where a person types it
and ``<prefix>/year=YYYY/month=MM/day=DD/`` on S3 (docs/data-contract.md, "Partitions").

Pure functions only (no Airflow import), so the DAG, the tests and a later local runner share them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

# The staging bucket keeps the dataset name fixed (curated/products/..., manifests/products/...):
# the contract spells those paths out literally, while the source and target prefixes are
# configurable through the `xetl_pipeline` variable.
DATASET = "products"

# Exactly four, two and two digits: date.fromisoformat alone would also accept "20261121" and,
# on Python 3.11+, week dates such as "2026-W47-6".
_PARTITION_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
# An S3 key prefix as the variable may give it: no leading slash, no wildcard or quote characters.
_PREFIX_RE = re.compile(r"^[A-Za-z0-9!_.()=-]+(/[A-Za-z0-9!_.()=-]+)*$")


class PartitionError(ValueError):
    """A partition that is missing or not a ``YYYY-MM-DD`` calendar day."""


def parse_partition(value: Any) -> date:
    """Return the calendar day a ``YYYY-MM-DD`` string names, or raise PartitionError saying why."""
    if not isinstance(value, str):
        raise PartitionError(f"partition must be a string 'YYYY-MM-DD', got {type(value).__name__} {value!r}")
    if not _PARTITION_RE.fullmatch(value):
        raise PartitionError(f"partition {value!r} is not in the form YYYY-MM-DD (e.g. '2026-11-21')")
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise PartitionError(f"partition {value!r} is not a calendar date: {err}") from None


def validate_partition(value: Any) -> str:
    """Return ``value`` unchanged when it is a valid partition, else raise PartitionError."""
    parse_partition(value)
    return value


def partition_path(partition: str, prefix: str = DATASET) -> str:
    """``products/year=YYYY/month=MM/day=DD/`` for a partition, with the trailing slash.

    The trailing slash matters: S3 listings, the sensor's wildcard and UNLOAD's CLEANPATH all work
    on raw key prefixes, and without it ``day=2`` would also match ``day=21`` (were days ever
    written unpadded).
    """
    day = parse_partition(partition)
    if not isinstance(prefix, str) or not _PREFIX_RE.fullmatch(prefix):
        raise PartitionError(
            f"S3 prefix {prefix!r} is not a plain key prefix like 'products' or 'feeds/products'"
        )
    return f"{prefix}/year={day.year:04d}/month={day.month:02d}/day={day.day:02d}/"


STAGING_AREAS = ("curated", "quarantine", "manifests")


def staging_uri(staging_bucket: str, area: str, partition: str) -> str:
    """``s3://<staging>/<area>/products/year=…/month=…/day=…/`` (area: curated, quarantine, manifests)."""
    if area not in STAGING_AREAS:
        raise ValueError(f"unknown staging area {area!r}")
    return f"s3://{staging_bucket}/{area}/{partition_path(partition, DATASET)}"


def manifest_uri(staging_bucket: str, partition: str) -> str:
    """Where the Glue job writes the run manifest of a partition (docs/data-contract.md)."""
    return staging_uri(staging_bucket, "manifests", partition) + "manifest.json"


def resolve_partition(
    conf: Mapping[str, Any] | None,
    params: Mapping[str, Any] | None,
    logical_date: datetime | None,
) -> str:
    """The partition one DAG run processes, from the first source that names one.

    1. ``dag_run.conf["partition"]``: the event trigger and ``airflow dags trigger -c`` set it;
    2. the ``partition`` param: the UI's trigger form (Airflow copies conf into params as well,
       unless ``core.dag_run_conf_overrides_params`` is off, hence reading conf first);
    3. the UTC day of the run's logical date: scheduled runs, whose logical date is the start of
       the day-long data interval they cover.

    An empty string counts as "not given". Raises PartitionError when the named value is malformed
    or when nothing names a partition (an API-triggered run without logical date and without conf).
    """
    for source, mapping in (("dag_run.conf", conf), ("params", params)):
        value = (mapping or {}).get("partition")
        if value not in (None, ""):
            try:
                return validate_partition(value)
            except PartitionError as err:
                raise PartitionError(f"{source}['partition']: {err}") from None
    if logical_date is None:
        raise PartitionError(
            "no partition to process: this run has no logical date and names no partition; "
            'trigger it with conf {"partition": "YYYY-MM-DD"}'
        )
    if logical_date.tzinfo is None:
        raise PartitionError(f"logical date {logical_date!r} has no time zone; expected an aware datetime")
    return logical_date.astimezone(UTC).date().isoformat()
