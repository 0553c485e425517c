"""The de-duplication rule: among valid rows sharing a product_id the latest updated_at wins; ties
go to the greatest (source_file, line_number); every other valid row is a duplicate_key."""

import pytest
from partition_runs import classified_lines, run_partition, source_dir, splits_of, write_feed


def row(key: str, label: str, updated_at: str, price: str = "1.00") -> str:
    return f"{key},{label},toys,{price},1,{updated_at}"


# feed-a.csv sorts before feed-b.csv; the comment is each line's number.
FEED_A = [
    row("A1", "a2", "2026-11-21T10:00:00Z"),  # 2  newer than feed-b line 2
    row("U1", "a3", "2026-11-21T05:00:00Z"),  # 3  unique
    row("A3", "a4", "2026-11-21T11:00:00Z"),  # 4  tie with line 6
    row("A4", "a5", "2026-11-21T07:00:00Z"),  # 5  the same instant as lines 7 and 8
    row("A3", "a6", "2026-11-21T11:00:00Z"),  # 6
    row("A4", "a7", "2026-11-21T07:00:00+00:00"),  # 7
    row("A4", "a8", "2026-11-21T07:00:00"),  # 8
    row("A5", "a9", "2026-11-21T01:00:00Z"),  # 9  the only valid A5
    row("A2", "a10", "2026-11-21T12:00:00Z"),  # 10 tie with feed-b line 3
    row("A6", "a11", "2026-11-21T08:00:00.000001Z"),  # 11 one microsecond newer than feed-b line 5
]
FEED_B = [
    row("A1", "b2", "2026-11-21T09:00:00Z"),  # 2
    row("A2", "b3", "2026-11-21T12:00:00Z"),  # 3
    row("A5", "b4", "2026-11-21T23:00:00Z", price="abc"),  # 4 newest, but invalid
    row("A6", "b5", "2026-11-21T08:00:00Z"),  # 5
]


@pytest.fixture(scope="module")
def run(spark, tmp_path_factory):
    root = tmp_path_factory.mktemp("dedup")
    # Written in the "wrong" order on purpose: file names decide, not creation order.
    write_feed(source_dir(root), "feed-b.csv", FEED_B)
    write_feed(source_dir(root), "feed-a.csv", FEED_A)
    # Splits of about two lines: rows of one key reach the tie-break from different tasks.
    with splits_of(spark, 100):
        return run_partition(spark, root)


def curated_label(run, key: str) -> str:
    rows = run.curated_by_key(key)
    assert len(rows) == 1, f"{key} should be curated exactly once, got {rows}"
    return rows[0]["product_name"]


def assert_duplicate(run, name: str, line_number: int) -> None:
    record = run.quarantined(name, line_number)
    assert record is not None, f"{name}:{line_number} should be quarantined"
    assert (record["reason_code"], record["reason_detail"]) == ("duplicate_key", "product_id")


def test_the_latest_updated_at_wins_wherever_the_row_is(run):
    assert curated_label(run, "A1") == "a2"
    assert_duplicate(run, "feed-b.csv", 2)


def test_a_microsecond_is_enough_to_be_later(run):
    assert curated_label(run, "A6") == "a11"
    assert_duplicate(run, "feed-b.csv", 5)


def test_on_a_tie_the_later_file_wins_even_from_an_earlier_line(run):
    assert curated_label(run, "A2") == "b3"
    assert_duplicate(run, "feed-a.csv", 10)


def test_on_a_tie_within_one_file_the_later_line_wins(run):
    assert curated_label(run, "A3") == "a6"
    assert_duplicate(run, "feed-a.csv", 4)


def test_one_instant_written_three_ways_is_a_tie_and_leaves_two_duplicates(run):
    assert curated_label(run, "A4") == "a8"
    assert_duplicate(run, "feed-a.csv", 5)
    assert_duplicate(run, "feed-a.csv", 7)


def test_invalid_rows_neither_win_nor_count_as_duplicates(run):
    assert curated_label(run, "A5") == "a9"
    assert run.quarantined("feed-a.csv", 9) is None
    assert run.quarantined("feed-b.csv", 4)["reason_code"] == "invalid_decimal"


def test_every_line_is_either_curated_or_quarantined(run):
    assert curated_label(run, "U1") == "a3"
    assert run.manifest["rows_read"] == len(FEED_A) + len(FEED_B) == len(run.curated) + len(run.quarantine)
    assert run.manifest["quarantined_by_reason"] == {"invalid_decimal": 1, "duplicate_key": 6}


def test_without_broadcasts_the_same_rows_are_marked(spark, tmp_path):
    """A feed with very many repeated keys joins by shuffle instead of broadcast: same outcome."""
    from xetl_transform import mark_duplicates

    write_feed(tmp_path, "feed-b.csv", FEED_B)
    write_feed(tmp_path, "feed-a.csv", FEED_A)
    classified = classified_lines(spark, tmp_path).localCheckpoint()

    def reasons(**options):
        return {r["row_id"]: r["reason_code"] for r in mark_duplicates(classified, **options).collect()}

    by_shuffle = reasons(broadcast_limit=0)
    assert by_shuffle == reasons()
    assert list(by_shuffle.values()).count("duplicate_key") == 6
