"""The two outputs of a run as projections of the classified rows (contract: Staging bucket)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from .contract import CURATED_SCHEMA, QUARANTINE_SCHEMA
from .validate import is_valid_utf8


def _source_file(source_files: Sequence[str]) -> Column:
    return F.element_at(F.array(*(F.lit(name) for name in source_files)), F.col("file_index") + 1)


def curated_rows(outcomes: DataFrame, partition: date, source_files: Sequence[str]) -> DataFrame:
    """Valid, de-duplicated rows in the curated column order and types."""
    columns = {
        "product_id": F.col("product_id"),
        "product_name": F.col("product_name"),
        "category": F.when(F.length("category") > 0, F.col("category")),  # empty means null
        "price": F.col("price_value"),
        "quantity": F.col("quantity_value"),
        "updated_at": F.col("updated_at_value"),
        "source_file": _source_file(source_files),
        "partition_date": F.lit(partition.isoformat()).cast("date"),
    }
    return outcomes.where(F.col("reason_code").isNull()).select(
        *(columns[field.name].cast(field.dataType).alias(field.name) for field in CURATED_SCHEMA)
    )


def quarantine_records(outcomes: DataFrame, run_id: str, source_files: Sequence[str]) -> DataFrame:
    """One record per rejected record, its text as read, in the contract's key order: `raw_line`
    when it is UTF-8, else `raw_bytes_base64` (JSON holds text, and no byte may change).
    `outcomes` must carry `line_number` (numbering.LineNumbering.with_line_numbers)."""
    readable = is_valid_utf8(F.col("raw_line"))
    columns = {
        "source_file": _source_file(source_files),
        "line_number": F.col("line_number"),
        "raw_line": F.when(readable, F.col("raw_line")),
        "raw_bytes_base64": F.when(~readable, F.base64(F.col("raw_line").cast("binary"))),
        "reason_code": F.col("reason_code"),
        "reason_detail": F.col("reason_detail"),
        "run_id": F.lit(run_id),
    }
    return outcomes.where(F.col("reason_code").isNotNull()).select(
        *(columns[field.name].cast(field.dataType).alias(field.name) for field in QUARANTINE_SCHEMA)
    )
