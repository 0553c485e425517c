"""One run of the products job for one partition: list, read the headers, read and classify,
join multi-line records, de-duplicate, write both outputs, count them back, and write the
manifest last (its presence says that the partition's outputs are complete)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import date

from pyspark.sql import DataFrame, Row, SparkSession
from pyspark.sql import functions as F

from .contract import UNKNOWN_COLUMNS_IGNORE
from .dedup import mark_duplicates
from .header import FileLayout
from .manifest import build_manifest
from .numbering import LineNumbering, number_lines
from .outputs import curated_rows, quarantine_records
from .paths import partition_paths
from .reader import file_layouts, list_data_files, read_lines
from .records import Line, find_spans, join_lines, state_from_inside
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


# A fetch of line states also brings the lines' text (for the merge) when it asks for at most this
# many lines, which the usual few multi-line records never exceed; beyond it, a file full of
# stray quotes, only the joined lines' text comes to the driver, in one more job.
TEXT_FETCH_LIMIT = 200_000


class _LineFetcher:
    """Lines of the kept rows picked by (file_index, line_number), one Spark job a call: a
    broadcast semi-join on `row_id` (unique in the read). Keeps the text it fetched for the merge."""

    def __init__(self, classified: DataFrame, numbering: LineNumbering, openers: Sequence[Line]) -> None:
        self.classified, self.numbering = classified, numbering
        self.text: dict[Line, tuple[bytes, bool]] = {}
        self._openers = list(openers)  # their text is fetched with the first states

    def _fetch(self, lines: Sequence[Line], *, state: bool, text: bool) -> list[tuple[Line, Row]]:
        by_row_id = {self.numbering.position(f, n)[1]: (f, n) for f, n in lines}
        wanted = self.classified.sparkSession.createDataFrame([(r,) for r in by_row_id], "row_id long")
        columns = [F.col("row_id")]
        if state:
            columns.append(state_from_inside(F.col("raw_line")).alias("state"))
        if text:
            # As bytes: a string would be decoded on the way to Python, and no byte may change.
            columns += [F.col("raw_line").cast("binary").alias("raw"), F.col("crlf")]
        rows = self.classified.join(F.broadcast(wanted), "row_id", "left_semi").select(*columns).collect()
        if text:
            self.text.update((by_row_id[r["row_id"]], (bytes(r["raw"]), r["crlf"])) for r in rows)
        return [(by_row_id[r["row_id"]], r) for r in rows]

    def states(self, lines: Sequence[Line]) -> dict[Line, int]:
        """find_spans' `states`; the first call also brings the openers' text."""
        asked = set(lines)
        wanted = sorted(asked | set(self._openers))
        self._openers = []
        with_text = len(wanted) <= TEXT_FETCH_LIMIT
        fetched = self._fetch(wanted if with_text else sorted(asked), state=True, text=with_text)
        return {line: row["state"] for line, row in fetched if line in asked}

    def fetch_text(self, lines: Sequence[Line]) -> None:
        """Brings the text of those of `lines` not known yet into `text`, in one job."""
        missing = [line for line in lines if line not in self.text]
        if missing:
            self._fetch(missing, state=False, text=True)


def join_multi_line_records(
    classified: DataFrame, numbering: LineNumbering, layouts: Sequence[FileLayout]
) -> tuple[DataFrame, int]:
    """`classified` read every line as a record; records.py explains why that is right for all
    but the lines of multi-line records, which are replaced here by their records. Returns the
    records and how many lines were joined into an earlier line's record."""
    if not numbering.openers:
        return classified, 0
    last_line = {f: numbering.last_line(f) for f in {f for f, _ in numbering.openers}}
    fetcher = _LineFetcher(classified, numbering, numbering.openers)
    spans = find_spans(numbering.openers, last_line, fetcher.states)
    if not spans:
        return classified, 0
    span_lines = [[(f, n) for n in range(first, last + 1)] for (f, first), (_, last) in spans]
    fetcher.fetch_text([line for lines in span_lines for line in lines])
    records = [(f, *numbering.position(f, first), join_lines([fetcher.text[line] for line in lines]), False)
               for lines in span_lines for f, first in lines[:1]]
    spark = classified.sparkSession
    joined = spark.createDataFrame(
        [(numbering.position(f, n)[1],) for lines in span_lines for f, n in lines], "row_id long")
    outside = classified.join(F.broadcast(joined), "row_id", "left_anti")
    merged = spark.createDataFrame(
        records, "file_index int, block_start long, row_id long, raw_line binary, crlf boolean"
    ).withColumn("raw_line", F.col("raw_line").cast("string"))
    # The few joined records are kept, so that later steps do not classify them again.
    records_frame = outside.unionByName(classify(merged, layouts).localCheckpoint(eager=True))
    return records_frame, sum(len(lines) - 1 for lines in span_lines)


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
