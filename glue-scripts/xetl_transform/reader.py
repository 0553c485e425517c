"""Reading one partition of the feed: listing its files, checking their headers, and scanning
every line untouched with what is needed to number it later (the package's input I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from .contract import SOURCE_COLUMNS

_GLOB_CHARS = "\\{}[]*?"


class HeaderMismatchError(ValueError):
    """A file's first line is not the contract's header: its columns cannot be trusted."""


@dataclass(frozen=True)
class DataFile:
    path: str  # Hadoop's spelling, e.g. s3://bucket/products/year=…/feed-1.csv: what outputs show
    scan_name: str  # the file name as Spark's _metadata.file_name spells it (URI-encoded)


@dataclass(frozen=True)
class Listing:
    data_files: list[DataFile]  # in byte order of their paths: the order the dedup tie-break uses
    ignored: list[str]  # neither markers nor *.csv: logged, so that nothing disappears unseen


def _hadoop_fs(spark: SparkSession, uri: str):
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    return path, path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())


def list_data_files(spark: SparkSession, directory: str) -> Listing:
    """The partition's data files: direct children named *.csv, not starting with `_` or `.`."""
    path, fs = _hadoop_fs(spark, directory)
    if not fs.exists(path):
        return Listing([], [])
    data, ignored = [], []
    for status in fs.listStatus(path):
        file_path = status.getPath()
        name = file_path.getName()
        if not status.isFile() or name.startswith(("_", ".")):
            continue
        if name.endswith(".csv"):
            data.append(DataFile(file_path.toString(), file_path.toUri().getRawPath().rsplit("/", 1)[-1]))
        else:
            ignored.append(file_path.toString())
    return Listing(sorted(data, key=lambda f: f.path.encode("utf-8")), sorted(ignored))


def _first_line(spark: SparkSession, uri: str) -> str | None:
    """Line 1 of a file without its line break, or None for an empty file."""
    jvm = spark.sparkContext._jvm
    path, fs = _hadoop_fs(spark, uri)
    reader = jvm.java.io.BufferedReader(jvm.java.io.InputStreamReader(fs.open(path), "UTF-8"))
    try:
        return reader.readLine()
    finally:
        reader.close()


def _is_contract_header(line: str) -> bool:
    names = [name.strip().strip('"') for name in line.removeprefix("\ufeff").split(",")]
    return tuple(names) == SOURCE_COLUMNS


def check_headers(spark: SparkSession, files: Sequence[DataFile]) -> None:
    """Every non-empty file must start with the contract's header; otherwise its columns may be
    in another order or meaning, and the run stops before writing anything."""
    bad = []
    for data_file in files:
        line = _first_line(spark, data_file.path)
        if line is not None and not _is_contract_header(line):
            bad.append(f"{data_file.path}: {line[:200]!r}")
    if bad:
        raise HeaderMismatchError(
            f"expected the header {','.join(SOURCE_COLUMNS)!r} as line 1 of every file; found " + "; ".join(bad)
        )


def _escape_glob(path: str) -> str:
    # Spark globs every path it is given; a file named "feed[1].csv" must be read as itself.
    return "".join("\\" + ch if ch in _GLOB_CHARS else ch for ch in path)


def read_lines(spark: SparkSession, files: Sequence[DataFile]) -> DataFrame:
    """Every line of `files`, headers included, as `raw_line` with its position:

    - `file_index`: index into `files` (which are in byte order of their paths);
    - `block_start`: byte offset of the file split the line was read from;
    - `row_id`: increasing, and consecutive, within one split.

    Spark's text source splits large files across tasks and keeps no line numbers, but
    (file_index, block_start, row_id) orders the lines of a partition exactly as
    (source_file, line_number) does; `numbering.py` turns it into line numbers.
    """
    paths = [f.path.encode("utf-8") for f in files]
    if paths != sorted(paths):
        raise ValueError("files must be in byte order of their paths (as list_data_files returns them)")
    index_by_name = F.create_map(*(F.lit(x) for i, f in enumerate(files) for x in (f.scan_name, i)))
    file_index = F.element_at(index_by_name, F.col("_metadata.file_name"))
    return spark.read.text([_escape_glob(f.path) for f in files]).select(
        F.coalesce(file_index, F.raise_error(F.concat(F.lit("unlisted file "), F.col("_metadata.file_path"))))
        .cast("int")
        .alias("file_index"),
        F.col("_metadata.file_block_start").alias("block_start"),
        F.monotonically_increasing_id().alias("row_id"),
        F.col("value").alias("raw_line"),
    )
