"""Records, not lines: quoted fields may hold commas, doubled quotes and line breaks (LF or CRLF);
a record keeps the number of its first line; an unterminated quote costs its own line only,
with the reason `unterminated_quote`, and reading resumes at the next line."""

import pytest
from partition_runs import run_partition, source_dir, splits_of
from xetl_transform import pipeline
from xetl_transform.records import BROKEN, CLOSED, OPEN, find_spans

TS = "2026-11-21T08:00:00Z"


def feed(newline: str) -> bytes:
    lines = [
        "product_id,product_name,category,price,quantity,updated_at",  # 1
        f"P-1,Chair,toys,1.00,1,{TS}",  # 2
        f'P-2,"Chair{newline}with a note",toys,2.00,2,{TS}',  # 3-4
        f'P-3,"three{newline}""quoted"", with commas,{newline}lines",toys,3.00,3,{TS}',  # 5-7
        f'P-4,"never closed,toys,4.00,4,{TS}',  # 8: broken by line 10's quote
        f"P-5,Lamp,toys,5.00,5,{TS}",  # 9
        f'P-6,"Desk, oak",toys,6.00,6,{TS}',  # 10
        f'P-7,"a note{newline}{newline}",toys,7.00,7,{TS}',  # 11-13: a blank line inside a field
        f'"P-8","first{newline}second",{newline}"toys",8.00,8,{TS}',  # 14-15, 16: the break after a comma ends it
        f'P-9,"open at the end{newline}no quote follows,toys,9.00,9,{TS}',  # 17, 18: reaches the end of the file
    ]
    return (newline.join(lines) + newline).encode("utf-8")


@pytest.fixture(scope="module", params=["\n", "\r\n"], ids=["LF", "CRLF"])
def newline(request):
    return request.param


@pytest.fixture(scope="module", params=[None, 64], ids=["whole files", "64-byte splits"])
def run(spark, tmp_path_factory, newline, request):
    root = tmp_path_factory.mktemp("records")
    source_dir(root).mkdir(parents=True)
    (source_dir(root) / "feed.csv").write_bytes(feed(newline))
    with splits_of(spark, request.param):  # 64 bytes: records cross the boundaries of the tasks
        return run_partition(spark, root)


def names(run) -> dict[str, str]:
    return {row["product_id"]: row["product_name"] for row in run.curated}


def test_a_quoted_field_keeps_its_line_breaks_as_written(run, newline):
    assert names(run)["P-2"] == f"Chair{newline}with a note"
    assert names(run)["P-3"] == f'three{newline}"quoted", with commas,{newline}lines'
    assert names(run)["P-7"] == f"a note{newline}{newline}"


def test_single_line_records_around_multi_line_ones_are_read_as_they_are(run):
    assert names(run)["P-1"] == "Chair"
    assert names(run)["P-6"] == "Desk, oak"


def test_an_unterminated_quote_quarantines_its_own_line_and_reading_resumes_at_the_next(run):
    assert run.quarantined("feed.csv", 8)["reason_code"] == "unterminated_quote"
    assert run.quarantined("feed.csv", 8)["raw_line"] == 'P-4,"never closed,toys,4.00,4,' + TS
    assert names(run)["P-5"] == "Lamp"  # line 9 was not swallowed


def test_a_quote_still_open_at_the_end_of_the_file_costs_its_line_and_the_rest_is_read(run):
    assert run.quarantined("feed.csv", 17)["reason_code"] == "unterminated_quote"
    tail = run.quarantined("feed.csv", 18)
    assert (tail["reason_code"], tail["raw_line"]) == ("wrong_column_count", f"no quote follows,toys,9.00,9,{TS}")


def test_a_line_break_outside_quotes_ends_the_record_even_inside_a_multi_line_one(run, newline):
    broken = run.quarantined("feed.csv", 14)
    assert (broken["reason_code"], broken["raw_line"]) == ("wrong_column_count", f'"P-8","first{newline}second",')
    assert run.quarantined("feed.csv", 16)["raw_line"] == f'"toys",8.00,8,{TS}'


def test_records_are_counted_not_lines_and_numbered_by_their_first_line(run):
    assert run.manifest["rows_read"] == 11  # 18 lines: a header, and 6 lines joined to the line above
    assert [(q["line_number"], q["reason_code"]) for q in run.quarantine] == [
        (8, "unterminated_quote"), (14, "wrong_column_count"), (16, "wrong_column_count"), (17, "unterminated_quote"),
        (18, "wrong_column_count")]
    assert sorted(names(run)) == ["P-1", "P-2", "P-3", "P-5", "P-6", "P-7"]


def test_a_fetch_too_large_to_bring_text_brings_only_the_joined_lines_text_afterwards(spark, tmp_path, monkeypatch):
    # Beyond TEXT_FETCH_LIMIT lines a fetch brings states only (a file full of stray quotes must
    # not bring the partition's text to the driver); the joined lines' text then comes in one job.
    monkeypatch.setattr(pipeline, "TEXT_FETCH_LIMIT", 0)
    source_dir(tmp_path).mkdir(parents=True)
    (source_dir(tmp_path) / "feed.csv").write_bytes(feed("\n"))
    result = run_partition(spark, tmp_path)
    assert names(result)["P-3"] == 'three\n"quoted", with commas,\nlines'
    assert result.manifest["rows_read"] == 11
    assert [q["line_number"] for q in result.quarantine] == [8, 14, 16, 17, 18]


def spans(openers, states: dict[int, int], last_line: int):
    asked = []

    def fetch(lines):
        asked.append(lines)
        return {line: states[line[1]] for line in lines if line[1] in states}

    return [(first[1], last[1]) for first, last in find_spans([(0, n) for n in openers], {0: last_line}, fetch)], asked


def test_spans_follow_openers_through_lines_that_keep_a_field_open():
    # Opener 1: line 2 keeps the field open, line 3 closes it. Opener 6 breaks at 7, opener 9
    # reaches the end of the file (line 10) still open.
    states = {2: OPEN, 3: CLOSED, 4: CLOSED, 7: BROKEN, 8: BROKEN, 10: OPEN}
    found, asked = spans([1, 6, 9], states, last_line=10)
    assert found == [(1, 3)]
    assert len(asked) == 1  # the lines of all openers in one fetch


def test_an_opener_inside_an_earlier_record_starts_nothing():
    # Line 2 closes line 1's field and opens another (its state from a record's start is OPEN).
    assert spans([1, 2], {2: CLOSED, 3: CLOSED}, last_line=5)[0] == [(1, 2)]


def test_a_long_open_field_is_fetched_in_growing_windows():
    found, asked = spans([1], {n: OPEN for n in range(2, 200)} | {200: CLOSED}, last_line=300)
    assert found == [(1, 200)]
    assert [len(lines) for lines in asked] == [8, 64, 300 - 73]  # lines 2-9, 10-73, then up to the end
