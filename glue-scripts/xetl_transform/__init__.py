"""xetl's products transform for AWS Glue 5.0 (Spark 3.5, Python 3.11): pure PySpark functions
plus the explicit reader and writer the job entry point (xetl_products_job.py) wires together.
Shipped to Glue as a zip in --extra-py-files, built at synth by the analytics stack (deterministicZip)."""

from .dedup import mark_duplicates
from .manifest import ReconciliationError, build_manifest
from .numbering import LineNumbering, number_lines
from .outputs import curated_rows, quarantine_records
from .paths import InvalidPartitionError, parse_partition, partition_paths
from .pipeline import NoInputFilesError, run_products_partition
from .reader import HeaderMismatchError, check_headers, list_data_files, read_lines
from .validate import classify

__all__ = [
    "HeaderMismatchError",
    "InvalidPartitionError",
    "LineNumbering",
    "NoInputFilesError",
    "ReconciliationError",
    "build_manifest",
    "check_headers",
    "classify",
    "curated_rows",
    "list_data_files",
    "mark_duplicates",
    "number_lines",
    "parse_partition",
    "partition_paths",
    "quarantine_records",
    "read_lines",
    "run_products_partition",
]
