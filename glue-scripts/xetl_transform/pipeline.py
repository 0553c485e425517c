"""One run of the products job for one partition: list, check headers, read, classify,
de-duplicate, write both outputs, count them back, and write the manifest last (its presence
says that the partition's outputs are complete)."""

from __future__ import annotations

import logging
import time
from datetime import date

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from .dedup import mark_duplicates
from .manifest import build_manifest
from .numbering import number_lines
from .outputs import curated_rows, quarantine_records
from .paths import partition_paths
from .reader import check_headers, list_data_files, read_lines
from .validate import classify
from .writer import count_written, write_curated, write_manifest, write_quarantine

log = logging.getLogger("xetl.products")


class NoInputFilesError(RuntimeError):
    """The partition has nothing to process: an error of the run, never an empty manifest."""


def run_products_partition(
    spark: SparkSession, *, partition: date, run_id: str, source_uri: str, staging_uri: str
) -> dict[str, object]:
    started = time.monotonic()
    paths = partition_paths(partition, source_uri, staging_uri)
    listing = list_data_files(spark, paths.source_dir)
    if listing.ignored:
        log.warning("ignoring %d file(s) that are not *.csv: %s", len(listing.ignored), ", ".join(listing.ignored))
    if not listing.data_files:
        raise NoInputFilesError(
            f"no input files for partition {partition.isoformat()}: {paths.source_dir}/ holds no *.csv data file"
        )
    log.info("partition %s: %d file(s) under %s", partition, len(listing.data_files), paths.source_dir)
    check_headers(spark, listing.data_files)
    source_files = [f.path for f in listing.data_files]

    # Line numbers, de-duplication and both outputs all start from the classified rows. Keeping
    # them (local checkpoint: rows in executor memory, spilling to disk) means the partition is
    # read and parsed once; every later step reads the kept rows (Spark's context cleaner frees
    # them once nothing refers to them).
    classified = classify(read_lines(spark, listing.data_files)).localCheckpoint(eager=True)
    numbering = number_lines(classified)
    rows = numbering.without_headers(mark_duplicates(classified))
    write_curated(curated_rows(rows, partition, source_files), paths.curated_dir)
    rejected = numbering.with_line_numbers(rows.where(F.col("reason_code").isNotNull()))
    write_quarantine(quarantine_records(rejected, run_id, source_files), paths.quarantine_dir)

    rows_curated, by_reason = count_written(spark, paths.curated_dir, paths.quarantine_dir)
    manifest = build_manifest(
        partition=partition,
        run_id=run_id,
        rows_read=numbering.rows_read,
        rows_curated=rows_curated,
        quarantined_by_reason=by_reason,
        source_files=source_files,
    )
    write_manifest(manifest, paths.manifest_file)
    log.info(
        "partition %s run %s: rows_read=%d rows_curated=%d rows_quarantined=%d by_reason=%s (%.1f s) -> %s",
        partition, run_id, manifest["rows_read"], manifest["rows_curated"], manifest["rows_quarantined"],
        manifest["quarantined_by_reason"], time.monotonic() - started, paths.manifest_file,
    )
    return manifest
