"""`nx run dbt:bench`: the dbt stage on the local sample, beside floors measured in the same run.

    python -m xetl_dbt.bench [--rows 100000] [--no-airflow]

One partition of the sample feed (tools/sample_data, no bad rows) is loaded into xetl.products the
way the pipeline loads it (COPY into staging, then the load procedure), on a throwaway PostgreSQL 15.
Then, each on the same data:

  floors  plain SQL: the SQL dbt compiled for every model and test (from its run results), run
          directly over one connection, with no dbt around it; and `dbt parse`, the fixed cost of
          one dbt process (start-up, project parse), which Cosmos pays once per task.
  dbt     a bare `dbt build` of every model with its tests (first build, 4 threads); the same for
          the partition's re-run (incremental); and one `dbt build --select <model>` process per
          model and per detached test, one after another: Cosmos's shape without Airflow.
  Cosmos  the task group in Airflow 3.0.6 (`airflow dags test`, sequential tasks), and the warm
          DAG parse time of a DAG with the group beside a one-task DAG.

Prints a table; asserts nothing. Figures vary with the machine's load: compare columns of one run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from xetl_dbt.airflow_run import AirflowHome, airflow_bin
from xetl_dbt.package import package
from xetl_dbt.warehouse import REPO_ROOT, LocalWarehouse, local_warehouse, run_dbt

from generate_products import generate_products

PARTITION = "2026-11-21"
RUN_ID = "bench__2026-11-22T01:00:00+00:00"


def load_sample(warehouse: LocalWarehouse, rows: int, work: Path) -> float:
    """Generate the sample and load it as the pipeline does; returns seconds."""
    outcome = generate_products(work / "feed", rows=rows, date=PARTITION, bad_ratio=0.0, seed=7)
    (csv_file,) = outcome.files
    started = time.monotonic()
    with contextlib.closing(warehouse.connect()) as conn, conn.cursor() as cur:
        conn.autocommit = False
        cur.execute(
            "CREATE TEMP TABLE feed (product_id text, product_name text, category text, price text, "
            "quantity text, updated_at text) ON COMMIT DROP"
        )
        with csv_file.open(encoding="utf-8") as data:
            cur.copy_expert("COPY feed FROM STDIN WITH (FORMAT csv, HEADER true)", data)
        cur.execute(
            "INSERT INTO xetl.products_staging SELECT product_id, product_name, category, price::numeric(12,2), "
            "quantity::integer, updated_at::timestamptz AT TIME ZONE 'UTC', %s, %s::date FROM feed",
            (f"s3://xetl-local-source/products/{csv_file.name}", PARTITION),
        )
        cur.execute("CALL xetl.sp_load_products_partition(%s::date, %s)", (PARTITION, RUN_ID))
        conn.commit()
    return time.monotonic() - started


def plain_sql_floor(warehouse: LocalWarehouse, run_results: dict[str, Any]) -> float:
    """Run the compiled SQL of every model and test of a build, without dbt; returns seconds."""
    statements = []
    for result in run_results["results"]:
        code = result.get("compiled_code")
        uid = result["unique_id"]
        if not code:
            continue
        name = uid.split(".")[2]
        if uid.startswith("model."):
            kind = "VIEW" if name.startswith("stg_") else "TABLE"
            statements.append(f"CREATE {kind} bench_floor.{name} AS {code}")
        elif uid.startswith("test."):
            statements.append(f"SELECT count(*) FROM ({code}) AS failures")
    with contextlib.closing(warehouse.connect()) as conn, conn.cursor() as cur:
        cur.execute("CREATE SCHEMA bench_floor")
        started = time.monotonic()
        for statement in statements:
            cur.execute(statement)
        elapsed = time.monotonic() - started
        cur.execute("DROP SCHEMA bench_floor CASCADE")
    return elapsed


def timed_dbt(args: list[str], warehouse: LocalWarehouse, target: Path, **kwargs: Any):
    started = time.monotonic()
    result = run_dbt(args, warehouse.dbt_env(), target, **kwargs)
    elapsed = time.monotonic() - started
    if not result.ok:
        raise SystemExit(f"bench: dbt {' '.join(args)} failed:\n{result.output[-3000:]}")
    return elapsed, result


def per_node_processes(warehouse: LocalWarehouse, target: Path, manifest: dict[str, Any]) -> tuple[float, int]:
    """One `dbt build --select` process per model, one `dbt test --select` per multi-parent test."""
    models = [n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    detached = [
        n["name"]
        for n in manifest["nodes"].values()
        if n["resource_type"] == "test" and len(n["depends_on"]["nodes"]) > 1
    ]
    order = sorted(models, key=lambda m: (not m.startswith("stg_"), m))  # staging first, as the graph runs
    total = 0.0
    exclude = ["--exclude", *detached] if detached else []
    for model in order:
        total += timed_dbt(["build", "--select", model, *exclude], warehouse, target, dbt_vars={"partition": PARTITION})[0]
    for test in detached:
        total += timed_dbt(["test", "--select", test], warehouse, target, dbt_vars={"partition": PARTITION})[0]
    return total, len(order) + len(detached)


PARSE_PROBE = """
import json, statistics, sys
from airflow.models.dagbag import DagBag
out = {}
for label, path in (("floor", sys.argv[1]), ("group", sys.argv[2])):
    times = []
    for _ in range(26):
        bag = DagBag(dag_folder=path, include_examples=False, safe_mode=False)
        assert not bag.import_errors, bag.import_errors
        (stat,) = bag.dagbag_stats
        times.append(stat.duration.total_seconds())
    out[label] = {"first": times[0], "warm": statistics.median(times[1:]), "tasks": stat.task_num}
print(json.dumps(out))
"""
FLOOR_DAG = """
import pendulum
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG
with DAG(dag_id="bench_floor", schedule=None, start_date=pendulum.datetime(2026, 11, 1, tz="UTC")):
    EmptyOperator(task_id="noop")
"""


def parse_times(home: AirflowHome) -> dict[str, Any]:
    floor = home.root / "floor_dag.py"
    floor.write_text(FLOOR_DAG)
    group = next(home.dags.glob("*.py"))
    proc = subprocess.run(
        [str(airflow_bin() / "python"), "-c", PARSE_PROBE, str(floor), str(group)],
        env={**home.env, "AIRFLOW__LOGGING__LOGGING_LEVEL": "ERROR"}, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--no-airflow", action="store_true", help="skip the Cosmos/Airflow figures")
    args = parser.parse_args(argv)
    lines: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="xetl-dbt-bench-") as tmp, local_warehouse() as warehouse:
        work = Path(tmp)
        target = work / "target"
        lines.append(("load the sample (COPY + load procedure, not dbt)", f"{load_sample(warehouse, args.rows, work):.2f} s"))

        parse_s, _ = timed_dbt(["parse", "--no-partial-parse"], warehouse, target)
        build_s, build = timed_dbt(["build"], warehouse, target)
        node_s = sum(build.timings().values())
        floor_s = plain_sql_floor(warehouse, build.run_results or {})
        rerun_s, _ = timed_dbt(["build"], warehouse, target, dbt_vars={"partition": PARTITION})
        manifest = json.loads((target / "manifest.json").read_text())
        per_node_s, processes = per_node_processes(warehouse, target, manifest)
        nodes = len(build.statuses())

        lines += [
            ("floor: plain SQL of every model and test, one connection", f"{floor_s:.2f} s"),
            ("floor: one dbt process, `dbt parse` (no partial parse)", f"{parse_s:.2f} s"),
            (f"bare `dbt build`, first build ({nodes} nodes, 4 threads)", f"{build_s:.2f} s (nodes {node_s:.2f} s)"),
            ("bare `dbt build --vars partition`, the partition's re-run", f"{rerun_s:.2f} s"),
            (f"one dbt process per task, sequential ({processes} processes)", f"{per_node_s:.2f} s"),
        ]
        if not args.no_airflow:
            project = package(work / "project")
            home = AirflowHome(work / "airflow", warehouse, project.parents[1])
            run = home.run(PARTITION)
            if any(state != "success" for state, _ in run.states.values()):
                raise SystemExit(f"bench: the Airflow run failed: {run.states}")
            dbt_tasks = [s for t, (_, s) in run.states.items() if t.startswith("transform_with_dbt.")]
            lines.append(
                (f"Cosmos task group in Airflow 3.0.6 ({len(dbt_tasks)} tasks, `airflow dags test`)",
                 f"{run.wall_seconds:.2f} s (tasks {sum(dbt_tasks):.2f} s, median task {statistics.median(dbt_tasks):.2f} s)")
            )  # fmt: skip
            parse = parse_times(home)
            lines.append(
                ("DAG parse, warm median of 25: one-task DAG / with the dbt group",
                 f"{parse['floor']['warm'] * 1000:.1f} ms / {parse['group']['warm'] * 1000:.1f} ms "
                 f"({parse['group']['tasks']} tasks; first parse {parse['group']['first'] * 1000:.0f} ms)")
            )  # fmt: skip

    print(f"\ndbt stage benchmark: {args.rows} rows in one partition, PostgreSQL 15 (this machine, one run)")
    width = max(len(label) for label, _ in lines)
    for label, value in lines:
        print(f"  {label:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
