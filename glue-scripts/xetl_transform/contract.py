"""The products feed as docs/data-contract.md declares it: columns, limits, reason codes, outputs.

Everything else in the package takes these names from here, so a change to the contract is a
change to this file (and to the tests that pin it).
"""

from pyspark.sql.types import (
    DateType,
    DecimalType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

DATASET = "products"
SOURCE_COLUMNS = ("product_id", "product_name", "category", "price", "quantity", "updated_at")
REQUIRED_COLUMNS = ("product_id", "product_name", "price", "quantity", "updated_at")

# The record rules (the key, decimal, integer and timestamp grammars, control characters, lengths)
# are applied by glue-scripts/jvm's ClassifyRecord.java in one pass over a record's bytes; it
# spells the names below as they are here (tests/test_jvm.py compares them), and
# docs/data-contract.md states the rules.
PRICE_TYPE = DecimalType(12, 2)
MAX_LENGTH = {"product_name": 256, "category": 64}

# Header rules (contract: Source feed). Names match ignoring case and surrounding spaces; extra
# columns are ignored (reported in the manifest) or, with UNKNOWN_COLUMNS_REJECT, reject the file.
UNKNOWN_COLUMNS_IGNORE = "ignore"
UNKNOWN_COLUMNS_REJECT = "reject"
UNKNOWN_COLUMNS_POLICIES = (UNKNOWN_COLUMNS_IGNORE, UNKNOWN_COLUMNS_REJECT)

# Reason codes in the contract's order: a record gets the first one that applies. The first four
# concern a whole file (every record of it gets the file's reason); the others one record.
MISSING_HEADER = "missing_header"
MISSING_COLUMN = "missing_column"
DUPLICATE_COLUMN = "duplicate_column"
UNKNOWN_COLUMN = "unknown_column"
UNTERMINATED_QUOTE = "unterminated_quote"
INVALID_ENCODING = "invalid_encoding"
WRONG_COLUMN_COUNT = "wrong_column_count"
CONTROL_CHARACTER = "control_character"
MISSING_REQUIRED = "missing_required"
INVALID_KEY = "invalid_key"
INVALID_DECIMAL = "invalid_decimal"
INVALID_INTEGER = "invalid_integer"
INVALID_TIMESTAMP = "invalid_timestamp"
VALUE_TOO_LONG = "value_too_long"
DUPLICATE_KEY = "duplicate_key"
FILE_REASON_CODES = (MISSING_HEADER, MISSING_COLUMN, DUPLICATE_COLUMN, UNKNOWN_COLUMN)
REASON_CODES = (
    *FILE_REASON_CODES,
    UNTERMINATED_QUOTE,
    INVALID_ENCODING,
    WRONG_COLUMN_COUNT,
    CONTROL_CHARACTER,
    MISSING_REQUIRED,
    INVALID_KEY,
    INVALID_DECIMAL,
    INVALID_INTEGER,
    INVALID_TIMESTAMP,
    VALUE_TOO_LONG,
    DUPLICATE_KEY,
)

CURATED_SCHEMA = StructType(
    [
        StructField("product_id", StringType()),
        StructField("product_name", StringType()),
        StructField("category", StringType()),
        StructField("price", PRICE_TYPE),
        StructField("quantity", IntegerType()),
        StructField("updated_at", TimestampType()),
        StructField("source_file", StringType()),
        StructField("partition_date", DateType()),
    ]
)

QUARANTINE_SCHEMA = StructType(
    [
        StructField("source_file", StringType()),
        StructField("line_number", LongType()),
        StructField("raw_line", StringType()),
        StructField("raw_bytes_base64", StringType()),
        StructField("reason_code", StringType()),
        StructField("reason_detail", StringType()),
        StructField("run_id", StringType()),
    ]
)
