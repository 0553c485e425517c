"""`nx run local:bench`: `npm run local` end to end, a first run and a repeat run, each beside the
sum of its steps' floors measured in the same run; with --sizes, the pipeline per partition size.

Prints figures, asserts nothing.

- First run: `npm run local` into a fresh work directory (no PostgreSQL cluster, no Airflow
  database, no saved deploy of account A), as on a pristine clone whose Python environments exist.
- Repeat run: the same command again, same partition: account A is restored from the first run's
  apply (the stack is unchanged), PostgreSQL and Airflow's database exist.
- Floors, each the bare tool doing the step's work, measured after the two runs:
  emulator start = the stock `moto_server` until it answers; synth + deploy = tools/local/deploy-local.ts
  synthesizing and applying a one-bucket stack (tools/local/bench-one-bucket-app.ts) to a stock
  moto_server, plus the AWS provider's fixed consistency waits on the stack's longest dependency
  chain (PROVIDER_WAITS, not measured: they are the provider's own constants); restore = the stock
  moto_server replaying the same recording; PostgreSQL = the harness starting a server on a new
  (first run) or existing (repeat) data directory, plus `airflow db migrate` on an empty database
  (first run); drop = boto3 PUTs of the same files; DAG = `airflow dags test` of a one-task DAG
  plus a bare PySpark CSV -> Parquet pass over the same files in a new Spark process (the Glue step).
  PostgreSQL runs alongside the deploy, so a run's floor counts the longer of the two.

    bash scripts/venv-run.sh airflow python tools/local/bench.py [--rows 1000] [--sizes 100000,1000000]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from xetl_local.emulator_state import RECORDING, moto_api  # noqa: E402
from xetl_local.pipeline import run_partition  # noqa: E402
from xetl_local.stack import (  # noqa: E402
    AIRFLOW_BIN,
    GLUE_PYTHON,
    LOOPBACK_ENV,
    REPO_ROOT,
    TOOLS_PYTHON,
    LocalStack,
    free_port,
)

sys.path.insert(0, str(REPO_ROOT / "dags"))
from bench_parse import FLOOR_DAG  # noqa: E402

BENCH_WORK = REPO_ROOT / ".work" / "local-bench"
# The provider's fixed waits on xetl-local-source's longest dependency chain, hashicorp/aws 5.100.0:
# aws_kms_key (rotation, policy and tags each read back 5 times in a row, 1 s apart: ~4 s each) ->
# aws_sqs_queue (attributes read back 6 times in a row, 5 s apart: 25 s) -> aws_sqs_queue_policy
# (the same wait: 25 s). Each streak restarts on a read that differs; moto's first read matches.
PROVIDER_WAITS = 3 * 4 + 25 + 25


def timed(action) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


# ---- end to end -------------------------------------------------------------------------------
def npm_run_local(work: Path, rows: int) -> tuple[float, list[tuple[str, float]], str]:
    """`npm run local` into ``work``: wall seconds, the steps of its summary, its output."""
    started = time.monotonic()
    proc = subprocess.run(["npm", "run", "--silent", "local", "--", "--work-dir", str(work), "--rows", str(rows)],
                          cwd=REPO_ROOT, capture_output=True, text=True, check=False)  # fmt: skip
    seconds = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"npm run local failed ({proc.returncode}):\n{(proc.stdout + proc.stderr)[-3000:]}")
    return seconds, summary_steps(proc.stdout), proc.stdout


def summary_steps(output: str) -> list[tuple[str, float]]:
    """The "time per step" lines of a run's summary (steps only, not the DAG's tasks)."""
    lines = output.split("time per step (s):", 1)[-1].split("where to look next:", 1)[0].splitlines()
    steps = []
    for line in lines:
        if line.startswith("    ") and not line.startswith("      ") and line.split():
            name, _, seconds = line.strip().rpartition(" ")
            steps.append((name.strip(), float(seconds)))
    return steps


# ---- floors -----------------------------------------------------------------------------------
@contextlib.contextmanager
def stock_moto(work: Path) -> Iterator[tuple[str, float]]:
    """The stock moto_server (tools venv) on a free port: its endpoint and seconds to first answer."""
    port = free_port()
    with (work / f"floor-moto-{port}.log").open("w") as log:
        started = time.monotonic()
        proc = subprocess.Popen([str(TOOLS_PYTHON.parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                                env={**os.environ, **LOOPBACK_ENV, "MOTO_RECORDER_FILEPATH": str(work / f"floor-recording-{port}")},
                                stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
        endpoint = f"http://127.0.0.1:{port}"
        try:
            while True:
                with contextlib.suppress(OSError):
                    moto_api(endpoint, "", method="GET")
                    break
                time.sleep(0.05)
            yield endpoint, time.monotonic() - started
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def floor_deploy(endpoint: str, work: Path) -> dict[str, float]:
    """Synth, init and apply of the one-bucket stack, as deploy-local.ts does them for account A."""
    proc = subprocess.run(
        ["node", "--import", "tsx", "tools/local/deploy-local.ts", "--app", "tools/local/bench-one-bucket-app.ts",
         "--stack", "xetl-local-floor-one-bucket", "--endpoint", endpoint, "--state", str(work / "floor.tfstate"),
         "--out", str(work / "floor-cdktf.out")],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(proc.stdout.strip().splitlines()[-1])["seconds"]


def floor_replay(endpoint: str, recording: Path) -> float:
    return timed(lambda: (moto_api(endpoint, "recorder/upload-recording", body=recording.read_bytes()),
                          moto_api(endpoint, "recorder/replay-recording")))  # fmt: skip


def floor_postgres(data_dir: Path) -> float:
    from xetl_harness.postgres import postgres_server

    started = time.monotonic()
    with postgres_server(data_dir=data_dir):
        return time.monotonic() - started


def floor_airflow(work: Path) -> tuple[float, float]:
    """`airflow db migrate` on an empty SQLite database, then `airflow dags test` of a one-task DAG."""
    home = work / "floor-airflow"
    shutil.rmtree(home, ignore_errors=True)
    (home / "dags").mkdir(parents=True)
    (home / "dags" / "bench_floor.py").write_text(FLOOR_DAG)
    env = {**os.environ, **LOOPBACK_ENV, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
           "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}"}  # fmt: skip
    airflow = str(AIRFLOW_BIN / "airflow")
    migrate = timed(lambda: subprocess.run([airflow, "db", "migrate"], env=env, capture_output=True, check=True))
    dags_test = timed(lambda: subprocess.run([airflow, "dags", "test", "bench_floor"], env=env, capture_output=True, check=True))
    return migrate, dags_test


def floor_drop(endpoint: str, files: list[Path]) -> float:
    import boto3

    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t")
    s3.create_bucket(Bucket="floor-drop")
    return timed(lambda: [s3.upload_file(str(path), "floor-drop", path.name) for path in files])


def floor_spark(source: Path, out: Path) -> float:
    code = ("import sys\nfrom pyspark.sql import SparkSession\n"
            "spark = SparkSession.builder.master('local[2]').getOrCreate()\n"
            "spark.read.option('header', 'true').csv(sys.argv[1]).write.mode('overwrite').parquet(sys.argv[2])\n")  # fmt: skip
    return timed(lambda: subprocess.run([str(GLUE_PYTHON), "-c", code, str(source), str(out)], capture_output=True, check=True))


def measure_floors(work: Path, sample: Path) -> dict[str, float]:
    floors: dict[str, float] = {}
    with stock_moto(work) as (endpoint, floors["emulator start"]):
        deploy = floor_deploy(endpoint, work)
        floors["synth"] = deploy["synth"]
        floors["terraform init + apply, one bucket"] = deploy["init"] + deploy["apply"]
        floors["drop"] = floor_drop(endpoint, sorted(p for p in sample.iterdir() if p.suffix == ".csv"))
    with stock_moto(work) as (endpoint, _):
        floors["replay of the recording"] = floor_replay(endpoint, BENCH_WORK / "emulator-state" / RECORDING)
    pg_dir = work / "floor-postgres"
    shutil.rmtree(pg_dir, ignore_errors=True)
    floors["PostgreSQL, new data directory"] = floor_postgres(pg_dir)
    floors["PostgreSQL, existing data directory"] = floor_postgres(pg_dir)
    floors["airflow db migrate"], floors["airflow dags test, one-task DAG"] = floor_airflow(work)
    floors["Spark CSV -> Parquet"] = floor_spark(sample, work / "floor-parquet")
    return floors


def floor_sums(f: dict[str, float]) -> tuple[float, float]:
    """The least a first and a repeat run can take, step by step (PostgreSQL beside account A)."""
    dag = f["airflow dags test, one-task DAG"] + f["Spark CSV -> Parquet"]
    deploy = f["terraform init + apply, one bucket"] + PROVIDER_WAITS
    first = f["emulator start"] + f["synth"] + max(deploy, f["PostgreSQL, new data directory"] + f["airflow db migrate"]) + f["drop"] + dag
    repeat = (f["emulator start"] + f["synth"] + max(f["replay of the recording"], f["PostgreSQL, existing data directory"])
              + f["drop"] + dag)  # fmt: skip
    return first, repeat


# ---- partition sizes (--sizes) -----------------------------------------------------------------
def bench_sizes(sizes: list[int], bad_ratio: float) -> None:
    report = []
    with LocalStack(work=BENCH_WORK) as stack:
        for index, rows in enumerate(sizes):
            day = f"2026-10-{index + 1:02d}"
            started = time.monotonic()
            result = run_partition(stack, partition=day, rows=rows, bad_ratio=bad_ratio, files=4, read_rows=False)
            report.append((rows, result, time.monotonic() - started))
    print("\nlocal pipeline per partition size (servers and account A set up once, not per partition)")
    for rows, result, total in report:
        m = result.manifest or {}
        print(f"\n  {rows:>9,} rows  ({result.state}; read {m.get('rows_read')}, loaded {result.final_rows}, "
              f"quarantined {m.get('rows_quarantined')}, unloaded {result.target_rows})")
        for name, seconds in result.timings.steps:
            print(f"    {name:<46} {seconds:7.1f} s")
            if name.startswith("airflow dags test"):
                for task_id, (state, secs) in result.task_states.items():
                    print(f"      {task_id:<44} {secs:7.1f} s  {state}")
        print(f"    {'end to end (generate -> summary)':<46} {total:7.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000, help="rows of the end-to-end runs (npm run local's default)")
    parser.add_argument("--sizes", default="", help="also: comma-separated row counts, one partition each (e.g. 100000,1000000)")
    parser.add_argument("--bad-ratio", type=float, default=0.05)
    args = parser.parse_args()

    shutil.rmtree(BENCH_WORK, ignore_errors=True)
    first, first_steps, _ = npm_run_local(BENCH_WORK, args.rows)
    print(f"first run: {first:.1f} s", flush=True)
    repeat, repeat_steps, output = npm_run_local(BENCH_WORK, args.rows)
    print(f"repeat run: {repeat:.1f} s", flush=True)
    if "account A: restored from the deploy of" not in output:
        print("  (the repeat run did not restore account A: see its output)")
    with tempfile.TemporaryDirectory(prefix="xetl-local-floors-") as tmp:
        floors = measure_floors(Path(tmp), BENCH_WORK / "sample" / "2026-11-21")
    first_floor, repeat_floor = floor_sums(floors)

    print(f"\nnpm run local, {args.rows} rows, end to end (this machine; load average {os.getloadavg()[0]:.1f})")
    print(f"  {'first run':<48} {first:7.1f} s   floor {first_floor:6.1f} s")
    print(f"  {'repeat run (account A restored)':<48} {repeat:7.1f} s   floor {repeat_floor:6.1f} s")
    for label, steps in (("first run", first_steps), ("repeat run", repeat_steps)):
        print(f"\n  {label}, the run's own steps:")
        for name, seconds in steps:
            print(f"    {name:<58} {seconds:7.1f} s")
    print("\n  floors (measured now):")
    for name, seconds in floors.items():
        print(f"    {name:<58} {seconds:7.1f} s")
    print(f"    {'provider consistency waits, longest chain (constant)':<58} {PROVIDER_WAITS:7.1f} s")
    if args.sizes:
        bench_sizes([int(s) for s in args.sizes.split(",") if s], args.bad_ratio)
    return 0


if __name__ == "__main__":
    sys.exit(main())
