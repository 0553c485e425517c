"""Bytes are never changed: a record that is not UTF-8 is quarantined as `invalid_encoding` with
its exact bytes (base64), never curated with a replacement character; the replacement character
written as such is text like any other."""

import base64

import pytest
from partition_runs import run_partition, source_dir

HEADER = b"product_id,product_name,category,price,quantity,updated_at\n"
TS = b"2026-11-21T08:00:00Z"
LATIN1 = b"P-1,Caf\xe9,toys,1.00,1," + TS  # a Latin-1 e-acute
TRUNCATED = b'P-2,"Kawaii \xe5\x8f",toys,1.00,1,' + TS  # a UTF-8 character cut short, in quotes
MULTI_LINE = b'P-3,"two\nlines \xff",toys,1.00,1,' + TS
LITERAL_REPLACEMENT = "P-4,Caf\ufffd,toys,1.00,1,".encode() + TS


@pytest.fixture(scope="module")
def run(spark, tmp_path_factory):
    root = tmp_path_factory.mktemp("bytes")
    source_dir(root).mkdir(parents=True)
    (source_dir(root) / "feed.csv").write_bytes(
        HEADER + b"\n".join([LATIN1, TRUNCATED, MULTI_LINE, LITERAL_REPLACEMENT]) + b"\n")
    return run_partition(spark, root)


@pytest.mark.parametrize(("line_number", "raw"), [(2, LATIN1), (3, TRUNCATED), (4, MULTI_LINE)],
                         ids=["latin-1", "truncated", "multi-line"])
def test_a_record_that_is_not_utf8_is_quarantined_with_its_exact_bytes(run, line_number, raw):
    record = run.quarantined("feed.csv", line_number)
    assert (record["reason_code"], record["reason_detail"]) == ("invalid_encoding", None)
    assert record["raw_line"] is None
    assert base64.b64decode(record["raw_bytes_base64"]) == raw


def test_nothing_is_curated_with_a_replaced_byte_and_every_record_is_counted(run):
    assert [row["product_name"] for row in run.curated] == ["Caf\ufffd"]  # written so by the producer
    assert run.manifest["rows_read"] == 4
    assert run.manifest["quarantined_by_reason"] == {"invalid_encoding": 3}


# Byte sequences Java's decoder (and so Spark's decode) replaces: the forms Unicode's Table 3-7
# rules out, each in an otherwise valid record. ClassifyRecord checks them by hand, without decoding.
ILL_FORMED = {
    "overlong slash": b"\xc0\xaf",
    "overlong three-byte": b"\xe0\x80\xaf",
    "surrogate half": b"\xed\xa0\x80",
    "above U+10FFFF": b"\xf4\x90\x80\x80",
    "five-byte lead": b"\xf8\x88\x80\x80\x80",
    "lone continuation": b"\x80",
    "cut short at the end": b"\xe2\x82",
}
WELL_FORMED = {"two-byte": "é", "three-byte": "€", "four-byte": "😀", "noncharacter": "\ufffe", "last scalar": "\U0010ffff"}


@pytest.fixture(scope="module")
def forms(spark, tmp_path_factory):
    root = tmp_path_factory.mktemp("utf8-forms")
    source_dir(root).mkdir(parents=True)
    lines = [f"B-{i},Name ".encode() + raw + b",toys,1.00,1," + TS for i, raw in enumerate(ILL_FORMED.values())]
    lines += [f"G-{i},Name {text}".encode() + b",toys,1.00,1," + TS for i, text in enumerate(WELL_FORMED.values())]
    (source_dir(root) / "feed.csv").write_bytes(HEADER + b"\n".join(lines))  # the last line ends the file
    return run_partition(spark, root)


def test_every_ill_formed_utf8_sequence_is_invalid_encoding_and_every_well_formed_one_is_kept(forms):
    assert forms.manifest["quarantined_by_reason"] == {"invalid_encoding": len(ILL_FORMED)}
    for line_number, raw in enumerate(ILL_FORMED.values(), start=2):
        record = forms.quarantined("feed.csv", line_number)
        assert base64.b64decode(record["raw_bytes_base64"]).split(b",")[1] == b"Name " + raw
    assert sorted(row["product_name"] for row in forms.curated) == sorted(f"Name {t}" for t in WELL_FORMED.values())
