"""Local runtime: what the Glue crawler does for the products feed, done directly against the catalog.

moto can store a crawler's definition but does not crawl. This step does the part the pipeline
relies on: read the partition's CSV header (and a small sample of lines), infer column types the
way the CSV classifier does for simple cases (bigint, double, timestamp, else string), and create
or update the table and the partition (year/month/day) in the Glue Data Catalog, through the
ordinary Glue API - so the catalog ends in the state a crawl leaves it in.

Pure functions over boto3 clients (no Airflow import), tested with moto in-process.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from xetl_tasks.partition import parse_partition, partition_path

SAMPLE_BYTES = 64 * 1024
PARTITION_KEYS = ("year", "month", "day")
_INT = re.compile(r"^-?\d{1,18}$")
_FLOAT = re.compile(r"^-?\d+\.\d+$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")
_COLUMN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")


def infer_type(values: list[str]) -> str:
    """The narrowest catalog type every non-empty sample value fits; string when in doubt."""
    present = [v for v in values if v != ""]
    if not present:
        return "string"
    for pattern, kind in ((_INT, "bigint"), (_FLOAT, "double"), (_TIMESTAMP, "timestamp")):
        if all(pattern.match(v) for v in present):
            return kind
    if all(_INT.match(v) or _FLOAT.match(v) for v in present):
        return "double"
    return "string"


def infer_columns(sample: str) -> list[dict[str, str]]:
    """Columns from the header and the complete sample lines (a cut-off last line is ignored)."""
    lines = sample.splitlines()
    if not lines or not lines[0].strip():
        raise ValueError("the first data file has no header line: cannot infer the table's columns")
    complete = lines if sample.endswith("\n") else lines[:-1]
    rows = list(csv.reader(io.StringIO("\n".join(complete or lines[:1]))))
    header = [name.strip() for name in rows[0]]
    bad = [name for name in header if not _COLUMN.match(name)]
    if bad or len(set(header)) != len(header):
        raise ValueError(f"CSV header {header!r} is not a list of distinct column names")
    # Only lines with the header's field count say anything about a column's type; the others are
    # the Glue job's business (wrong_column_count).
    body = [r for r in rows[1:] if len(r) == len(header)]
    return [{"Name": name, "Type": infer_type([r[i] for r in body])} for i, name in enumerate(header)]


def _storage(location: str, columns: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "Columns": columns,
        "Location": location,
        "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
        "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
        "SerdeInfo": {
            "SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
            "Parameters": {"field.delim": ","},
        },
        "Parameters": {"classification": "csv", "skip.header.line.count": "1"},
    }


def register_partition(
    s3: Any, glue: Any, *, partition: str, bucket: str, prefix: str, database: str, crawler: str
) -> dict[str, Any]:
    """Create/update the feed's table and the partition's entry; returns what was registered."""
    day = parse_partition(partition)
    part_prefix = partition_path(partition, prefix)
    listing = s3.list_objects_v2(Bucket=bucket, Prefix=part_prefix).get("Contents", [])
    data = sorted(o["Key"] for o in listing if o["Key"].endswith(".csv") and not o["Key"].rsplit("/", 1)[-1].startswith(("_", ".")))
    if not data:
        raise ValueError(f"no CSV data files under s3://{bucket}/{part_prefix}: nothing to crawl")
    body = s3.get_object(Bucket=bucket, Key=data[0], Range=f"bytes=0-{SAMPLE_BYTES - 1}")["Body"].read()
    columns = infer_columns(body.decode("utf-8", errors="replace"))

    table = prefix.rsplit("/", 1)[-1]
    try:
        glue.get_database(Name=database)
    except glue.exceptions.EntityNotFoundException:
        raise ValueError(f"Glue database {database!r} does not exist (account B's stack creates it)") from None
    table_input = {
        "Name": table,
        "TableType": "EXTERNAL_TABLE",
        "PartitionKeys": [{"Name": key, "Type": "string"} for key in PARTITION_KEYS],
        "StorageDescriptor": _storage(f"s3://{bucket}/{prefix}/", columns),
        # What a crawler records about itself on the tables it manages.
        "Parameters": {"classification": "csv", "UPDATED_BY_CRAWLER": crawler},
    }
    try:
        glue.get_table(DatabaseName=database, Name=table)
        glue.update_table(DatabaseName=database, TableInput=table_input)
        table_action = "updated"
    except glue.exceptions.EntityNotFoundException:
        glue.create_table(DatabaseName=database, TableInput=table_input)
        table_action = "created"

    values = [f"{day.year:04d}", f"{day.month:02d}", f"{day.day:02d}"]
    partition_input = {"Values": values, "StorageDescriptor": _storage(f"s3://{bucket}/{part_prefix}", columns)}
    try:
        glue.get_partition(DatabaseName=database, TableName=table, PartitionValues=values)
        glue.update_partition(
            DatabaseName=database, TableName=table, PartitionValueList=values, PartitionInput=partition_input
        )
        partition_action = "updated"
    except glue.exceptions.EntityNotFoundException:
        glue.create_partition(DatabaseName=database, TableName=table, PartitionInput=partition_input)
        partition_action = "created"
    return {
        "database": database,
        "table": table,
        "table_action": table_action,
        "partition": values,
        "partition_action": partition_action,
        "columns": columns,
        "files": len(data),
    }
