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
    HeaderMismatchError,
    InvalidPartitionError,
    NoInputFilesError,
    ReconciliationError,
    parse_partition,
    run_products_partition,
)

JOB_ARGUMENTS = ("partition", "run_id", "source_uri", "staging_uri")
# Errors of the input or of the run itself, reported as one clear line rather than a traceback.
JOB_ERRORS = (HeaderMismatchError, InvalidPartitionError, NoInputFilesError, ReconciliationError)

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
        return vars(parser.parse_args(list(argv)))
    # Glue adds arguments of its own (--JOB_NAME, --TempDir, ...); getResolvedOptions ignores them.
    return {name: value for name, value in getResolvedOptions(["job", *argv], list(JOB_ARGUMENTS)).items()
            if name in JOB_ARGUMENTS}


def spark_session() -> SparkSession:
    try:
        from awsglue.context import GlueContext
    except ImportError:
        return SparkSession.builder.appName("xetl-products").getOrCreate()
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
