"""Benchmark: the xetl products job against a bare PySpark CSV -> Parquet pass on the same file,
in the same Spark session, so the figures share the machine's state. Prints, never asserts.

    bash scripts/venv-run.sh glue python glue-scripts/bench.py [--rows 1000000] [--bad-ratio 0.02]

Both passes run on local[2]; a small warm-up of both first, so that neither pays alone for JIT
and code generation. The floor reads with header=true and all columns as strings, the cheapest
honest CSV -> Parquet pass; the xetl figure is the whole job (list, validate, de-duplicate, write
curated and quarantine, count back, manifest).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tools" / "sample_data")]

import xetl_products_job  # noqa: E402
from generate_products import generate_products  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402

DAY = "2026-11-21"


def make_feed(root: Path, rows: int, bad_ratio: float, files: int, seed: int):
    directory = root / "source" / "products" / "year=2026" / "month=11" / "day=21"
    return directory, generate_products(directory, rows=rows, date=DAY, files=files, bad_ratio=bad_ratio, seed=seed)


def floor_pass(spark: SparkSession, source: Path, out: Path) -> None:
    spark.read.option("header", "true").csv(str(source)).write.mode("overwrite").parquet(str(out))


def xetl_pass(spark: SparkSession, root: Path) -> dict:
    args = ["--partition", DAY, "--run_id", "bench", "--source_uri", "file://" + str(root / "source" / "products"),
            "--staging_uri", "file://" + str(root / "staging")]
    return xetl_products_job.main(args, spark=spark)


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def task_cpu_seconds(event_log_dir: Path) -> dict[str, float]:
    """Executor CPU time of each job group's tasks, from Spark's event log: on a shared machine
    wall time also measures the neighbours, CPU time mostly the work itself."""
    group_of_stage: dict[int, str] = {}
    cpu: dict[str, float] = {}
    for log in event_log_dir.iterdir():
        for line in log.open(encoding="utf-8"):
            event = json.loads(line)
            if event["Event"] == "SparkListenerJobStart":
                group = (event.get("Properties") or {}).get("spark.jobGroup.id")
                group_of_stage.update((stage, group) for stage in event["Stage IDs"])
            elif event["Event"] == "SparkListenerTaskEnd" and event.get("Task Metrics"):
                group = group_of_stage.get(event["Stage ID"])
                cpu[group] = cpu.get(group, 0.0) + event["Task Metrics"]["Executor CPU Time"] / 1e9
    return cpu


def measured(spark: SparkSession, name: str, action) -> tuple[float, object]:
    spark.sparkContext.setJobGroup(name, name)
    return timed(action)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="xetl Glue job benchmark")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--bad-ratio", type=float, default=0.02)
    parser.add_argument("--files", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--driver-memory", default="4g", help="local Spark driver memory (both passes)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="xetl-bench-"))
    try:
        generate_seconds, (source, expected) = timed(
            lambda: make_feed(work / "main", args.rows, args.bad_ratio, args.files, args.seed))
        size_mb = sum(p.stat().st_size for p in expected.files) / 1e6
        warm_source, _ = make_feed(work / "warm", 20_000, args.bad_ratio, args.files, args.seed + 1)

        events = work / "events"
        events.mkdir()
        start_seconds, spark = timed(lambda: (
            SparkSession.builder.master("local[2]").appName("xetl-bench")
            .config("spark.driver.memory", args.driver_memory)
            .config("spark.eventLog.enabled", "true").config("spark.eventLog.dir", events.as_uri())
            .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC").getOrCreate()))
        spark.sparkContext.setLogLevel("ERROR")
        floor_pass(spark, warm_source, work / "warm" / "floor")
        xetl_pass(spark, work / "warm")

        floor_seconds, _ = measured(spark, "floor", lambda: floor_pass(spark, source, work / "floor"))
        xetl_seconds, manifest = measured(spark, "xetl", lambda: xetl_pass(spark, work / "main"))
        spark.stop()
        cpu = task_cpu_seconds(events)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    reconciles = (manifest["rows_curated"] == expected.rows_curated
                  and manifest["quarantined_by_reason"] == expected.quarantined_by_reason)
    print(f"feed      {args.rows:,} rows, {size_mb:.1f} MB in {args.files} file(s), bad ratio {args.bad_ratio}"
          f" (generated in {generate_seconds:.1f} s)")
    print(f"spark     local[2], driver memory {args.driver_memory}, session start {start_seconds:.1f} s")
    print("                                          wall    task CPU")
    print(f"floor     bare CSV -> Parquet            {floor_seconds:6.1f} s {cpu['floor']:7.1f} s")
    print(f"xetl      products job, whole run        {xetl_seconds:6.1f} s {cpu['xetl']:7.1f} s")
    print(f"ratio     xetl / floor                   {xetl_seconds / floor_seconds:6.2f} x "
          f"{cpu['xetl'] / cpu['floor']:7.2f} x")
    print(f"outcome   read {manifest['rows_read']:,}, curated {manifest['rows_curated']:,}, quarantined "
          f"{manifest['rows_quarantined']:,}; matches the generator: {'yes' if reconciles else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
