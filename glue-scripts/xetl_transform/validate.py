"""Parsing and validation of raw feed lines, as native Spark expressions (no Python UDFs).

`classify` keeps every input row and adds the typed values plus `reason_code`/`reason_detail`
(null when the line is valid). The checks run in the contract's order and the first failing one
names the reason, so a line with several faults always gets the same, earliest reason.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from .contract import (
    INVALID_DECIMAL,
    INVALID_INTEGER,
    INVALID_KEY,
    INVALID_TIMESTAMP,
    KEY_PATTERN,
    MAX_LENGTH,
    MISSING_REQUIRED,
    PRICE_PATTERN,
    PRICE_TYPE,
    QUANTITY_PATTERN,
    REQUIRED_COLUMNS,
    SOURCE_COLUMNS,
    TIMESTAMP_PATTERN,
    VALUE_TOO_LONG,
    WRONG_COLUMN_COUNT,
)

_UTC_ZONES = ("UTC", "Etc/UTC", "Z", "+00:00", "GMT", "Etc/GMT")
_CORRUPT = "_wrong_column_count"
FIELDS_DDL = ", ".join(f"{name} string" for name in (*SOURCE_COLUMNS, _CORRUPT))
# RFC 4180: a quote inside a quoted field is doubled (Spark's default escape is a backslash).
# Spark's CSV parser flags a line whose field count differs from the schema's as malformed and,
# in PERMISSIVE mode, puts the line into the corrupt-record column.
CSV_OPTIONS = {"quote": '"', "escape": '"', "mode": "PERMISSIVE", "columnNameOfCorruptRecord": _CORRUPT}


def parse_fields(lines: DataFrame) -> DataFrame:
    """`lines` plus `_f`: the six fields of `raw_line` as a struct, and `_wrong_column_count`
    holding the line when it does not have exactly six. An empty field may be null or ""."""
    # A line without a quote character splits on commas exactly as RFC 4180 reads it. The split
    # compiles to JVM code with the rest of the plan; Spark's CSV parser (from_csv) cannot and
    # drags the whole projection into interpreted mode, so only quoted lines go through it. Both
    # branches re-read the files, which is cheap; read_lines' row ids are assigned before the
    # filter (Spark does not push filters past them), so a line keeps its id in either branch.
    quoted = F.coalesce(F.col("raw_line").contains('"'), F.lit(False))
    parsed_by_csv = lines.where(quoted).select("*", F.from_csv(F.col("raw_line"), FIELDS_DDL, CSV_OPTIONS).alias("_f"))
    parts = F.col("_parts")
    split = lines.where(~quoted).select("*", F.split(F.col("raw_line"), ",").alias("_parts")).select(
        *lines.columns,
        F.struct(
            *(F.element_at(parts, i + 1).alias(name) for i, name in enumerate(SOURCE_COLUMNS)),
            F.when(F.size(parts) != len(SOURCE_COLUMNS), F.col("raw_line")).alias(_CORRUPT),
        ).alias("_f"),
    )
    return parsed_by_csv.unionByName(split)


def _is_empty(column: Column) -> Column:
    return column.isNull() | (F.length(column) == 0)


def _utc_timestamp(column: str) -> Column:
    # The pattern admits only UTC offsets, so they can be cut off and the rest read in the UTC
    # session time zone: Spark resolves an offset written in the text anew for every row, which
    # made this one cast cost about as much as parsing the whole CSV line.
    local = F.expr(f"trim(TRAILING 'Z' FROM substring_index(`{column}`, '+', 1))")
    return F.when(F.col(column).rlike(TIMESTAMP_PATTERN), local.cast("timestamp"))


def require_utc_session(spark: SparkSession) -> None:
    zone = spark.conf.get("spark.sql.session.timeZone")
    if zone not in _UTC_ZONES:
        raise ValueError(
            f"spark.sql.session.timeZone is {zone!r}; the feed's timestamps are UTC, set it to 'UTC'"
        )


def _reject(code: str, detail: str | None) -> Column:
    return F.struct(F.lit(code).alias("code"), F.lit(detail).cast("string").alias("detail"))


def classify(lines: DataFrame) -> DataFrame:
    """`lines` has `raw_line` (and any other columns, kept). Adds `product_id`, `product_name`,
    `category`, the typed `price_value`, `quantity_value`, `updated_at_value`, and `reason_code`
    with `reason_detail` (both null for a valid line). Needs a UTC session."""
    require_utc_session(lines.sparkSession)
    parsed = parse_fields(lines).select(
        *lines.columns, *(F.col(f"_f.{name}").alias(name) for name in (*SOURCE_COLUMNS, _CORRUPT))
    )
    price, quantity = F.col("price"), F.col("quantity")
    typed = parsed.select(
        "*",
        F.when(price.rlike(PRICE_PATTERN), price.cast(PRICE_TYPE)).alias("price_value"),
        F.when(quantity.rlike(QUANTITY_PATTERN), quantity.cast("int")).alias("quantity_value"),
        _utc_timestamp("updated_at").alias("updated_at_value"),
    )

    # CASE WHEN evaluates in order and stops at the first match: the contract's "first reason".
    checks = [
        (F.col(_CORRUPT).isNotNull(), _reject(WRONG_COLUMN_COUNT, None)),
        *((_is_empty(F.col(name)), _reject(MISSING_REQUIRED, name)) for name in REQUIRED_COLUMNS),
        (~F.col("product_id").rlike(KEY_PATTERN), _reject(INVALID_KEY, "product_id")),
        (F.col("price_value").isNull(), _reject(INVALID_DECIMAL, "price")),
        (F.col("quantity_value").isNull(), _reject(INVALID_INTEGER, "quantity")),
        (F.col("updated_at_value").isNull(), _reject(INVALID_TIMESTAMP, "updated_at")),
        *((F.length(F.col(name)) > limit, _reject(VALUE_TOO_LONG, name)) for name, limit in MAX_LENGTH.items()),
    ]
    rejection = F.when(checks[0][0], checks[0][1])
    for condition, reason in checks[1:]:
        rejection = rejection.when(condition, reason)

    # The raw text of price, quantity and updated_at stays in raw_line; dropping the copies keeps
    # the rows the job holds in memory (pipeline.py) narrower.
    kept = [c for c in typed.columns if c not in (_CORRUPT, "price", "quantity", "updated_at")]
    return typed.withColumn("_rejection", rejection).select(
        *kept,
        F.col("_rejection.code").alias("reason_code"),
        F.col("_rejection.detail").alias("reason_detail"),
    )
