"""The dbt task group executed by real Airflow 3.0.6 and Cosmos 1.15.1 (``airflow dags test`` in the
airflow venv) on the packaged project (dist/dbt/project, from `nx run dbt:package`), the dbt venv's
executable and a PostgreSQL warehouse reached through an Airflow connection: every model is built
and tested in its own task; a failing dbt test fails its task with the test named, and neither the
marts downstream of it nor the publish step run."""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal

import pytest
from sample import D1, D2, D3, PARTITIONS, RUNS, category_summary, load, summary_figures, summary_rows
from xetl_dbt.airflow_run import GATE, PUBLISH, AirflowHome
from xetl_dbt.package import DEFAULT_OUT as PACKAGED_PROJECT
from xetl_dbt.warehouse import REPO_ROOT

MODELS = ("stg_products", "stg_pipeline_runs", "daily_category_summary", "products_current", "product_price_history")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module", autouse=True)
def airflow_venv() -> None:
    subprocess.run(["bash", str(REPO_ROOT / "scripts" / "python-env.sh"), "airflow"], capture_output=True, check=True)
    if not (PACKAGED_PROJECT / "target" / "manifest.json").is_file():
        pytest.fail(f"{PACKAGED_PROJECT} is missing: build it with `nx run dbt:package` (the test target depends on it)")


def test_the_group_builds_every_model_then_a_failing_test_stops_its_branch_and_the_publish_step(warehouse, tmp_path):
    load(warehouse, PARTITIONS)
    home = AirflowHome(tmp_path, warehouse, PACKAGED_PROJECT)

    first = home.run(D3)

    failed = {t: s for t, (s, _) in first.states.items() if s != "success"}
    assert failed == {}, _ANSI.sub("", first.log)[-4000:]
    assert {f"transform_with_dbt.{m}_model_build" for m in MODELS} <= set(first.states)
    assert first.state(GATE) == first.state(PUBLISH) == "success"
    # The first run builds every partition (the tables did not exist yet).
    assert summary_figures(warehouse) == category_summary(PARTITIONS)
    published = summary_rows(warehouse)

    # A negative price reaches the warehouse for D2; the run for D2 must stop at stg_products' tests.
    bad = [*PARTITIONS[D2][:-1], {**PARTITIONS[D2][-1], "price": Decimal("-1.00")}]
    warehouse.load_partition(D2, bad, RUNS[D2] + "-bad")

    second = home.run(D2)

    assert second.state("transform_with_dbt.stg_products_model_build") == "failed"
    assert "xetl_in_range_stg_products_price__0" in _ANSI.sub("", second.log)
    for model in ("daily_category_summary", "products_current", "product_price_history"):
        assert second.state(f"transform_with_dbt.{model}_model_build") == "upstream_failed", model
    assert second.state(PUBLISH) == "upstream_failed"
    assert summary_rows(warehouse) == published
    assert D1 in {key[0] for key in published}
