"""Parse-time benchmark: the DAG file's warm parse time beside a floor measured in the same run.

    bash scripts/venv-run.sh airflow python dags/bench_parse.py [--loads N]

For each of two files (the floor, a trivial one-task DAG written to a temp dir, and
``xetl_products_pipeline.py``), a fresh interpreter imports Airflow, loads the file once ("cold":
its first parse pays for the provider modules it imports) and then N more times ("warm": what the
DAG processor pays per parse once those modules are loaded); the cold figure is the median of a
few fresh interpreters. Times are DagBag's own per-file
``FileLoadStat.duration``, the figure Airflow reports as the file's parse time. Prints a table;
exits non-zero if a file fails to import.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

DAGS_DIR = Path(__file__).resolve().parent
DAG_FILE = DAGS_DIR / "xetl_products_pipeline.py"
FLOOR_DAG = '''\
"""Floor for the parse benchmark: one DAG, one task, nothing else."""
import pendulum
from airflow.sdk import dag, task


@dag(dag_id="bench_floor", schedule=None, start_date=pendulum.datetime(2026, 11, 1, tz="UTC"), catchup=False)
def bench_floor():
    @task
    def noop() -> None:
        """Do nothing."""

    noop()


bench_floor()
'''


def _worker(path: str, loads: int) -> None:
    """Runs in the child: import Airflow, then time one cold and ``loads`` warm parses of ``path``."""
    from airflow.models.dagbag import DagBag

    times = []
    for _ in range(loads + 1):
        bag = DagBag(dag_folder=path, include_examples=False, safe_mode=False)
        if bag.import_errors:
            print(json.dumps({"error": bag.import_errors}))
            sys.exit(1)
        (stat,) = bag.dagbag_stats
        times.append(stat.duration.total_seconds())
    print(json.dumps({"cold": times[0], "warm": times[1:], "tasks": stat.task_num}))


def _child(path: Path, loads: int, env: dict[str, str]) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", str(path), "--loads", str(loads)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit(f"bench_parse: parsing {path} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _measure(path: Path, loads: int, cold_runs: int, env: dict[str, str]) -> dict:
    """Warm loads from one child; the cold figure is the median over ``cold_runs`` fresh children
    (a single cold parse on a shared 2-core machine varies by a factor of two)."""
    first = _child(path, loads, env)
    colds = [first["cold"]] + [_child(path, 0, env)["cold"] for _ in range(cold_runs - 1)]
    return {**first, "cold": statistics.median(colds)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--loads", type=int, default=25, help="warm loads per file (default 25)")
    parser.add_argument(
        "--cold-runs", type=int, default=3, help="fresh interpreters for the cold figure (default 3)"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.worker, args.loads)
        return

    with tempfile.TemporaryDirectory(prefix="xetl-bench-parse-") as tmp:
        floor = Path(tmp, "bench_floor.py")
        floor.write_text(FLOOR_DAG)
        env = {
            **os.environ,
            # A throw-away Airflow home unless the caller chose one; no examples; quiet logs.
            "AIRFLOW_HOME": os.environ.get("AIRFLOW_HOME") or str(Path(tmp, "airflow-home")),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "ERROR",
            # The DAG imports its task factory from dags/, as on MWAA where dags/ is on sys.path.
            "PYTHONPATH": os.pathsep.join(filter(None, [str(DAGS_DIR), os.environ.get("PYTHONPATH")])),
        }
        results = {
            "floor (1-task DAG)": _measure(floor, args.loads, args.cold_runs, env),
            DAG_FILE.name: _measure(DAG_FILE, args.loads, args.cold_runs, env),
        }

    print(
        f"DAG file parse time (ms), DagBag FileLoadStat: cold = median first parse of {args.cold_runs} fresh "
        f"interpreters, warm = {args.loads} further parses in one"
    )
    print(f"{'file':<28}{'tasks':>6}{'cold':>9}{'warm median':>13}{'warm min':>10}{'warm max':>10}")
    for name, r in results.items():
        warm = r["warm"]
        print(
            f"{name:<28}{r['tasks']:>6}{r['cold'] * 1000:>9.1f}{statistics.median(warm) * 1000:>13.1f}"
            f"{min(warm) * 1000:>10.1f}{max(warm) * 1000:>10.1f}"
        )
    floor_med = statistics.median(results["floor (1-task DAG)"]["warm"])
    dag_med = statistics.median(results[DAG_FILE.name]["warm"])
    print(f"warm median over floor: +{(dag_med - floor_med) * 1000:.1f} ms ({dag_med / floor_med:.1f}x)")
    cold_gap = results[DAG_FILE.name]["cold"] - results["floor (1-task DAG)"]["cold"]
    print(f"cold over floor: {cold_gap * 1000:+.1f} ms (first parse in a process, imports included)")


if __name__ == "__main__":
    main()
