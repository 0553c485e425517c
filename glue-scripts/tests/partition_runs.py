"""Helpers shared by the tests: write a partition of the feed, run the job on it, read back."""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
from generate_products import HEADER
from xetl_transform import (
    classify,
    file_layouts,
    list_data_files,
    partition_paths,
    read_lines,
    run_products_partition,
)

REPO = Path(__file__).resolve().parents[2]
DAY = date(2026, 11, 21)


def source_dir(root: Path, day: date = DAY) -> Path:
    return root / "source" / "products" / f"year={day.year:04d}" / f"month={day.month:02d}" / f"day={day.day:02d}"


def write_feed(directory: Path, name: str, lines: list[str], *, header: str = HEADER, newline: str = "\n") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_bytes(newline.join([header, *lines]).encode("utf-8") + newline.encode())
    return path


@contextmanager
def splits_of(spark, max_bytes: int | None):
    """Spark reads files in splits of at most `max_bytes` (None: as configured), so that one file
    is read by several tasks."""
    if max_bytes is None:
        yield
        return
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(max_bytes))
    spark.conf.set("spark.sql.files.openCostInBytes", "0")
    try:
        yield
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
        spark.conf.unset("spark.sql.files.openCostInBytes")


def classified_lines(spark, directory: Path):
    """Every line of the directory's files read as a record and classified (before records.py
    joins multi-line records and numbering.py drops headers)."""
    files = list_data_files(spark, directory.as_uri()).data_files
    return classify(read_lines(spark, files), file_layouts(spark, files, "ignore"))


@dataclass
class Run:
    manifest: dict
    curated: list[dict]
    quarantine: list[dict]
    staging: Path
    curated_schema: object

    def quarantined(self, name: str, line_number: int) -> dict | None:
        hits = [q for q in self.quarantine if q["source_file"].endswith("/" + name) and q["line_number"] == line_number]
        assert len(hits) <= 1, hits
        return hits[0] if hits else None

    def curated_by_key(self, product_id: str) -> list[dict]:
        return [row for row in self.curated if row["product_id"] == product_id]


def read_quarantine(directory: Path) -> list[dict]:
    records = []
    for part in sorted(directory.glob("part-*")):
        records.extend(json.loads(line) for line in part.read_text(encoding="utf-8").splitlines() if line)
    return records


def run_partition(spark, root: Path, *, day: date = DAY, run_id: str = "test-run") -> Run:
    staging = root / "staging"
    manifest = run_products_partition(
        spark, partition=day, run_id=run_id, source_uri=(root / "source" / "products").as_uri(),
        staging_uri=staging.as_uri(),
    )
    paths = partition_paths(day, (root / "source" / "products").as_uri(), staging.as_uri())
    # pyarrow, not Spark, reads the outputs back: an independent reader, and time-zone aware.
    curated_table = pq.read_table(paths.curated_dir.removeprefix("file://"))
    quarantine = read_quarantine(Path(paths.quarantine_dir.removeprefix("file://")))
    return Run(manifest=manifest, curated=curated_table.to_pylist(), quarantine=quarantine, staging=staging,
               curated_schema=curated_table.schema)
