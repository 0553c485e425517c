"""Header by name: columns are found by their names (case and surrounding spaces ignored, a byte
order mark stripped), in any order. A file without a header, or missing a required column, is
rejected whole: every record of it is quarantined with the file's reason, the manifest names the
file, and the other files of the partition are read as usual."""

import pytest
import xetl_products_job
from partition_runs import read_quarantine, run_partition, source_dir, write_feed
from test_job import job_args, staging_dir
from xetl_transform import layout_from_header

TS = "2026-11-21T08:00:00Z"
REORDERED = "\ufeff Updated_At ,PRICE,product_id,quantity,colour,product_name,category"


@pytest.mark.parametrize(("line", "positions", "width"), [
    (b"product_id,product_name,category,price,quantity,updated_at", [0, 1, 2, 3, 4, 5], 6),
    (REORDERED.encode("utf-8") + b"\r", [2, 5, 6, 1, 3, 0], 7),
    (b'"price","quantity","updated_at","product_name","product_id"', [4, 3, None, 0, 1, 2], 5),
])
def test_columns_are_found_by_name_in_any_order(line, positions, width):
    layout = layout_from_header(line)
    names = ("product_id", "product_name", "category", "price", "quantity", "updated_at")
    assert [layout.positions.get(name) for name in names] == positions
    assert (layout.width, layout.reason, layout.has_header) == (width, None, True)


@pytest.mark.parametrize(("line", "reason", "has_header"), [
    (b"id,product_name,category,price,quantity,updated_at", ("missing_column", "product_id"), True),
    (b"product_id,category", ("missing_column", "product_name,price,quantity,updated_at"), True),
    (b"product_id,product_name,price,quantity,updated_at,Price", ("duplicate_column", "price"), True),
    (b"P-1,Chair,toys,1.00,1,2026-11-21T08:00:00Z", ("missing_header", None), False),
    (b'product_id,"product_name', ("missing_header", None), False),
    (b"product_id,caf\xe9", ("missing_header", None), False),
])
def test_a_header_that_cannot_be_trusted_rejects_its_file_with_a_reason(line, reason, has_header):
    layout = layout_from_header(line)
    assert (layout.reason, layout.has_header) == (reason, has_header)


def test_unknown_columns_are_ignored_or_reject_the_file_by_setting():
    line = b"product_id,product_name,price,quantity,updated_at,colour,size"
    assert layout_from_header(line).unknown_columns == ("colour", "size")
    assert layout_from_header(line).reason is None
    assert layout_from_header(line, "reject").reason == ("unknown_column", "colour,size")


def test_an_empty_file_has_no_header_and_is_not_rejected():
    layout = layout_from_header(None)
    assert (layout.has_header, layout.reason) == (False, None)


@pytest.fixture(scope="module")
def run(spark, tmp_path_factory):
    root = tmp_path_factory.mktemp("headers")
    write_feed(source_dir(root), "a-good.csv", [f"P-1,Chair,toys,1.00,1,{TS}"])
    write_feed(source_dir(root), "b-reordered.csv", [f'{TS},2.50,P-2,2,red,"Desk, oak",', f"{TS},2.50,P-3,2,red"],
               header=REORDERED, newline="\r\n")
    write_feed(source_dir(root), "c-no-price.csv", [f"P-4,Lamp,toys,4,{TS}", f"P-5,Lamp,toys,5,{TS}"],
               header="product_id,product_name,category,quantity,updated_at")
    write_feed(source_dir(root), "d-no-header.csv", [f"P-7,Sofa,toys,7.00,7,{TS}"], header=f"P-6,Sofa,toys,6.00,6,{TS}")
    return run_partition(spark, root)


def test_a_file_with_its_columns_in_another_order_is_read_by_name(run):
    desk = run.curated_by_key("P-2")[0]
    assert (desk["product_name"], desk["category"], str(desk["price"]), desk["quantity"]) == ("Desk, oak", None, "2.50", 2)
    assert run.quarantined("b-reordered.csv", 3)["reason_code"] == "wrong_column_count"  # 5 fields, the header has 7


def test_a_file_missing_a_required_column_is_quarantined_whole_naming_the_column(run):
    for line_number in (2, 3):
        record = run.quarantined("c-no-price.csv", line_number)
        assert (record["reason_code"], record["reason_detail"]) == ("missing_column", "price")


def test_a_file_without_a_header_is_quarantined_whole_from_line_1(run):
    assert [run.quarantined("d-no-header.csv", n)["reason_code"] for n in (1, 2)] == ["missing_header"] * 2
    assert run.quarantined("d-no-header.csv", 1)["raw_line"] == f"P-6,Sofa,toys,6.00,6,{TS}"


def test_the_good_files_of_the_partition_are_curated_and_the_manifest_names_every_rejected_file(run):
    assert sorted(row["product_id"] for row in run.curated) == ["P-1", "P-2"]
    assert run.manifest["rows_read"] == 1 + 2 + 2 + 2
    assert [(f["source_file"].rsplit("/", 1)[1], f["reason_code"], f["reason_detail"])
            for f in run.manifest["rejected_files"]] == [
        ("c-no-price.csv", "missing_column", "price"), ("d-no-header.csv", "missing_header", None)]
    assert {k.rsplit("/", 1)[1]: v for k, v in run.manifest["ignored_columns"].items()} == {"b-reordered.csv": ["colour"]}


def test_unknown_columns_reject_the_file_when_the_job_is_told_so(spark, tmp_path):
    write_feed(source_dir(tmp_path), "feed-1.csv", [f"P-1,Chair,toys,1.00,1,{TS},red"],
               header="product_id,product_name,category,price,quantity,updated_at,colour")
    manifest = xetl_products_job.main([*job_args(tmp_path), "--unknown_columns", "reject"], spark=spark)
    assert manifest["quarantined_by_reason"] == {"unknown_column": 1}
    [record] = read_quarantine(staging_dir(tmp_path, "quarantine"))
    assert (record["reason_code"], record["reason_detail"]) == ("unknown_column", "colour")
