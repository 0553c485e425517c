"""Parsing and validation of records (contract: Validation and quarantine).

`classify` keeps every input row and adds the contract's columns (found by the file's header),
the typed values, and `reason_code`/`reason_detail` (null when the record is valid). The record's
own rules run in one pass over its bytes, in Java (glue-scripts/jvm, ClassifyRecord, registered by
jvm.py); a file's rejection (header.py) comes first. The first failing check names the reason, so
a record with several faults always gets the same, earliest reason.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from .contract import SOURCE_COLUMNS
from .header import FileLayout
from .jvm import CLASSIFY_RECORD, register_functions


def is_valid_utf8(text: Column) -> Column:
    """Spark keeps the bytes it read; decoding replaces what is not UTF-8, so a round trip that
    changes the bytes finds it."""
    raw = text.cast("binary")
    return raw == F.encode(F.decode(raw, "UTF-8"), "UTF-8")


def _per_file(values: Sequence[object], data_type: str) -> Column:
    """One value per file, looked up by `file_index`; a literal when every file has the same."""
    if len(set(values)) == 1:
        return F.lit(values[0]).cast(data_type)
    return F.element_at(F.lit(list(values)).cast(f"array<{data_type}>"), F.col("file_index") + 1)


def layout_argument(layout: FileLayout) -> str:
    """ClassifyRecord's `layout`: "width:p0,...,p5", the field index of each of SOURCE_COLUMNS
    (-1: absent). A rejected file's records are quarantined for the file's reason whatever it says."""
    positions = ",".join(str(layout.positions.get(name, -1)) for name in SOURCE_COLUMNS)
    return f"{layout.width}:{positions}"


def _file_rejection(layouts: Sequence[FileLayout]) -> tuple[Column, Column] | None:
    if not any(layout.rejected for layout in layouts):
        return None
    reasons = [layout.reason or (None, None) for layout in layouts]
    return _per_file([code for code, _ in reasons], "string"), _per_file([detail for _, detail in reasons], "string")


def classify(lines: DataFrame, layouts: Sequence[FileLayout]) -> DataFrame:
    """`lines` has `file_index` (into `layouts`) and `raw_line`, the record's text (other columns
    are kept). Adds `quote_state` (records.py), `product_id`, `product_name`, `category`, the
    typed `price_value`, `quantity_value`, `updated_at_value`, and `reason_code` with
    `reason_detail` (both null for a valid record)."""
    register_functions(lines.sparkSession)
    result = F.call_function(
        CLASSIFY_RECORD, F.col("raw_line").cast("binary"), _per_file([layout_argument(x) for x in layouts], "string")
    )
    # One struct column, read by the projection after it: Spark keeps the two projections apart
    # rather than call the function once per field it reads.
    record = F.col("_record")
    code, detail = record["reason_code"], record["reason_detail"]
    file_rejection = _file_rejection(layouts)
    if file_rejection:
        file_code, file_detail = file_rejection
        code, detail = F.coalesce(file_code, code), F.when(file_code.isNotNull(), file_detail).otherwise(detail)
    return lines.select("*", result.alias("_record")).select(
        *lines.columns,
        record["quote_state"].alias("quote_state"),
        *(record[name].cast("string").alias(name) for name in ("product_id", "product_name", "category")),
        record["price_value"].alias("price_value"),
        record["quantity_value"].alias("quantity_value"),
        F.timestamp_micros(record["updated_at_micros"]).alias("updated_at_value"),
        code.alias("reason_code"),
        detail.alias("reason_detail"),
    )
