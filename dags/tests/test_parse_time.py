"""Parse time of the DAG file on a warm load (Airflow and the providers already imported, as in the
DAG processor). Printed for the record; bounded only by a generous sanity limit, since figures on
a shared 2-core machine vary. `dags/bench_parse.py` gives the careful figure beside a floor."""

from __future__ import annotations

import statistics
from pathlib import Path

from support import DAG_ID

DAG_FILE = Path(__file__).resolve().parents[1] / "xetl_products_pipeline.py"
SANITY_LIMIT_S = 2.0


def parse_seconds() -> float:
    from airflow.models.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAG_FILE), include_examples=False)
    assert bag.import_errors == {}
    assert DAG_ID in bag.dags
    (stat,) = bag.dagbag_stats
    return stat.duration.total_seconds()


def test_warm_parse_time(capsys):
    first = parse_seconds()  # pays for any module the DAG imports that is not loaded yet
    warm = [parse_seconds() for _ in range(5)]
    median = statistics.median(warm)
    with capsys.disabled():
        print(
            f"\n[parse time] {DAG_FILE.name}: first load {first * 1000:.1f} ms, "
            f"warm median of 5 {median * 1000:.1f} ms (min {min(warm) * 1000:.1f}, max {max(warm) * 1000:.1f})"
        )
    assert median < SANITY_LIMIT_S
