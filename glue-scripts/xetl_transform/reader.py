"""Reading one partition of the feed: listing its files, reading their header lines, and
scanning every line untouched with what is needed to number it later (the package's input I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from .header import FileLayout, layout_from_header

_GLOB_CHARS = "\\{}[]*?"


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


# A header longer than this is no header; reading stops there.
MAX_HEADER_BYTES = 1 << 20


def first_line(spark: SparkSession, uri: str) -> bytes | None:
    """Line 1 of a file as bytes, without its LF (a CR before it kept), or None for an empty
    file. Read through Hadoop's file system in chunks until the first LF."""
    path, fs = _hadoop_fs(spark, uri)
    stream = fs.open(path)
    try:
        head = b""
        while b"\n" not in head and len(head) < MAX_HEADER_BYTES:
            chunk = bytes(stream.readNBytes(65536))  # py4j returns the Java byte[] as bytes
            if not chunk:
                break
            head += chunk
    finally:
        stream.close()
    return head.split(b"\n", 1)[0] if head else None


def file_layouts(spark: SparkSession, files: Sequence[DataFile], unknown_columns: str) -> list[FileLayout]:
    """Each file's layout from its header line, in the order of `files`."""
    return [layout_from_header(first_line(spark, f.path), unknown_columns) for f in files]


def _escape_glob(path: str) -> str:
    # Spark globs every path it is given; a file named "feed[1].csv" must be read as itself.
    return "".join("\\" + ch if ch in _GLOB_CHARS else ch for ch in path)


def read_lines(spark: SparkSession, files: Sequence[DataFile]) -> DataFrame:
    """Every line of `files`, headers included, with its position:

    - `file_index`: index into `files` (which are in byte order of their paths);
    - `block_start`: byte offset of the file split the line was read from;
    - `row_id`: increasing, and consecutive, within one split;
    - `raw_line`: the line's bytes without its LF, and without the CR before it (`crlf` says
      whether there was one). Lines end at LF only: a lone CR is a character of the line.

    Spark's text source splits large files across tasks and keeps no line numbers, but
    (file_index, block_start, row_id) orders the lines of a partition exactly as
    (source_file, line_number) does; `numbering.py` turns it into line numbers. The text is
    not decoded: bytes that are not UTF-8 stay as they are (validate.py finds them).
    """
    paths = [f.path.encode("utf-8") for f in files]
    if paths != sorted(paths):
        raise ValueError("files must be in byte order of their paths (as list_data_files returns them)")
    index_by_name = F.create_map(*(F.lit(x) for i, f in enumerate(files) for x in (f.scan_name, i)))
    file_index = F.element_at(index_by_name, F.col("_metadata.file_name"))
    value = F.col("value")
    crlf = value.endswith("\r")
    return spark.read.option("lineSep", "\n").text([_escape_glob(f.path) for f in files]).select(
        F.coalesce(file_index, F.raise_error(F.concat(F.lit("unlisted file "), F.col("_metadata.file_path"))))
        .cast("int")
        .alias("file_index"),
        F.col("_metadata.file_block_start").alias("block_start"),
        F.monotonically_increasing_id().alias("row_id"),
        F.when(crlf, value.substr(F.lit(1), F.length(value) - 1)).otherwise(value).alias("raw_line"),
        crlf.alias("crlf"),
    )
