"""Benchmark: the xetl products job against a bare PySpark CSV -> Parquet pass on the same file,
in the same Spark session, so the figures share the machine's state. Prints, never asserts.

    bash scripts/venv-run.sh glue python glue-scripts/bench.py [--rows 1000000] [--bad-ratio 0.02]

Both passes run on local[2]. Both are first warmed up on a smaller feed, so that neither pays
alone for JIT compilation and code generation; then they run --rounds times, alternating, and the
median of each is printed (a shared machine's neighbours come and go). The floor reads with
header=true and all columns as strings, the cheapest honest CSV -> Parquet pass; the xetl figure
is the whole job (list, read headers, read and classify records, join multi-line records,
de-duplicate, write curated and quarantine, count back, manifest), also broken down by step.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tools" / "sample_data")]

import xetl_products_job  # noqa: E402
from generate_products import generate_products  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402
from xetl_transform.jvm import spark_jar  # noqa: E402

DAY = "2026-11-21"


def make_feed(root: Path, rows: int, bad_ratio: float, files: int, seed: int, multi_line_ratio: float):
    directory = root / "source" / "products" / "year=2026" / "month=11" / "day=21"
    return directory, generate_products(directory, rows=rows, date=DAY, files=files, bad_ratio=bad_ratio, seed=seed,
                                        multi_line_ratio=multi_line_ratio)


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


def task_cpu_seconds(event_log_dir: Path) -> dict[tuple[str, str | None], float]:
    """Executor CPU time of the tasks of each (job group, job description), from Spark's event
    log: on a shared machine wall time also measures the neighbours, CPU time mostly the work
    itself. The job names its steps in the description (pipeline.py)."""
    label_of_stage: dict[int, tuple[str, str | None]] = {}
    cpu: dict[tuple[str, str | None], float] = {}
    for log in event_log_dir.iterdir():
        for line in log.open(encoding="utf-8"):
            event = json.loads(line)
            if event["Event"] == "SparkListenerJobStart":
                properties = event.get("Properties") or {}
                label = (properties.get("spark.jobGroup.id"), properties.get("spark.job.description"))
                label_of_stage.update((stage, label) for stage in event["Stage IDs"])
            elif event["Event"] == "SparkListenerTaskEnd" and event.get("Task Metrics"):
                label = label_of_stage.get(event["Stage ID"])
                cpu[label] = cpu.get(label, 0.0) + event["Task Metrics"]["Executor CPU Time"] / 1e9
    return cpu


def group_total(cpu: dict[tuple[str, str | None], float], group: str) -> float:
    return sum(seconds for (name, _), seconds in cpu.items() if name == group)


def measured(spark: SparkSession, name: str, action) -> tuple[float, object]:
    spark.sparkContext.setJobGroup(name, name)
    return timed(action)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="xetl Glue job benchmark")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--bad-ratio", type=float, default=0.02)
    parser.add_argument("--multi-line-ratio", type=float, default=0.005,
                        help="share of valid records whose name spans two lines")
    parser.add_argument("--files", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3, help="measured runs of each pass (median printed)")
    parser.add_argument("--warm-up-rows", type=int, default=200_000)
    parser.add_argument("--driver-memory", default="4g", help="local Spark driver memory (both passes)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="xetl-bench-"))
    feed = (args.bad_ratio, args.files, args.seed, args.multi_line_ratio)
    try:
        generate_seconds, (source, expected) = timed(lambda: make_feed(work / "main", args.rows, *feed))
        size_mb = sum(p.stat().st_size for p in expected.files) / 1e6
        warm_source, _ = make_feed(work / "warm", args.warm_up_rows, args.bad_ratio, args.files, args.seed + 1,
                                   args.multi_line_ratio)

        events = work / "events"
        events.mkdir()
        start_seconds, spark = timed(lambda: (
            SparkSession.builder.master("local[2]").appName("xetl-bench")
            .config("spark.driver.memory", args.driver_memory)
            .config("spark.eventLog.enabled", "true").config("spark.eventLog.dir", events.as_uri())
            .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC").config("spark.jars", spark_jar()).getOrCreate()))
        spark.sparkContext.setLogLevel("ERROR")
        measured(spark, "warm-up", lambda: (floor_pass(spark, warm_source, work / "warm" / "floor"),
                                            xetl_pass(spark, work / "warm")))

        walls: dict[str, list[float]] = {"floor": [], "xetl": []}
        for round_number in range(1, args.rounds + 1):
            seconds, _ = measured(spark, f"floor-{round_number}", lambda: floor_pass(spark, source, work / "floor"))
            walls["floor"].append(seconds)
            seconds, manifest = measured(spark, f"xetl-{round_number}", lambda: xetl_pass(spark, work / "main"))
            walls["xetl"].append(seconds)
        spark.stop()
        cpu = task_cpu_seconds(events)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    rounds = range(1, args.rounds + 1)
    wall = {name: statistics.median(values) for name, values in walls.items()}
    task = {name: statistics.median(group_total(cpu, f"{name}-{r}") for r in rounds) for name in walls}
    steps: dict[str, list[float]] = {}
    for (group, description), seconds in cpu.items():
        if group and group.startswith("xetl-") and description:
            steps.setdefault(description.removeprefix("xetl: "), []).append(seconds)
    reconciles = (manifest["rows_read"] == expected.rows_read and manifest["rows_curated"] == expected.rows_curated
                  and manifest["quarantined_by_reason"] == expected.quarantined_by_reason)
    print(f"feed      {args.rows:,} records, {size_mb:.1f} MB in {args.files} file(s), bad ratio {args.bad_ratio}, "
          f"multi-line ratio {args.multi_line_ratio} (generated in {generate_seconds:.1f} s)")
    print(f"spark     local[2], driver memory {args.driver_memory}, session start {start_seconds:.1f} s; "
          f"median of {args.rounds} round(s) after a warm-up on {args.warm_up_rows:,} records")
    print("                                          wall    task CPU")
    print(f"floor     bare CSV -> Parquet            {wall['floor']:6.1f} s {task['floor']:7.2f} s")
    print(f"xetl      products job, whole run        {wall['xetl']:6.1f} s {task['xetl']:7.2f} s")
    for step, values in steps.items():
        print(f"            {step:<28} {'':8} {statistics.median(values):7.2f} s")
    print(f"ratio     xetl / floor                   {wall['xetl'] / wall['floor']:6.2f} x "
          f"{task['xetl'] / task['floor']:7.2f} x")
    per_round = {name: ", ".join(f"{group_total(cpu, name + '-' + str(r)):.2f}" for r in rounds) for name in walls}
    print(f"rounds    task CPU floor {per_round['floor']}; xetl {per_round['xetl']}")
    print(f"outcome   read {manifest['rows_read']:,}, curated {manifest['rows_curated']:,}, quarantined "
          f"{manifest['rows_quarantined']:,}; matches the generator: {'yes' if reconciles else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
