"""`nx run local:bench`: time per step and end to end of the local pipeline for 100k and 1M rows.

Prints figures, asserts nothing. The servers and the account A deploy are set up once and timed
separately (they are not part of a partition's run). `--sizes` picks the row counts; the 1M case
takes several minutes on 2 cores, so run it once, not in a loop.

    bash scripts/venv-run.sh airflow python tools/local/bench.py [--sizes 100000,1000000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from xetl_local.pipeline import run_partition  # noqa: E402
from xetl_local.stack import REPO_ROOT, LocalStack  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated row counts")
    parser.add_argument("--bad-ratio", type=float, default=0.05)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    report = []
    with LocalStack(work=REPO_ROOT / ".work" / "local-bench") as stack:
        setup = stack.timings.steps
        for index, rows in enumerate(sizes):
            day = f"2026-10-{index + 1:02d}"
            started = time.monotonic()
            result = run_partition(stack, partition=day, rows=rows, bad_ratio=args.bad_ratio, files=4, read_rows=False)
            total = time.monotonic() - started
            report.append((rows, result, total))
            print(f"{rows} rows: {result.state} in {total:.1f} s", flush=True)

    print("\nlocal pipeline benchmark (this machine; servers and deploy once, not per partition)")
    for name, seconds in setup:
        print(f"  setup  {name:<44} {seconds:7.1f} s")
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
