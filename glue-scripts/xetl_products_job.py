"""xetl products job: one partition of the products feed -> curated Parquet, quarantine JSON
lines and a manifest in the staging bucket (docs/data-contract.md, docs/pipeline-glue.md).

The same file runs on AWS Glue 5.0 (arguments through getResolvedOptions, the session from a
GlueContext) and locally under python or spark-submit (argparse and a plain SparkSession):

    python glue-scripts/xetl_products_job.py --partition 2026-11-21 --run_id manual-1 \\
        --source_uri file:///tmp/xetl/products --staging_uri file:///tmp/xetl/staging

The transform lives in the xetl_transform package (shipped to Glue with --extra-py-files).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from pyspark.sql import SparkSession
from xetl_transform import (
    InvalidPartitionError,
    NoDataRowsError,
    NoInputFilesError,
    ReconciliationError,
    parse_partition,
    run_products_partition,
)
from xetl_transform.contract import UNKNOWN_COLUMNS_IGNORE, UNKNOWN_COLUMNS_POLICIES

JOB_ARGUMENTS = ("partition", "run_id", "source_uri", "staging_uri")
OPTIONAL_ARGUMENTS = {"unknown_columns": UNKNOWN_COLUMNS_IGNORE}
# Errors of the input or of the run itself, reported as one clear line rather than a traceback.
JOB_ERRORS = (InvalidPartitionError, NoDataRowsError, NoInputFilesError, ReconciliationError)

log = logging.getLogger("xetl.products")


def parse_arguments(argv: Sequence[str]) -> dict[str, str]:
    """`argv` without the program name, e.g. ["--partition", "2026-11-21", ...]."""
    try:
        from awsglue.utils import getResolvedOptions
    except ImportError:
        parser = argparse.ArgumentParser(prog="xetl_products_job.py", description="xetl products job")
        parser.add_argument("--partition", required=True, help="the partition day, YYYY-MM-DD")
        parser.add_argument("--run_id", required=True, help="the run id recorded in quarantine and manifest")
        parser.add_argument("--source_uri", required=True, help="base of the feed, e.g. s3://bucket/products")
        parser.add_argument("--staging_uri", required=True, help="base of the staging bucket, e.g. s3://staging")
        parser.add_argument("--unknown_columns", choices=UNKNOWN_COLUMNS_POLICIES, default=UNKNOWN_COLUMNS_IGNORE,
                            help="header columns the contract does not know: ignore them (reported in the "
                                 "manifest) or reject the file")
        return vars(parser.parse_args(list(argv)))
    # Glue adds arguments of its own (--JOB_NAME, --TempDir, ...); getResolvedOptions ignores them,
    # and fails on a listed argument that is missing: optional ones are listed only when given.
    wanted = [*JOB_ARGUMENTS, *(name for name in OPTIONAL_ARGUMENTS if f"--{name}" in argv)]
    resolved = getResolvedOptions(["job", *argv], wanted)
    args = {**OPTIONAL_ARGUMENTS, **{name: resolved[name] for name in wanted}}
    if args["unknown_columns"] not in UNKNOWN_COLUMNS_POLICIES:
        raise SystemExit(f"xetl-products failed: --unknown_columns must be one of {', '.join(UNKNOWN_COLUMNS_POLICIES)}, "
                         f"got {args['unknown_columns']!r}")
    return args


def spark_session() -> SparkSession:
    try:
        from awsglue.context import GlueContext
    except ImportError:
        from xetl_transform.jvm import spark_jar

        # Locally the jar comes from the repository's build; on Glue from --extra-jars.
        return SparkSession.builder.appName("xetl-products").config("spark.jars", spark_jar()).getOrCreate()
    from pyspark import SparkContext

    return GlueContext(SparkContext.getOrCreate()).spark_session


def main(argv: Sequence[str] | None = None, spark: SparkSession | None = None) -> dict[str, object]:
    """Runs one partition and returns its manifest; `spark` lets tests pass their session."""
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    partition = parse_partition(args["partition"])
    spark = spark or spark_session()
    # The contract's timestamps are UTC, and Spark reads offset-less ones in the session zone.
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    return run_products_partition(
        spark,
        partition=partition,
        run_id=args["run_id"],
        source_uri=args["source_uri"],
        staging_uri=args["staging_uri"],
        unknown_columns=args["unknown_columns"],
    )


if __name__ == "__main__":
    logging.basicConfig(
        level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        main()
    except JOB_ERRORS as err:
        log.error("%s: %s", type(err).__name__, err)
        raise SystemExit(f"xetl-products failed: {err}") from None
