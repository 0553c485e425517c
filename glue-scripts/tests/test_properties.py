"""Property-based tests (Hypothesis): partitions of arbitrary CSV files, valid and not (quotes,
line breaks in fields, CRLF, bytes that are not UTF-8, control characters, columns in any order,
extra, missing or no header, empty files), run through the job and compared with reference.py.

Bounded for `npm test`: a fixed set of examples (derandomized) on the suite's one Spark session.
XETL_PROPERTY_EXAMPLES=500 runs more, with a fresh random seed each time.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import reference
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from partition_runs import DAY, read_quarantine, source_dir
from xetl_transform import NoDataRowsError, partition_paths, run_products_partition

EXAMPLES = int(os.environ.get("XETL_PROPERTY_EXAMPLES", "0"))
BOUNDED = settings(
    max_examples=EXAMPLES or 25, deadline=None, derandomize=not EXAMPLES, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

def mostly(good: list[str], bad: list[str]) -> st.SearchStrategy[str]:
    """Valid values most of the time, so that records are curated as well as quarantined."""
    return st.sampled_from(good * 10 + bad)


KEYS = mostly(["P-1", "P-2", "P-3", "Q_9"], ["", "P 1", "Ü-1", "K" * 65])
# Text that needs quoting (commas, quotes, line breaks), non-ASCII text, and now and then a
# control character, the replacement character written as such, or a tab.
TEXT = st.one_of(
    *[st.text(alphabet=st.sampled_from(list('ab ,"\né漢𝄞')), max_size=10)] * 12,
    st.text(alphabet=st.sampled_from(list('ab,"\r\n\t\x00\x1b\ufffd')), max_size=6),
)
CATEGORIES = st.one_of(st.sampled_from(["", "toys", "a,b", "c" * 65]), TEXT)
PRICES = mostly(["1.00", "0", "12.5", "007.10", "9999999999.99"], ["abc", "-1", "1.234", "12345678901"])
QUANTITIES = mostly(["1", "0", "2147483647"], ["2147483648", "1.0", "", "ten"])
TIMES = mostly(
    ["2026-11-21T08:00:00Z", "2026-11-21T08:00:00", "2026-11-21T08:00:00.000001+00:00", "2026-11-21T09:00:00Z"],
    ["2026-02-30T00:00:00Z", "2026-11-21 08:00:00", "yesterday"],
)
VALUES = {"product_id": KEYS, "product_name": st.one_of(TEXT, st.sampled_from(["Chair", "é" * 257])),
          "category": CATEGORIES, "price": PRICES, "quantity": QUANTITIES, "updated_at": TIMES, "note": TEXT}


def csv_field(value: str, force_quotes: bool) -> str:
    if force_quotes or any(ch in value for ch in ',"\r\n') or value.startswith('"'):
        return '"' + value.replace('"', '""') + '"'
    return value


@st.composite
def records(draw, columns: list[str]) -> bytes:
    text = ",".join(csv_field(draw(VALUES[c]), draw(st.booleans())) for c in columns).encode("utf-8")
    # Damage some records at the byte level: a stray quote, a lost quote, a Latin-1 byte, a NUL,
    # a CR, a comma. The reference decides what the damage means.
    for _ in range(draw(st.sampled_from([0] * 6 + [1, 2]))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()) and b'"' in text:
            quote = text.index(b'"', min(at, text.rindex(b'"')))
            text = text[:quote] + text[quote + 1:]
        else:
            text = text[:at] + draw(st.sampled_from([b'"', b"\xe9", b"\x00", b"\r", b","])) + text[at:]
    return text


@st.composite
def feed_files(draw) -> dict[str, bytes]:
    files = {}
    for index in range(draw(st.integers(1, 3))):
        columns = list(draw(st.permutations(reference.COLUMNS)))
        header_kind = draw(st.sampled_from(["plain"] * 8 + ["extra", "no category", "no price", "none", "empty"]))
        if header_kind == "empty":
            files[f"feed-{index}.csv"] = b""
            continue
        if header_kind == "extra":
            columns.insert(draw(st.integers(0, len(columns))), "note")
        elif header_kind in ("no category", "no price"):
            columns.remove(header_kind.removeprefix("no "))
        spelled = [draw(st.sampled_from([c, c.upper(), f" {c} ", f'"{c}"'])) for c in columns]
        newline = draw(st.sampled_from([b"\n", b"\r\n"]))
        lines = [] if header_kind == "none" else [draw(st.sampled_from([b"", b"\xef\xbb\xbf"])) + ",".join(spelled).encode()]
        lines += draw(st.lists(records(columns), max_size=5))
        files[f"feed-{index}.csv"] = newline.join(lines) + (newline if draw(st.booleans()) else b"")
    return files


def run_on(spark, files: dict[str, bytes], root: Path, run_id: str = "prop", rerun: bool = False):
    directory = source_dir(root)
    if not rerun:
        directory.mkdir(parents=True)
        for name, data in files.items():
            (directory / name).write_bytes(data)
    source_uri, staging_uri = (root / "source" / "products").as_uri(), (root / "staging").as_uri()
    manifest = run_products_partition(spark, partition=DAY, run_id=run_id, source_uri=source_uri,
                                      staging_uri=staging_uri)
    paths = partition_paths(DAY, source_uri, staging_uri)
    curated = pq.read_table(paths.curated_dir.removeprefix("file://")).to_pylist()
    quarantine = read_quarantine(Path(paths.quarantine_dir.removeprefix("file://")))
    on_disk = json.loads(Path(paths.manifest_file.removeprefix("file://")).read_text(encoding="utf-8"))
    return manifest, curated, quarantine, on_disk


def name_of(uri: str) -> str:
    return uri.rsplit("/", 1)[1]


@BOUNDED
@given(files=feed_files())
def test_every_record_is_curated_with_its_values_or_quarantined_with_its_reason(spark, files):
    with tempfile.TemporaryDirectory(prefix="xetl-prop-") as root:
        check_against_reference(spark, files, Path(root))


def check_against_reference(spark, files: dict[str, bytes], root: Path) -> None:
    expected = reference.expected_outcome(files)
    if expected.rows_read == 0:
        with pytest.raises(NoDataRowsError, match=rf"no data rows in {len(files)} file\(s\)"):
            run_on(spark, files, root)
        assert not (root / "staging").exists(), "a run without data rows must write nothing"
        return
    manifest, curated, quarantine, on_disk = run_on(spark, files, root)

    assert manifest["rows_read"] == expected.rows_read
    assert manifest["rows_read"] == manifest["rows_curated"] + manifest["rows_quarantined"]
    assert manifest["quarantined_by_reason"] == dict(expected.by_reason)

    def curated_key(row: dict) -> tuple:
        return tuple(row[c] for c in reference.COLUMNS)

    assert sorted(map(curated_key, curated), key=repr) == sorted(
        (curated_key(values) for values in expected.curated.values()), key=repr)
    assert {name_of(row["source_file"]) for row in curated} <= set(files)

    got = {}
    for record in quarantine:
        raw = (record["raw_line"].encode("utf-8") if record["raw_line"] is not None
               else base64.b64decode(record["raw_bytes_base64"]))
        assert (record["raw_line"] is None) == (record["raw_bytes_base64"] is not None)
        got[(name_of(record["source_file"]), record["line_number"])] = (record["reason_code"], record["reason_detail"], raw)
    assert got == expected.quarantined

    # The manifest says what is on disk, and the manifest on disk is the run's.
    assert on_disk == manifest
    assert (manifest["rows_curated"], manifest["rows_quarantined"]) == (len(curated), len(quarantine))
    rejected = {name: reference.layout(data.split(b"\n", 1)[0] if data else None).reason for name, data in files.items()}
    assert {name_of(f["source_file"]): (f["reason_code"], f["reason_detail"]) for f in manifest["rejected_files"]} == {
        name: reason for name, reason in rejected.items() if reason}


@settings(BOUNDED, max_examples=EXAMPLES or 6)
@given(files=feed_files())
def test_the_same_input_gives_the_same_output(spark, files):
    if reference.expected_outcome(files).rows_read == 0:
        return
    with tempfile.TemporaryDirectory(prefix="xetl-prop-") as root:
        first = run_on(spark, files, Path(root), run_id="one")
        second = run_on(spark, files, Path(root), run_id="two", rerun=True)
    (m1, c1, q1, _), (m2, c2, q2, _) = first, second
    assert sorted(c1, key=repr) == sorted(c2, key=repr)
    assert [{**r, "run_id": None} for r in q1] == [{**r, "run_id": None} for r in q2]
    ignored = ("run_id", "written_at")
    assert {k: v for k, v in m1.items() if k not in ignored} == {k: v for k, v in m2.items() if k not in ignored}
