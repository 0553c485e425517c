"""Reading a partition: which files count as data, line endings, and exact line numbers when
Spark splits one file over many tasks."""

import pytest
from generate_products import BAD_KINDS, generate_products
from partition_runs import run_partition, source_dir, write_feed
from xetl_transform import classify, file_layouts, first_line, list_data_files, number_lines, read_lines

GOOD = "P-1,Chair,toys,1.00,1,2026-11-21T08:00:00Z"


@pytest.fixture
def small_splits(spark):
    """Splits of a few KB, so that one file is read by many tasks."""
    saved = {k: spark.conf.get(k) for k in ("spark.sql.files.maxPartitionBytes", "spark.sql.files.openCostInBytes")}
    spark.conf.set("spark.sql.files.maxPartitionBytes", "4096")
    spark.conf.set("spark.sql.files.openCostInBytes", "0")
    yield
    for key, value in saved.items():
        spark.conf.set(key, value)


def test_line_numbers_stay_exact_when_a_file_is_split_across_many_tasks(spark, tmp_path, small_splits):
    # Every kind of bad record but bytes that are not UTF-8, so that the lines compare as text.
    kinds = [kind for kind in BAD_KINDS if kind != "invalid_encoding"]
    expected = generate_products(tmp_path, rows=3000, date="2026-11-21", files=2, bad_ratio=0.2, seed=11, kinds=kinds)
    files = list_data_files(spark, tmp_path.as_uri()).data_files
    layouts = file_layouts(spark, files, "ignore")
    lines = classify(read_lines(spark, files), layouts)
    numbering = number_lines(lines, [layout.has_header for layout in layouts])
    numbered = numbering.with_line_numbers(numbering.without_headers(lines)).collect()

    assert len({(r["file_index"], r["block_start"]) for r in numbered}) > 10, "the files were not split"
    assert numbering.data_lines == expected.rows_read == len(numbered)
    actual = {(files[r["file_index"]].path.rsplit("/", 1)[1], r["line_number"]): r["raw_line"] for r in numbered}
    for path in expected.files:
        for number, text in enumerate(path.read_text(encoding="utf-8").split("\n")[1:-1], start=2):
            assert actual[(path.name, number)] == text


def test_markers_hidden_files_and_non_csv_files_are_not_data(spark, tmp_path):
    for name in ("_SUCCESS", ".feed.csv.crc", "notes.txt"):
        (tmp_path / name).write_text("x\n")
    write_feed(tmp_path, "feed [1].csv", [GOOD])  # glob characters in a name are read literally
    listing = list_data_files(spark, tmp_path.as_uri())
    assert [f.path.rsplit("/", 1)[1] for f in listing.data_files] == ["feed [1].csv"]
    assert [p.rsplit("/", 1)[1] for p in listing.ignored] == ["notes.txt"]
    assert read_lines(spark, listing.data_files).count() == 2


def test_the_first_line_is_read_as_bytes_up_to_its_line_feed(spark, tmp_path):
    (tmp_path / "crlf.csv").write_bytes(b"a,b\r\nc\r\n")
    (tmp_path / "latin1.csv").write_bytes(b"caf\xe9\nx")
    (tmp_path / "one-line.csv").write_bytes(b"no line feed")
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "long.csv").write_bytes(b"x" * 200_000 + b"\ny\n")
    by_name = {f.path.rsplit("/", 1)[1]: f.path for f in list_data_files(spark, tmp_path.as_uri()).data_files}
    assert first_line(spark, by_name["crlf.csv"]) == b"a,b\r"
    assert first_line(spark, by_name["latin1.csv"]) == b"caf\xe9"
    assert first_line(spark, by_name["one-line.csv"]) == b"no line feed"
    assert first_line(spark, by_name["empty.csv"]) is None
    assert first_line(spark, by_name["long.csv"]) == b"x" * 200_000


def test_a_byte_order_mark_quoted_header_and_crlf_line_ends_are_read_as_plain_lines(spark, tmp_path):
    header = '\ufeff"product_id","product_name","category","price","quantity","updated_at"'
    write_feed(source_dir(tmp_path), "windows.csv", [GOOD, "P-2,Desk,,2.00,1,bad"], header=header, newline="\r\n")
    run = run_partition(spark, tmp_path)
    assert [r["product_id"] for r in run.curated] == ["P-1"]
    assert run.quarantine[0]["raw_line"] == "P-2,Desk,,2.00,1,bad"
    assert run.quarantine[0]["line_number"] == 3


def test_an_empty_file_adds_no_rows_and_no_header_error(spark, tmp_path):
    write_feed(source_dir(tmp_path), "feed-1.csv", [GOOD])
    (source_dir(tmp_path) / "feed-2.csv").write_bytes(b"")
    run = run_partition(spark, tmp_path)
    assert run.manifest["rows_read"] == 1
    assert len(run.manifest["source_files"]) == 2
    assert run.manifest["rejected_files"] == []
