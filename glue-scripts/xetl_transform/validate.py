"""Parsing and validation of records, as native Spark expressions (no Python UDFs).

`classify` keeps every input row and adds the contract's columns (found by the file's header),
the typed values, and `reason_code`/`reason_detail` (null when the record is valid). The checks
run in the contract's order and the first failing one names the reason, so a record with several
faults always gets the same, earliest reason.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from .contract import (
    CONTROL_CHARACTER,
    CONTROL_CHARACTER_PATTERN,
    INVALID_DECIMAL,
    INVALID_ENCODING,
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
    UNTERMINATED_QUOTE,
    VALUE_TOO_LONG,
    WRONG_COLUMN_COUNT,
)
from .header import FileLayout
from .records import CLOSED, has_quote, record_fields, state_from_start

_UTC_ZONES = ("UTC", "Etc/UTC", "Z", "+00:00", "GMT", "Etc/GMT")
# Any C0 character but tab and LF: a cheap first look; CONTROL_CHARACTER_PATTERN decides (CRLF).
_MAYBE_CONTROL = r"[\x00-\x08\x0B-\x1F]"
# Columns whose own rule admits no control character: for them the search runs only when that
# rule fails. The free-text columns are searched in every record.
_STRICT_PATTERNS = {
    "product_id": KEY_PATTERN, "price": PRICE_PATTERN, "quantity": QUANTITY_PATTERN, "updated_at": TIMESTAMP_PATTERN,
}


def is_valid_utf8(text: Column) -> Column:
    """Spark keeps the bytes it read; decoding replaces what is not UTF-8, so a round trip that
    changes the bytes finds it."""
    raw = text.cast("binary")
    return raw == F.encode(F.decode(raw, "UTF-8"), "UTF-8")


def _unquoted(value: Column, quoted_record: Column) -> Column:
    inner = value.substr(F.lit(2), F.length(value) - 2)
    return F.when(quoted_record & value.startswith('"'), F.replace(inner, F.lit('""'), F.lit('"'))).otherwise(value)


def _per_file(values: Sequence[object], data_type: str) -> Column:
    """One value per file, looked up by `file_index`; a literal when every file has the same."""
    if len(set(values)) == 1:
        return F.lit(values[0]).cast(data_type)
    return F.element_at(F.lit(list(values)).cast(f"array<{data_type}>"), F.col("file_index") + 1)


def _column(fields: Column, layouts: Sequence[FileLayout], name: str) -> Column:
    # Rejected files take any position: their records are quarantined for the file's reason.
    accepted = [layout.positions.get(name) for layout in layouts if not layout.rejected]
    fallback = next((p for p in accepted if p is not None), None)
    positions = [fallback if layout.rejected else layout.positions.get(name) for layout in layouts]
    if all(p is None for p in positions):
        return F.lit(None).cast("string")  # an optional column no file has
    return F.element_at(fields, _per_file([None if p is None else p + 1 for p in positions], "int"))


def _file_rejection(layouts: Sequence[FileLayout]) -> tuple[Column, tuple[Column, Column]] | None:
    if not any(layout.rejected for layout in layouts):
        return None
    reasons = [layout.reason or (None, None) for layout in layouts]
    code = _per_file([code for code, _ in reasons], "string")
    return code.isNotNull(), (code, _per_file([detail for _, detail in reasons], "string"))


def _control_column() -> Column:
    """The first contract column holding a control character, or null (see _STRICT_PATTERNS)."""
    def found(name: str) -> Column:
        value = F.col(name)
        return F.when(value.rlike(_MAYBE_CONTROL), value.rlike(CONTROL_CHARACTER_PATTERN))

    candidates = [
        F.when((~F.col(f"_{name}_ok") & found(name)) if name in _STRICT_PATTERNS else found(name), F.lit(name))
        for name in SOURCE_COLUMNS
    ]
    return F.coalesce(*candidates)


def _is_empty(column: Column) -> Column:
    return column.isNull() | (column == "")


def _utc_timestamp(column: str) -> Column:
    # For text that matches TIMESTAMP_PATTERN, which admits only UTC offsets: they are cut off and
    # the rest read in the UTC session time zone. Spark resolves an offset written in the text
    # anew for every row, which made this one cast cost about as much as parsing the CSV line.
    local = F.expr(f"trim(TRAILING 'Z' FROM substring_index(`{column}`, '+', 1))")
    return local.cast("timestamp")


def require_utc_session(spark: SparkSession) -> None:
    zone = spark.conf.get("spark.sql.session.timeZone")
    if zone not in _UTC_ZONES:
        raise ValueError(
            f"spark.sql.session.timeZone is {zone!r}; the feed's timestamps are UTC, set it to 'UTC'"
        )


def classify(lines: DataFrame, layouts: Sequence[FileLayout]) -> DataFrame:
    """`lines` has `file_index` (into `layouts`) and `raw_line`, the record's text (other columns
    are kept). Adds `quote_state` (records.py), `product_id`, `product_name`, `category`, the
    typed `price_value`, `quantity_value`, `updated_at_value`, and `reason_code` with
    `reason_detail` (both null for a valid record). Needs a UTC session."""
    require_utc_session(lines.sparkSession)
    text = F.col("raw_line")
    fields = F.col("_fields")
    split = lines.select("*", record_fields(text).alias("_fields"))
    quoted_record = has_quote(text)
    parsed = split.select(
        *lines.columns,
        state_from_start(text, fields).alias("quote_state"),
        F.size(fields).alias("_width"),
        *(_unquoted(_column(fields, layouts, name), quoted_record).alias(name) for name in SOURCE_COLUMNS),
    )
    price, quantity = F.col("price"), F.col("quantity")
    checked = parsed.select(
        "*",
        *(F.coalesce(F.col(name).rlike(pattern), F.lit(False)).alias(f"_{name}_ok")
          for name, pattern in _STRICT_PATTERNS.items()),
    )
    typed = checked.select(
        "*",
        F.when(F.col("_price_ok"), price.cast(PRICE_TYPE)).alias("price_value"),
        F.when(F.col("_quantity_ok"), quantity.cast("int")).alias("quantity_value"),
        F.when(F.col("_updated_at_ok"), _utc_timestamp("updated_at")).alias("updated_at_value"),
        _control_column().alias("_control_column"),
    )

    # CASE WHEN evaluates in order and stops at the first match: the contract's "first reason".
    # It yields the check's index only: a CASE of small literals keeps the generated code small
    # (a CASE of structs made this one expression cost more than all the parsing before it).
    file_rejection = _file_rejection(layouts)
    checks = [
        *([(file_rejection[0], file_rejection[1])] if file_rejection else []),
        (F.col("quote_state") != CLOSED, (UNTERMINATED_QUOTE, None)),
        (~is_valid_utf8(text), (INVALID_ENCODING, None)),
        (F.col("_width") != _per_file([layout.width for layout in layouts], "int"), (WRONG_COLUMN_COUNT, None)),
        (F.col("_control_column").isNotNull(), (CONTROL_CHARACTER, F.col("_control_column"))),
        *((_is_empty(F.col(name)), (MISSING_REQUIRED, name)) for name in REQUIRED_COLUMNS),
        (~F.col("_product_id_ok"), (INVALID_KEY, "product_id")),
        (F.col("price_value").isNull(), (INVALID_DECIMAL, "price")),
        (F.col("quantity_value").isNull(), (INVALID_INTEGER, "quantity")),
        (F.col("updated_at_value").isNull(), (INVALID_TIMESTAMP, "updated_at")),
        *((F.length(F.col(name)) > limit, (VALUE_TOO_LONG, name)) for name, limit in MAX_LENGTH.items()),
    ]
    failed = F.when(checks[0][0], F.lit(1))
    for index, (condition, _) in enumerate(checks[1:], start=2):
        failed = failed.when(condition, F.lit(index))
    codes, details = zip(*(reason for _, reason in checks), strict=True)

    def pick(values: Sequence[object]) -> Column:
        # Literal codes and details come from one array; a computed one (a column) is its own branch.
        computed = [(i, v) for i, v in enumerate(values, start=1) if isinstance(v, Column)]
        literal = F.element_at(F.lit([None if isinstance(v, Column) else v for v in values]).cast("array<string>"),
                               F.col("_failed"))
        if not computed:
            return literal
        choice = F.when(F.col("_failed") == computed[0][0], computed[0][1])
        for i, v in computed[1:]:
            choice = choice.when(F.col("_failed") == i, v)
        return choice.otherwise(literal)

    # The raw text of price, quantity and updated_at stays in raw_line; dropping the copies keeps
    # the rows the job holds in memory (pipeline.py) narrower.
    dropped = {"_width", "_control_column", "price", "quantity", "updated_at",
               *(f"_{name}_ok" for name in _STRICT_PATTERNS)}
    return typed.withColumn("_failed", failed).select(
        *(c for c in typed.columns if c not in dropped),
        pick(codes).alias("reason_code"),
        pick(details).alias("reason_detail"),
    )
