"""xetl's products transform for AWS Glue 5.0 (Spark 3.5, Python 3.11): pure PySpark functions
plus the explicit reader and writer the job entry point (xetl_products_job.py) wires together.
Shipped to Glue as a zip in --extra-py-files, built at synth by the analytics stack (deterministicZip)."""

from .dedup import mark_duplicates
from .header import FileLayout, layout_from_header, split_record
from .manifest import ReconciliationError, build_manifest
from .numbering import LineNumbering, number_lines
from .outputs import curated_rows, quarantine_records
from .paths import InvalidPartitionError, parse_partition, partition_paths
from .pipeline import NoDataRowsError, NoInputFilesError, join_multi_line_records, run_products_partition
from .reader import file_layouts, first_line, list_data_files, read_lines
from .records import find_spans
from .validate import classify

__all__ = [
    "FileLayout",
    "InvalidPartitionError",
    "LineNumbering",
    "NoDataRowsError",
    "NoInputFilesError",
    "ReconciliationError",
    "build_manifest",
    "classify",
    "curated_rows",
    "file_layouts",
    "find_spans",
    "first_line",
    "join_multi_line_records",
    "layout_from_header",
    "list_data_files",
    "mark_duplicates",
    "number_lines",
    "parse_partition",
    "partition_paths",
    "quarantine_records",
    "read_lines",
    "run_products_partition",
    "split_record",
]
