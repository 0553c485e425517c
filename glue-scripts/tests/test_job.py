"""The entry point end to end on file:// URIs: a generated feed reconciles exactly with what the
generator says it contains, re-runs replace one partition only, and an empty partition fails."""

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
import reference
import xetl_products_job
from generate_products import generate_products
from partition_runs import REPO, read_quarantine, source_dir, write_feed
from xetl_transform import InvalidPartitionError, NoDataRowsError, NoInputFilesError

GOOD = "P-1,Chair,toys,1.00,1,2026-11-21T08:00:00Z"


def job_args(root: Path, partition: str = "2026-11-21", run_id: str = "run-1") -> list[str]:
    return ["--partition", partition, "--run_id", run_id,
            "--source_uri", (root / "source" / "products").as_uri(),
            "--staging_uri", (root / "staging").as_uri()]


def staging_dir(root: Path, area: str, day: str = "21") -> Path:
    return root / "staging" / area / "products" / "year=2026" / "month=11" / f"day={day}"


@pytest.fixture(scope="module")
def generated(spark, tmp_path_factory):
    """20,000 generated records with every kind of bad record and some that span two lines, read
    in splits of 256 KB so that line numbering, multi-line records and the tie-break work across
    tasks, run through main()."""
    root = tmp_path_factory.mktemp("generated")
    expected = generate_products(source_dir(root), rows=20_000, date="2026-11-21", files=3, bad_ratio=0.1, seed=42,
                                 multi_line_ratio=0.01)
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(256 * 1024))
    try:
        manifest = xetl_products_job.main(job_args(root), spark=spark)
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    return root, expected, manifest


def test_counts_reconcile_exactly_with_the_generated_feed(generated):
    _, expected, manifest = generated
    assert manifest["rows_read"] == expected.rows_read == 20_000
    assert manifest["rows_curated"] == expected.rows_curated
    assert manifest["quarantined_by_reason"] == expected.quarantined_by_reason
    assert set(manifest["quarantined_by_reason"]) == {
        "unterminated_quote", "invalid_encoding", "wrong_column_count", "control_character", "missing_required",
        "invalid_key", "invalid_decimal", "invalid_integer", "invalid_timestamp", "value_too_long", "duplicate_key"}
    assert manifest["rows_read"] == manifest["rows_curated"] + manifest["rows_quarantined"]


def test_every_rejected_record_is_quarantined_with_the_expected_reason_and_its_exact_text(generated):
    root, expected, _ = generated
    records = read_quarantine(staging_dir(root, "quarantine"))
    got = {(r["source_file"].rsplit("/", 1)[1], r["line_number"]): (r["reason_code"], r["reason_detail"])
           for r in records}
    assert len(got) == len(records) == expected.rows_quarantined
    assert got == expected.quarantined_lines
    texts = {(p.name, r.line_number): r.text for p in expected.files for r in reference.records(p.read_bytes())}
    for r in records:
        raw = r["raw_line"].encode("utf-8") if r["raw_line"] is not None else base64.b64decode(r["raw_bytes_base64"])
        assert raw == texts[(r["source_file"].rsplit("/", 1)[1], r["line_number"])]
    assert {r["run_id"] for r in records} == {"run-1"}
    assert any(b"\n" in text for text in texts.values()), "the feed should hold multi-line records"


def test_the_manifest_on_disk_is_the_manifest_of_the_run(generated):
    root, expected, manifest = generated
    on_disk = json.loads((staging_dir(root, "manifests") / "manifest.json").read_text())
    assert on_disk == manifest
    assert on_disk["partition"] == "2026-11-21" and on_disk["run_id"] == "run-1"
    assert [Path(f).name for f in on_disk["source_files"]] == [p.name for p in expected.files]
    assert on_disk["written_at"].endswith("Z")


def test_the_manifest_is_the_only_completion_marker(generated):
    root, _, _ = generated
    for area in ("curated", "quarantine"):
        names = [p.name for p in staging_dir(root, area).iterdir() if not p.name.startswith(".")]
        assert names and all(n.startswith("part-") for n in names), names


def test_a_partition_of_only_bad_lines_is_all_quarantined_and_curated_is_empty(spark, tmp_path):
    write_feed(source_dir(tmp_path), "feed-1.csv", ["P-1,Chair,toys,abc,1,2026-11-21T08:00:00Z", ""])
    manifest = xetl_products_job.main(job_args(tmp_path), spark=spark)
    assert (manifest["rows_read"], manifest["rows_curated"], manifest["rows_quarantined"]) == (2, 0, 2)
    assert spark.read.parquet(str(staging_dir(tmp_path, "curated"))).count() == 0


def test_curated_keys_are_unique(spark, generated):
    root, expected, _ = generated
    curated = spark.read.parquet(str(staging_dir(root, "curated")))
    assert curated.count() == curated.select("product_id").distinct().count() == expected.rows_curated


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(directory)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(directory.rglob("*")) if p.is_file()}


def test_rerunning_a_partition_replaces_its_outputs_and_leaves_another_partition_untouched(spark, tmp_path):
    write_feed(source_dir(tmp_path), "feed-1.csv", [GOOD, "P-2,Desk,toys,abc,1,2026-11-21T08:00:00Z"])
    other = source_dir(tmp_path).parent / "day=22"
    write_feed(other, "feed-1.csv", ["Q-1,Lamp,toys,2.00,1,2026-11-22T08:00:00Z"])
    xetl_products_job.main(job_args(tmp_path, "2026-11-22", "other-run"), spark=spark)
    xetl_products_job.main(job_args(tmp_path, run_id="first"), spark=spark)
    other_outputs = {area: snapshot(staging_dir(tmp_path, area, "22")) for area in ("curated", "quarantine", "manifests")}
    (staging_dir(tmp_path, "curated") / "stale.parquet").write_bytes(b"left over from an older run")

    manifest = xetl_products_job.main(job_args(tmp_path, run_id="second"), spark=spark)

    assert (manifest["rows_read"], manifest["rows_curated"], manifest["rows_quarantined"]) == (2, 1, 1)
    assert not (staging_dir(tmp_path, "curated") / "stale.parquet").exists()
    assert spark.read.parquet(str(staging_dir(tmp_path, "curated"))).count() == 1
    assert [r["run_id"] for r in read_quarantine(staging_dir(tmp_path, "quarantine"))] == ["second"]
    for area, files in other_outputs.items():
        assert snapshot(staging_dir(tmp_path, area, "22")) == files, f"{area} of 2026-11-22 changed"


def test_a_partition_with_only_markers_fails_with_a_clear_message(spark, tmp_path):
    source_dir(tmp_path).mkdir(parents=True)
    (source_dir(tmp_path) / "_SUCCESS").write_text("")
    with pytest.raises(NoInputFilesError, match=r"no input files for partition 2026-11-21: .*day=21/ holds no"):
        xetl_products_job.main(job_args(tmp_path), spark=spark)
    assert not (tmp_path / "staging").exists(), "a failed run must not write any output"


def test_the_job_script_exits_non_zero_on_a_missing_partition(tmp_path):
    result = subprocess.run(
        [sys.executable, str(REPO / "glue-scripts" / "xetl_products_job.py"), *job_args(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert result.returncode != 0
    assert "xetl-products failed: no input files for partition 2026-11-21" in result.stderr


def test_files_without_data_rows_fail_the_run_and_leave_the_last_outputs_in_place(spark, tmp_path):
    write_feed(source_dir(tmp_path), "feed-1.csv", [GOOD])
    xetl_products_job.main(job_args(tmp_path, run_id="good"), spark=spark)
    published = {area: snapshot(staging_dir(tmp_path, area)) for area in ("curated", "quarantine", "manifests")}
    write_feed(source_dir(tmp_path), "feed-1.csv", [])  # header only
    (source_dir(tmp_path) / "feed-2.csv").write_bytes(b"")  # zero bytes

    with pytest.raises(NoDataRowsError, match=r"^no data rows in 2 file\(s\) of partition 2026-11-21"):
        xetl_products_job.main(job_args(tmp_path, run_id="empty"), spark=spark)
    for area, files in published.items():
        assert snapshot(staging_dir(tmp_path, area)) == files, f"{area} changed"


def test_the_job_script_exits_non_zero_with_one_line_when_no_file_holds_a_data_row(tmp_path):
    write_feed(source_dir(tmp_path), "feed-1.csv", [])
    result = subprocess.run(
        [sys.executable, str(REPO / "glue-scripts" / "xetl_products_job.py"), *job_args(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1].startswith("xetl-products failed: no data rows in 1 file(s)")
    assert not (tmp_path / "staging").exists()


def test_a_partition_that_is_not_a_date_is_rejected_before_anything_runs(tmp_path):
    with pytest.raises(InvalidPartitionError, match="YYYY-MM-DD"):
        xetl_products_job.main(job_args(tmp_path, partition="2026-11-31"))
