"""Each kind of bad line lands in quarantine with the contract's reason, detail and untouched raw
line; valid lines are curated with their parsed values. One partition holds every case and the
job runs on it once."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pyarrow as pa
import pytest
from partition_runs import run_partition, source_dir, write_feed

OK_TS = "2026-11-21T08:00:00Z"
LONG_NAME = "é" * 257  # too long in characters, whatever its bytes

# (case id, raw line, expected reason_code, expected reason_detail)
BAD_LINES = [
    ("unquoted comma makes seven fields", f"W-001,Chair, oak,furniture,12.50,3,{OK_TS}", "wrong_column_count", None),
    ("five fields", f"W-002,Chair,12.50,3,{OK_TS}", "wrong_column_count", None),
    ("blank line", "", "wrong_column_count", None),
    ("unclosed quote", f'"W-004,Chair,furniture,12.50,3,{OK_TS}', "unterminated_quote", None),
    ("text after a closing quote", f'W-006,"Chair"oak,furniture,12.50,3,{OK_TS}', "unterminated_quote", None),
    ("NUL in a name", f"C-001,Ch\x00air,furniture,12.50,3,{OK_TS}", "control_character", "product_name"),
    ("escape in a category", f"C-002,Chair,furn\x1biture,12.50,3,{OK_TS}", "control_character", "category"),
    ("lone CR in a quoted name", f'C-003,"Ch\rair",furniture,12.50,3,{OK_TS}', "control_character", "product_name"),
    ("control character before a bad key", f"C\x00004,Chair,furniture,12.50,3,{OK_TS}", "control_character",
     "product_id"),
    ("control character before an empty key", f",Ch\x07air,furniture,12.50,3,{OK_TS}", "control_character",
     "product_name"),
    ("control character in a timestamp", f"C-006,Chair,furniture,12.50,3,{OK_TS}\x0c", "control_character",
     "updated_at"),
    ("quoted fields plus an extra one", f'W-005,"Chair, oak",furniture,12.50,3,{OK_TS},x', "wrong_column_count", None),
    ("empty key", f",Chair,furniture,12.50,3,{OK_TS}", "missing_required", "product_id"),
    ("quoted empty name", f'M-002,"",furniture,12.50,3,{OK_TS}', "missing_required", "product_name"),
    ("empty price", f"M-003,Chair,furniture,,3,{OK_TS}", "missing_required", "price"),
    ("empty quantity", f"M-004,Chair,furniture,12.50,,{OK_TS}", "missing_required", "quantity"),
    ("empty timestamp", "M-005,Chair,furniture,12.50,3,", "missing_required", "updated_at"),
    ("space in key", f"K 001,Chair,furniture,12.50,3,{OK_TS}", "invalid_key", "product_id"),
    ("hash in key", f"K#002,Chair,furniture,12.50,3,{OK_TS}", "invalid_key", "product_id"),
    ("non-ASCII key", f"Ü-003,Chair,furniture,12.50,3,{OK_TS}", "invalid_key", "product_id"),
    ("65-character key", f"{'K' * 65},Chair,furniture,12.50,3,{OK_TS}", "invalid_key", "product_id"),
    ("letters as price", f"D-001,Chair,furniture,abc,3,{OK_TS}", "invalid_decimal", "price"),
    ("three fraction digits", f"D-002,Chair,furniture,12.345,3,{OK_TS}", "invalid_decimal", "price"),
    ("negative price", f"D-003,Chair,furniture,-3.50,3,{OK_TS}", "invalid_decimal", "price"),
    ("decimal comma", f'D-004,Chair,furniture,"1,50",3,{OK_TS}', "invalid_decimal", "price"),
    ("eleven integer digits", f"D-005,Chair,furniture,12345678901.00,3,{OK_TS}", "invalid_decimal", "price"),
    ("exponent", f"D-006,Chair,furniture,1e3,3,{OK_TS}", "invalid_decimal", "price"),
    ("padded price", f"D-007,Chair,furniture, 3.50,3,{OK_TS}", "invalid_decimal", "price"),
    ("fractional quantity", f"I-001,Chair,furniture,1.00,3.0,{OK_TS}", "invalid_integer", "quantity"),
    ("negative quantity", f"I-002,Chair,furniture,1.00,-1,{OK_TS}", "invalid_integer", "quantity"),
    ("quantity past 32 bits", f"I-003,Chair,furniture,1.00,2147483648,{OK_TS}", "invalid_integer", "quantity"),
    ("words as quantity", f"I-004,Chair,furniture,1.00,ten,{OK_TS}", "invalid_integer", "quantity"),
    ("space instead of T", "T-001,Chair,furniture,1.00,1,2026-11-21 08:00:00", "invalid_timestamp", "updated_at"),
    ("month 13", "T-002,Chair,furniture,1.00,1,2026-13-01T00:00:00Z", "invalid_timestamp", "updated_at"),
    ("February 30", "T-003,Chair,furniture,1.00,1,2026-02-30T00:00:00Z", "invalid_timestamp", "updated_at"),
    ("hour 24", "T-004,Chair,furniture,1.00,1,2026-11-21T24:00:00Z", "invalid_timestamp", "updated_at"),
    ("offset not UTC", "T-005,Chair,furniture,1.00,1,2026-11-21T08:00:00+02:00", "invalid_timestamp", "updated_at"),
    ("seven fraction digits", "T-006,Chair,furniture,1.00,1,2026-11-21T08:00:00.1234567Z", "invalid_timestamp",
     "updated_at"),
    ("day first", "T-007,Chair,furniture,1.00,1,21/11/2026 08:00", "invalid_timestamp", "updated_at"),
    ("257-character name", f"L-001,{LONG_NAME},furniture,1.00,1,{OK_TS}", "value_too_long", "product_name"),
    ("65-character category", f"L-002,Chair,{'c' * 65},1.00,1,{OK_TS}", "value_too_long", "category"),
    # Several faults: the earliest reason in the contract's order is the one recorded.
    ("empty name before bad price", f"F-001,,furniture,abc,3,{OK_TS}", "missing_required", "product_name"),
    ("bad key before bad price", "F 002,Chair,furniture,abc,x,bad", "invalid_key", "product_id"),
    ("bad price before bad quantity", "F-003,Chair,furniture,abc,x,bad", "invalid_decimal", "price"),
    ("bad quantity before bad timestamp", "F-004,Chair,furniture,1.00,x,bad", "invalid_integer", "quantity"),
    ("bad timestamp before long name", f"F-005,{LONG_NAME},furniture,1.00,1,bad", "invalid_timestamp", "updated_at"),
]

GOOD_LINES = [
    f'V-001,"Chair, oak ""Émile"" 椅子",furniture,12.50,3,{OK_TS}',
    "V-002,Lamp,,0,0,2026-11-21T08:00:00.123456+00:00",
    'V-003,Desk,"",7.5,2147483647,2026-11-21T23:59:59',
    f"{'K' * 61}-_9,{'ß' * 256},{'c' * 64},9999999999.99,1,2026-11-21T00:00:00.5Z",
    "V-004,Chair\twith a tab,\t,1.00,1,2026-11-21T00:00:00Z",  # tab is the one allowed control character
]


@pytest.fixture(scope="module")
def run(spark, tmp_path_factory):
    root = tmp_path_factory.mktemp("validation")
    write_feed(source_dir(root), "feed-1.csv", [line for _, line, _, _ in BAD_LINES] + GOOD_LINES)
    return run_partition(spark, root, run_id="validation-run")


def line_number_of(index: int) -> int:
    return index + 2  # the header is line 1


@pytest.mark.parametrize(("index", "case"), list(enumerate(BAD_LINES)), ids=[c[0] for c in BAD_LINES])
def test_each_bad_line_is_quarantined_with_its_reason_and_untouched_raw_line(run, index, case):
    _, raw_line, reason_code, reason_detail = case
    record = run.quarantined("feed-1.csv", line_number_of(index))
    assert record is not None, f"line {line_number_of(index)} was not quarantined"
    assert record == {
        "source_file": record["source_file"],
        "line_number": line_number_of(index),
        "raw_line": raw_line,
        "raw_bytes_base64": None,
        "reason_code": reason_code,
        "reason_detail": reason_detail,
        "run_id": "validation-run",
    }
    assert record["source_file"].startswith("file:/") and record["source_file"].endswith("/day=21/feed-1.csv")


def test_only_the_bad_lines_are_quarantined_and_every_line_is_accounted_for(run):
    assert len(run.quarantine) == len(BAD_LINES)
    assert run.manifest["rows_read"] == len(BAD_LINES) + len(GOOD_LINES)
    assert run.manifest["rows_curated"] == len(GOOD_LINES) == len(run.curated)
    assert run.manifest["rows_read"] == run.manifest["rows_curated"] + run.manifest["rows_quarantined"]


def test_valid_lines_are_curated_with_unquoted_text_and_typed_values(run):
    by_key = {row["product_id"]: row for row in run.curated}
    chair = by_key["V-001"]
    assert chair["product_name"] == 'Chair, oak "Émile" 椅子'
    assert chair["price"] == Decimal("12.50")
    assert chair["quantity"] == 3
    assert chair["updated_at"] == datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
    assert chair["partition_date"] == date(2026, 11, 21)
    assert chair["source_file"].endswith("/feed-1.csv")


def test_a_tab_is_kept_as_written(run):
    by_key = {row["product_id"]: row for row in run.curated}
    assert (by_key["V-004"]["product_name"], by_key["V-004"]["category"]) == ("Chair\twith a tab", "\t")


def test_empty_category_is_null_and_every_utc_spelling_of_time_is_the_same_instant(run):
    by_key = {row["product_id"]: row for row in run.curated}
    assert by_key["V-002"]["category"] is None
    assert by_key["V-003"]["category"] is None
    assert by_key["V-002"]["updated_at"] == datetime(2026, 11, 21, 8, 0, 0, 123456, tzinfo=UTC)
    assert by_key["V-003"]["updated_at"] == datetime(2026, 11, 21, 23, 59, 59, tzinfo=UTC)
    assert by_key["V-002"]["price"] == Decimal("0.00")
    assert by_key["V-003"]["price"] == Decimal("7.50")


def test_values_exactly_at_their_limits_are_valid(run):
    at_limits = next(row for row in run.curated if row["product_id"].startswith("KKK"))
    assert len(at_limits["product_id"]) == 64
    assert at_limits["product_name"] == "ß" * 256
    assert at_limits["category"] == "c" * 64
    assert at_limits["price"] == Decimal("9999999999.99")
    assert next(r for r in run.curated if r["product_id"] == "V-003")["quantity"] == 2147483647


def test_curated_parquet_has_the_contract_columns_and_types(run):
    schema = run.curated_schema
    assert schema.names == ["product_id", "product_name", "category", "price", "quantity", "updated_at",
                            "source_file", "partition_date"]
    assert schema.field("price").type == pa.decimal128(12, 2)
    assert schema.field("quantity").type == pa.int32()
    assert schema.field("updated_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("partition_date").type == pa.date32()
