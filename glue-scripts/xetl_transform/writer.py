"""Writing a run's outputs to the staging bucket, and counting what was written: output I/O."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from pyspark.sql import DataFrame, SparkSession

from .contract import QUARANTINE_SCHEMA

# manifest.json is the run's completion marker; Hadoop's _SUCCESS files would only be one more
# object for COPY and other prefix readers to step over.
_NO_SUCCESS_MARKER = {"mapreduce.fileoutputcommitter.marksuccessfuljobs": "false"}


def write_curated(rows: DataFrame, directory: str) -> None:
    """Replaces the partition's directory only; sibling partitions are other paths."""
    # Spark's default Parquet timestamp is the legacy INT96; readers such as Redshift's COPY and
    # pyarrow expect the standard microsecond type.
    rows.sparkSession.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    # product_id is unique in the curated rows: a dictionary of its values is built only to be
    # dropped (about a tenth of the write's CPU).
    rows.write.mode("overwrite").options(**_NO_SUCCESS_MARKER, **{"parquet.enable.dictionary#product_id": "false"}).parquet(
        directory
    )


def write_quarantine(records: DataFrame, directory: str) -> None:
    """One JSON-lines file in line order: rejected lines are few and read by people."""
    (
        records.repartition(1)
        .sortWithinPartitions("source_file", "line_number")
        .write.mode("overwrite")
        .options(**_NO_SUCCESS_MARKER)
        .option("ignoreNullFields", "false")  # every record carries every key, reason_detail null included
        .json(directory)
    )


def count_written(spark: SparkSession, curated_dir: str, quarantine_dir: str) -> tuple[int, dict[str, int]]:
    """Rows in the curated Parquet, and quarantine records by reason, read back from storage."""
    rows_curated = spark.read.parquet(curated_dir).count()
    by_reason = {
        row["reason_code"]: row["count"]
        for row in spark.read.schema(QUARANTINE_SCHEMA).json(quarantine_dir).groupBy("reason_code").count().collect()
    }
    return rows_curated, by_reason


def write_manifest(manifest: dict[str, object], uri: str) -> None:
    """The one small object of a run: boto3 on S3 (Glue ships it), plain files for file://."""
    body = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    parts = urlsplit(uri)
    if parts.scheme in ("s3", "s3a"):
        import boto3  # imported here: local runs and tests never need it

        boto3.client("s3").put_object(
            Bucket=parts.netloc, Key=parts.path.lstrip("/"), Body=body, ContentType="application/json"
        )
    elif parts.scheme in ("file", ""):
        target = Path(parts.path)  # as Hadoop reads file: URIs, without percent-decoding
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a reader never sees half a manifest.
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".manifest-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
        os.replace(temp, target)
    else:
        raise ValueError(f"cannot write the manifest to {uri!r}: expected an s3:// or file:// URI")

