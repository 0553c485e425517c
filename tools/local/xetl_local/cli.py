"""`npm run local` / `nx run local:run`: the whole pipeline on this machine, then a summary.

    npm run local -- [--rows N] [--bad-ratio R] [--date D] [--keep] [--event [--event-timeout S]]
    (= bash tools/local/run.sh ..., which runs `python -m xetl_local.cli` in the airflow venv)
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from datetime import date
from pathlib import Path

from xetl_local.pipeline import render_summary, run_partition
from xetl_local.stack import REPO_ROOT, TIMINGS_FILE, LocalRunError, LocalStack, PrerequisiteError


def _day(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"--date must be YYYY-MM-DD, got {text!r}") from None


def _ratio(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"--bad-ratio must be between 0 and 1, got {text}")
    return value


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="npm run local --", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000, help="data lines in the sample partition (default 1000)")
    parser.add_argument("--bad-ratio", type=_ratio, default=0.05, help="share of bad lines, 0..1 (default 0.05)")
    parser.add_argument("--date", type=_day, default="2026-11-21", help="partition day YYYY-MM-DD (default 2026-11-21)")
    parser.add_argument("--files", type=int, default=2, help="CSV files to split the sample into (default 2)")
    parser.add_argument("--seed", type=int, default=7, help="generator seed (same seed, same bytes)")
    parser.add_argument("--keep", action="store_true", help="leave moto and PostgreSQL running for exploration")
    parser.add_argument("--event", action="store_true",
                        help="drop only; the marker's event (S3 -> EventBridge A -> B -> SQS -> trigger handler) starts the DAG")
    parser.add_argument("--event-timeout", type=float, default=60.0,
                        help="with --event: seconds to wait for the event-driven run to start (default 60)")
    parser.add_argument("--work-dir", type=Path, default=REPO_ROOT / ".work" / "local", help="state directory (git-ignored)")
    args = parser.parse_args(argv)

    # nx (or a CI runner) stops a target with SIGTERM: turn it into KeyboardInterrupt so the
    # `with` block below stops moto and PostgreSQL instead of leaving them behind.
    signal.signal(signal.SIGTERM, _interrupt)
    # boto3 logs "Found credentials in environment variables" at INFO once Airflow has configured
    # logging; the run's own lines are what a person reads here.
    logging.getLogger("botocore").setLevel(logging.WARNING)
    print(f"xetl local run: partition {args.date}, {args.rows} rows, {args.bad_ratio:.0%} bad; state in {args.work_dir}")
    from xetl_local.event_mode import EventTimeout

    try:
        with LocalStack(work=args.work_dir, keep=args.keep) as stack:
            print(f"  moto {stack.endpoint}, PostgreSQL {stack.pg_dsn}, account A "
                  f"{'restored' if stack.deploy_report.get('restoredFrom') else 'deployed'} "
                  f"({stack.deploy_report.get('resourcesAdded')} resources)", flush=True)
            result = run_partition(
                stack, partition=args.date, rows=args.rows, bad_ratio=args.bad_ratio, files=args.files, seed=args.seed,
                event=args.event, event_timeout=args.event_timeout,
            )
            print(render_summary(stack, result))
            stack.timings.save(args.work_dir / TIMINGS_FILE, result.timings)
    except PrerequisiteError as err:
        print(f"xetl local: {err}", file=sys.stderr)
        return 2
    except LocalRunError as err:
        print(f"xetl local: {err}", file=sys.stderr)
        return 1
    except EventTimeout as err:
        print(f"xetl local: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("xetl local: interrupted; servers stopped", file=sys.stderr)
        return 130
    if not result.succeeded:
        print(f"xetl local: the DAG run failed for partition {args.date} (see 'why it failed' above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
