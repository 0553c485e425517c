"""One run of the products job for one partition: list, read the headers, read and classify,
join multi-line records, de-duplicate, write both outputs, count them back, and write the
manifest last (its presence says that the partition's outputs are complete)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import date
from functools import partial

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from .contract import UNKNOWN_COLUMNS_IGNORE
from .dedup import mark_duplicates
from .header import FileLayout
from .manifest import build_manifest
from .numbering import LineNumbering, number_lines
from .outputs import curated_rows, quarantine_records
from .paths import partition_paths
from .reader import file_layouts, list_data_files, read_lines
from .records import Line, find_spans, merge_spans, state_from_inside
from .validate import classify
from .writer import count_written, write_curated, write_manifest, write_quarantine

log = logging.getLogger("xetl.products")


class NoInputFilesError(RuntimeError):
    """The partition has nothing to process: an error of the run, never an empty manifest."""


class NoDataRowsError(RuntimeError):
    """The partition's files hold no data row (empty or header only): nothing is published."""


def _step(spark: SparkSession, name: str) -> None:
    # Names the Spark jobs of each step (Spark UI, event log): bench.py reports CPU per step.
    spark.sparkContext.setJobDescription(f"xetl: {name}")


def _states_from_inside(classified: DataFrame, numbering: LineNumbering, lines: Sequence[Line]) -> dict[Line, int]:
    """The quote state of `lines` read from inside a quoted field: one job over the kept rows,
    picking the lines by position (a broadcast semi-join)."""
    wanted = classified.sparkSession.createDataFrame(
        [(f, *numbering.position(f, n)) for f, n in lines], "file_index int, block_start long, row_id long")
    found = classified.join(F.broadcast(wanted), ["file_index", "block_start", "row_id"], "left_semi").select(
        "file_index", "block_start", "row_id", state_from_inside(F.col("raw_line")).alias("state"))
    return {(r["file_index"], numbering.line_number(r["file_index"], r["block_start"], r["row_id"])): r["state"]
            for r in found.collect()}


def join_multi_line_records(
    classified: DataFrame, numbering: LineNumbering, layouts: Sequence[FileLayout]
) -> tuple[DataFrame, int]:
    """`classified` read every line as a record; records.py explains why that is right for all
    but the lines of multi-line records, which are replaced here by their records. Returns the
    records and how many lines were joined into an earlier line's record."""
    if not numbering.openers:
        return classified, 0
    last_line = {f: numbering.last_line(f) for f in {f for f, _ in numbering.openers}}
    spans = find_spans(numbering.openers, last_line, partial(_states_from_inside, classified, numbering))
    if not spans:
        return classified, 0
    span_lines = classified.sparkSession.createDataFrame(
        [(f, *numbering.position(f, n), *numbering.position(f, first), n)
         for (f, first), (_, last) in spans for n in range(first, last + 1)],
        "file_index int, block_start long, row_id long, record_block_start long, record_row_id long, line_number long",
    )
    outside, merged = merge_spans(classified, span_lines)
    # The few joined records are kept, so that later steps do not join and classify them again.
    records = outside.unionByName(classify(merged, layouts).localCheckpoint(eager=True))
    return records, sum(last - first for (_, first), (_, last) in spans)


def run_products_partition(
    spark: SparkSession,
    *,
    partition: date,
    run_id: str,
    source_uri: str,
    staging_uri: str,
    unknown_columns: str = UNKNOWN_COLUMNS_IGNORE,
) -> dict[str, object]:
    try:
        return _run(spark, partition, run_id, source_uri, staging_uri, unknown_columns)
    finally:
        spark.sparkContext.setJobDescription(None)  # later jobs of the session are not the job's


def _run(
    spark: SparkSession, partition: date, run_id: str, source_uri: str, staging_uri: str, unknown_columns: str
) -> dict[str, object]:
    started = time.monotonic()
    paths = partition_paths(partition, source_uri, staging_uri)
    _step(spark, "list and read headers")
    listing = list_data_files(spark, paths.source_dir)
    if listing.ignored:
        log.warning("ignoring %d file(s) that are not *.csv: %s", len(listing.ignored), ", ".join(listing.ignored))
    if not listing.data_files:
        raise NoInputFilesError(
            f"no input files for partition {partition.isoformat()}: {paths.source_dir}/ holds no *.csv data file"
        )
    log.info("partition %s: %d file(s) under %s", partition, len(listing.data_files), paths.source_dir)
    source_files = [f.path for f in listing.data_files]
    layouts = file_layouts(spark, listing.data_files, unknown_columns)
    for path, layout in zip(source_files, layouts, strict=True):
        if layout.rejected:
            log.warning("rejecting %s: %s %s; its records are quarantined", path, *layout.reason)
        elif layout.unknown_columns:
            log.warning("ignoring unknown column(s) of %s: %s", path, ", ".join(layout.unknown_columns))

    # Line numbers, multi-line records, de-duplication and both outputs all start from the
    # classified lines. Keeping them (local checkpoint: rows in executor memory, spilling to
    # disk) means the partition is read and parsed once; every later step reads the kept rows
    # (Spark's context cleaner frees them once nothing refers to them).
    _step(spark, "read and classify")
    classified = classify(read_lines(spark, listing.data_files), layouts).localCheckpoint(eager=True)
    _step(spark, "number lines")
    numbering = number_lines(classified, [layout.has_header for layout in layouts])
    _step(spark, "join multi-line records")
    records, joined_lines = join_multi_line_records(classified, numbering, layouts)
    rows_read = numbering.data_lines - joined_lines
    if rows_read == 0:
        raise NoDataRowsError(
            f"no data rows in {len(source_files)} file(s) of partition {partition.isoformat()} under "
            f"{paths.source_dir}/ (empty or header only): nothing published, earlier outputs kept"
        )

    _step(spark, "de-duplicate")
    rows = mark_duplicates(numbering.without_headers(records))
    _step(spark, "write curated")
    write_curated(curated_rows(rows, partition, source_files), paths.curated_dir)
    _step(spark, "write quarantine")
    rejected = numbering.with_line_numbers(rows.where(F.col("reason_code").isNotNull()))
    write_quarantine(quarantine_records(rejected, run_id, source_files), paths.quarantine_dir)

    _step(spark, "count back and manifest")
    rows_curated, by_reason = count_written(spark, paths.curated_dir, paths.quarantine_dir)
    manifest = build_manifest(
        partition=partition,
        run_id=run_id,
        rows_read=rows_read,
        rows_curated=rows_curated,
        quarantined_by_reason=by_reason,
        source_files=source_files,
        rejected_files={path: layout.reason for path, layout in zip(source_files, layouts, strict=True)
                        if layout.rejected},
        ignored_columns={path: layout.unknown_columns for path, layout in zip(source_files, layouts, strict=True)
                         if layout.unknown_columns and not layout.rejected},
        ignored_files=listing.ignored,
    )
    write_manifest(manifest, paths.manifest_file)
    log.info(
        "partition %s run %s: rows_read=%d rows_curated=%d rows_quarantined=%d by_reason=%s (%.1f s) -> %s",
        partition, run_id, manifest["rows_read"], manifest["rows_curated"], manifest["rows_quarantined"],
        manifest["quarantined_by_reason"], time.monotonic() - started, paths.manifest_file,
    )
    return manifest
