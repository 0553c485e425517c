"""The sample feed generator: deterministic, shaped like the contract's feed, and honest about
what a correct pipeline must make of it."""

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from generate_products import BAD_KINDS, HEADER, generate_products

SCRIPT = Path(__file__).resolve().parents[1] / "generate_products.py"


def read(path: Path) -> str:
    """The file's text; a byte that is not UTF-8 (invalid_encoding rows) as a surrogate escape."""
    return path.read_text(encoding="utf-8", errors="surrogateescape")


def data_lines(paths):
    return [(p.name, n, line) for p in paths for n, line in enumerate(read(p).split("\n")[1:-1], start=2)]


def test_the_same_arguments_write_the_same_bytes(tmp_path):
    one = generate_products(tmp_path / "one", rows=2000, date="2026-11-21", files=2, bad_ratio=0.2, seed=3)
    two = generate_products(tmp_path / "two", rows=2000, date="2026-11-21", files=2, bad_ratio=0.2, seed=3)
    assert [p.read_bytes() for p in one.files] == [p.read_bytes() for p in two.files]
    assert one.quarantined_lines == two.quarantined_lines


def test_another_seed_writes_another_feed(tmp_path):
    one = generate_products(tmp_path / "one", rows=500, date="2026-11-21", seed=1)
    two = generate_products(tmp_path / "two", rows=500, date="2026-11-21", seed=2)
    assert one.files[0].read_bytes() != two.files[0].read_bytes()


def test_rows_are_spread_over_the_files_each_with_the_header_and_a_final_newline(tmp_path):
    expected = generate_products(tmp_path, rows=1001, date="2026-11-21", files=3)
    assert [p.name for p in expected.files] == [f"products-2026-11-21-00{i}.csv" for i in (1, 2, 3)]
    for path in expected.files:
        text = read(path)
        assert text.startswith(HEADER + "\n") and text.endswith("\n") and "\r" not in text
    assert len(data_lines(expected.files)) == expected.rows_read == 1001


def test_a_clean_feed_is_all_curated_and_has_unique_keys(tmp_path):
    expected = generate_products(tmp_path, rows=3000, date="2026-11-21", files=2)
    assert expected.rows_curated == 3000 and expected.quarantined_by_reason == {}
    rows = [r for p in expected.files for r in csv.DictReader(p.open(encoding="utf-8", newline=""))]
    assert len({r["product_id"] for r in rows}) == 3000


def test_valid_rows_carry_commas_doubled_quotes_non_ascii_and_times_within_the_day(tmp_path):
    expected = generate_products(tmp_path, rows=3000, date="2026-11-21", seed=9)
    raw = read(expected.files[0])
    rows = list(csv.DictReader(raw.splitlines()))
    names = [r["product_name"] for r in rows]
    assert any("," in n for n in names) and any('"' in n for n in names) and '""' in raw
    assert any(not n.isascii() for n in names)
    assert any(r["category"] == "" for r in rows)
    day = datetime(2026, 11, 21, tzinfo=UTC)
    for r in rows:
        at = datetime.fromisoformat(r["updated_at"].replace("Z", "+00:00"))
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        assert 0 <= (at - day).total_seconds() < 86_400
        assert len(r["product_name"]) <= 256


def test_the_bad_ratio_and_kinds_are_respected(tmp_path):
    expected = generate_products(tmp_path, rows=20_000, date="2026-11-21", bad_ratio=0.1, seed=4)
    assert set(expected.quarantined_by_reason) == set(BAD_KINDS)
    # duplicates add a loser each, whichever copy loses, so the share stays close to the ratio
    assert 0.08 < expected.rows_quarantined / expected.rows_read < 0.12

    only = generate_products(tmp_path / "only", rows=2000, date="2026-11-21", bad_ratio=0.5, seed=4,
                             kinds=["invalid_integer", "missing_required"])
    assert set(only.quarantined_by_reason) == {"invalid_integer", "missing_required"}


def test_the_expected_outcome_adds_up_and_names_real_lines(tmp_path):
    expected = generate_products(tmp_path, rows=5000, date="2026-11-21", files=2, bad_ratio=0.2, seed=8)
    assert expected.rows_read == expected.rows_curated + expected.rows_quarantined
    assert sum(expected.quarantined_by_reason.values()) == len(expected.quarantined_lines)
    lines = {(name, n): line for name, n, line in data_lines(expected.files)}
    assert set(expected.quarantined_lines) <= set(lines)
    for (name, n), (reason, detail) in expected.quarantined_lines.items():
        if reason == "wrong_column_count":
            fields = next(csv.reader([lines[(name, n)]])) if lines[(name, n)] else [""]
            assert len(fields) != 6, lines[(name, n)]
        elif reason == "missing_required":
            assert next(csv.reader([lines[(name, n)]]))[HEADER.split(",").index(detail)] == ""


def test_duplicates_lose_to_the_latest_copy_of_their_key(tmp_path):
    expected = generate_products(tmp_path, rows=4000, date="2026-11-21", files=2, bad_ratio=0.3, seed=12,
                                 kinds=["duplicate_key"])
    rows = {}
    for name, n, line in data_lines(expected.files):
        record = next(csv.reader([line]))
        at = datetime.fromisoformat(record[5].replace("Z", "+00:00")).replace(tzinfo=UTC)
        rows.setdefault(record[0], []).append((at, name.encode(), n, name))
    for copies in rows.values():
        winner = max(copies)
        for copy in copies:
            assert ((copy[3], copy[2]) in expected.quarantined_lines) == (copy is not winner)


def test_names_with_line_breaks_make_records_of_two_lines_numbered_by_their_first(tmp_path):
    expected = generate_products(tmp_path, rows=2000, date="2026-11-21", bad_ratio=0.2, seed=6, multi_line_ratio=0.1,
                                 kinds=["invalid_decimal"])
    text = expected.files[0].read_bytes().decode("utf-8")  # not read_text: it would turn CRLF into LF
    records = list(csv.reader(io.StringIO(text, newline="")))[1:]
    assert len(records) == 2000 < text.count("\n") - 1
    assert any("\r\n" in r[1] for r in records) and any("\n" in r[1].replace("\r\n", "") for r in records)
    line_number, first_lines = 2, {}
    for record in records:
        first_lines[line_number] = record
        line_number += 1 + record[1].count("\n")
    for (_, number), (reason, _) in expected.quarantined_lines.items():
        assert reason == "invalid_decimal" and first_lines[number][3] not in ("", "0")


def test_the_new_kinds_of_bad_records_are_what_they_say(tmp_path):
    expected = generate_products(tmp_path, rows=3000, date="2026-11-21", bad_ratio=0.3, seed=2,
                                 kinds=["unterminated_quote", "invalid_encoding", "control_character"])
    raw = expected.files[0].read_bytes().split(b"\n")
    for (_, number), (reason, detail) in expected.quarantined_lines.items():
        line = raw[number - 1]
        if reason == "unterminated_quote":
            assert line.count(b'"') == 1
        elif reason == "invalid_encoding":
            assert b"\xe9" in line and detail is None
        else:
            assert any(c in line for c in (b"\x00", b"\x07", b"\x1b")) and detail in ("product_name", "category")


def test_the_command_line_writes_the_files_and_prints_the_expected_outcome(tmp_path):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--rows", "300", "--bad-ratio", "0.1", "--date", "2026-11-21",
         "--files", "2", "--seed", "5", "--out", str(tmp_path)],
        capture_output=True, text=True, check=True,
    )
    summary = json.loads(result.stdout)
    assert summary["rows_read"] == 300 == summary["rows_curated"] + summary["rows_quarantined"]
    assert sorted(Path(f).name for f in summary["files"]) == sorted(p.name for p in tmp_path.glob("*.csv"))


@pytest.mark.parametrize("arguments", [["--date", "21/11/2026"], ["--kinds", "nonsense"], ["--bad-ratio", "2"]])
def test_the_command_line_rejects_bad_arguments(tmp_path, arguments):
    base = {"--rows": "10", "--date": "2026-11-21", "--out": str(tmp_path)}
    base.update(dict(zip(arguments[::2], arguments[1::2], strict=True)))
    result = subprocess.run([sys.executable, str(SCRIPT), *[x for kv in base.items() for x in kv]],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "error" in result.stderr
