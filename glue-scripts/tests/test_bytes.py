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
