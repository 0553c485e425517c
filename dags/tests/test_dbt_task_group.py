"""The dbt task group (xetl_tasks.dbt) on real Airflow 3.0.6 and Cosmos 1.15.1: a small DAG that adds
it between a quality gate and an unload parses cleanly from the packaged project's pre-built
manifest, has one `dbt build` task per model between the two, renders the run's partition and the
warehouse profile from the same templates and variable as the rest of the DAG. Parse time is a
benchmark (`nx run dags:bench`, docs/benchmarks.md), not a test. The project is packaged by the dbt project's own code
(`xetl_dbt.package`, in the dbt venv), as `nx run dbt:package` ships it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
GATE, PUBLISH = "check_data_quality", "unload_to_target"
DAG_ID = "dbt_group_under_test"
TEST_DAG = f'''
"""A gate, the dbt group, a publish step: the shape the products pipeline gives it."""
import pendulum
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG
from xetl_tasks.dbt import DbtSettings, add_dbt_task_group
from xetl_tasks.templates import macros

with DAG(dag_id="{DAG_ID}", schedule=None, start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
         user_defined_macros=macros()):
    gate = EmptyOperator(task_id="{GATE}")
    publish = EmptyOperator(task_id="{PUBLISH}")
    gate >> add_dbt_task_group(DbtSettings.from_env()) >> publish
'''


@pytest.fixture(scope="module")
def packaged_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped project with its manifest, built by xetl_dbt.package in the dbt venv."""
    out = tmp_path_factory.mktemp("dbt-package") / "project"
    venv = subprocess.run(
        ["bash", str(REPO_ROOT / "scripts" / "python-env.sh"), "dbt"], capture_output=True, text=True, check=True
    ).stdout.strip()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(REPO_ROOT / p) for p in ("sql/dbt", "sql", "tools/python"))}
    proc = subprocess.run(
        [f"{venv}/bin/python", "-m", "xetl_dbt.package", "--out", str(out)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


@pytest.fixture(scope="module")
def models(packaged_project: Path) -> set[str]:
    nodes = json.loads((packaged_project / "target" / "manifest.json").read_text())["nodes"].values()
    return {n["name"] for n in nodes if n["resource_type"] == "model"}


@pytest.fixture(scope="module")
def dag_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dags") / "dbt_group_under_test.py"
    path.write_text(TEST_DAG)
    return path


def parse(dag_file: Path):
    from airflow.models.dagbag import DagBag

    bag = DagBag(dag_folder=str(dag_file), include_examples=False, safe_mode=False)
    assert bag.import_errors == {}
    (stat,) = bag.dagbag_stats
    return bag.dags[DAG_ID], stat.duration.total_seconds()


@pytest.fixture
def project_env(monkeypatch: pytest.MonkeyPatch, packaged_project: Path) -> None:
    monkeypatch.setenv("XETL_DBT_PROJECT_DIR", str(packaged_project))
    monkeypatch.delenv("XETL_DBT_WAREHOUSE", raising=False)
    monkeypatch.delenv("XETL_DBT_EXECUTABLE", raising=False)


def test_settings_default_to_what_mwaa_has():
    from xetl_tasks.dbt import DEFAULT_DBT_EXECUTABLE, DbtSettings

    settings = DbtSettings.from_env({})
    assert settings.project_dir == REPO_ROOT / "dags" / "dbt"  # the stack uploads the project to dags/dbt/
    assert settings.dbt_executable == DEFAULT_DBT_EXECUTABLE == "/usr/local/airflow/dbt-venv/bin/dbt"
    assert settings.warehouse == "redshift"
    assert settings.manifest_path == REPO_ROOT / "dags" / "dbt" / "target" / "manifest.json"


def test_bad_settings_fail_at_parse_with_the_fix(tmp_path, packaged_project):
    from xetl_tasks.dbt import DbtConfigError, DbtSettings

    with pytest.raises(DbtConfigError, match="not a known warehouse"):
        DbtSettings(project_dir=packaged_project, warehouse="snowflake").check()
    with pytest.raises(DbtConfigError, match="no dbt project at"):
        DbtSettings(project_dir=tmp_path).check()
    (tmp_path / "dbt_project.yml").write_text("name: xetl\n")
    with pytest.raises(DbtConfigError, match=r"no pre-built manifest at .*; build it with `nx run dbt:package`"):
        DbtSettings(project_dir=tmp_path).check()


def test_one_build_task_per_model_between_the_gate_and_the_publish_step(project_env, dag_file, models):
    dag, _ = parse(dag_file)
    group = {t for t in dag.task_dict if t.startswith("transform_with_dbt.")}
    builds = {t for t in group if t.endswith("_model_build")}

    assert builds == {f"transform_with_dbt.{m}_model_build" for m in models}
    assert {type(dag.task_dict[t]).__name__ for t in builds} == {"DbtBuildLocalOperator"}
    # The rest are the tests that read two models, each run once both are built.
    assert all(t.endswith("_test") for t in group - builds)
    assert {"transform_with_dbt.daily_category_summary_reconciles_with_products_test"} <= group - builds
    # Nothing of the group starts before the gate; the publish step waits for all of it.
    assert dag.task_dict[GATE].downstream_task_ids == {
        "transform_with_dbt.stg_products_model_build",
        "transform_with_dbt.stg_pipeline_runs_model_build",
    }
    assert dag.task_dict[PUBLISH].get_flat_relative_ids(upstream=True) >= group
    assert dag.task_dict["transform_with_dbt.stg_products_model_build"].downstream_task_ids >= {
        "transform_with_dbt.daily_category_summary_model_build",
        "transform_with_dbt.products_current_model_build",
        "transform_with_dbt.product_price_history_model_build",
    }


def test_tasks_render_the_runs_partition_and_the_redshift_profile_from_the_pipeline_variable(
    project_env, dag_file, monkeypatch
):
    from airflow.sdk.execution_time.context import VariableAccessor
    from support import TEST_PIPELINE

    # What `xetl bootstrap` adds to the variable once the workgroup exists.
    endpoint = "xetl-test.222222222222.eu-west-1.redshift-serverless.amazonaws.com"
    variable = {**TEST_PIPELINE, "redshift_endpoint": endpoint, "redshift_port": 5439}
    monkeypatch.setenv("AIRFLOW_VAR_XETL_PIPELINE", json.dumps(variable))
    dag, _ = parse(dag_file)
    task = dag.task_dict["transform_with_dbt.daily_category_summary_model_build"]
    assert task.dbt_executable_path == "/usr/local/airflow/dbt-venv/bin/dbt"
    assert task.retries == 0
    assert task.profile_config.target_name == "redshift"
    assert task.profile_config.profiles_yml_filepath == Path(os.environ["XETL_DBT_PROJECT_DIR"]) / "profiles.yml"

    context = {
        "dag_run": SimpleNamespace(conf={"partition": "2026-11-20"}),
        "params": {"partition": ""},
        "logical_date": None,
        "var": {"json": VariableAccessor(deserialize_json=True), "value": VariableAccessor(deserialize_json=False)},
    }
    task.render_template_fields(context, dag.get_template_env())

    assert task.vars == {"partition": "2026-11-20"}
    assert task.env == {
        "XETL_DBT_TARGET": "redshift",
        "XETL_DBT_REDSHIFT_HOST": endpoint,
        "XETL_DBT_REDSHIFT_PORT": "5439",
        "XETL_DBT_REDSHIFT_DATABASE": TEST_PIPELINE["redshift_database"],
        "XETL_DBT_REDSHIFT_REGION": TEST_PIPELINE["region"],
    }


def test_locally_the_profile_comes_from_the_postgres_connection(project_env, dag_file, monkeypatch):
    monkeypatch.setenv("XETL_DBT_WAREHOUSE", "postgres")
    monkeypatch.setenv("XETL_DBT_EXECUTABLE", "/opt/dbt/bin/dbt")
    dag, _ = parse(dag_file)
    task = dag.task_dict["transform_with_dbt.stg_products_model_build"]

    assert task.dbt_executable_path == "/opt/dbt/bin/dbt"
    assert task.profile_config.target_name == "postgres"
    assert task.profile_config.profile_mapping.conn_id == "xetl_warehouse"
    assert task.env == {"XETL_DBT_TARGET": "postgres"}
