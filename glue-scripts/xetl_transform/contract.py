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

# Java regular expressions (Spark's rlike). \z is the absolute end: Java's $ also matches before a
# final line break, which a quoted field may hold.
KEY_PATTERN = r"^[A-Za-z0-9_-]{1,64}\z"
PRICE_TYPE = DecimalType(12, 2)
# Plain decimal: digits, optionally a point and one or two digits; no sign, exponent or spaces.
PRICE_PATTERN = r"^[0-9]+(\.[0-9]{1,2})?\z"
QUANTITY_PATTERN = r"^[0-9]+\z"
# YYYY-MM-DDTHH:MM:SS[.ffffff][Z|+00:00]; a value without an offset is UTC.
TIMESTAMP_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|\+00:00)?\z"
MAX_LENGTH = {"product_name": 256, "category": 64}

# Header rules (contract: Source feed). Names match ignoring case and surrounding spaces; extra
# columns are ignored (reported in the manifest) or, with UNKNOWN_COLUMNS_REJECT, reject the file.
UNKNOWN_COLUMNS_IGNORE = "ignore"
UNKNOWN_COLUMNS_REJECT = "reject"
UNKNOWN_COLUMNS_POLICIES = (UNKNOWN_COLUMNS_IGNORE, UNKNOWN_COLUMNS_REJECT)

# C0 control characters a field may not hold: all but tab; a line break inside a quoted field is
# LF or CRLF, so CR is allowed only right before LF.
CONTROL_CHARACTER_PATTERN = r"[\x00-\x08\x0B\x0C\x0E-\x1F]|\r(?!\n)"

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
