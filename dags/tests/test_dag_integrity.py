"""The DagBag as the DAG processor sees dags/: imports cleanly, only DAG files, and the one DAG has
the shape, defaults and parse-time hygiene the project requires."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from support import DAG_ID

DAGS_DIR = Path(__file__).resolve().parents[1]

# The task graph, exactly: task id -> upstream task ids.
PIPELINE = [
    "wait_for_source_files",
    "run_glue_crawler",
    "run_glue_job",
    "load_warehouse_partition",
    "check_data_quality",
    "unload_to_target",
]
EXPECTED_UPSTREAM = {
    "wait_for_source_files": set(),
    "run_glue_crawler": {"wait_for_source_files"},
    "run_glue_job": {"run_glue_crawler"},
    "load_warehouse_partition": {"run_glue_job"},
    "check_data_quality": {"load_warehouse_partition"},
    "unload_to_target": {"check_data_quality"},
    "notify_success": {"unload_to_target"},
    "notify_failure": set(PIPELINE),
}


def load_dagbag():
    from airflow.models.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR), include_examples=False)


@pytest.fixture(scope="module")
def dagbag():
    return load_dagbag()


@pytest.fixture(scope="module")
def dag(dagbag):
    return dagbag.dags[DAG_ID]


def test_dags_folder_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert list(dagbag.dags) == [DAG_ID]


def test_airflowignore_keeps_non_dag_files_out_of_the_dagbag(dagbag):
    parsed = {Path(stat.file).name for stat in dagbag.dagbag_stats}
    assert parsed == {"xetl_products_pipeline.py"}, "tests, xetl_tasks and bench_parse.py must be ignored"


def test_dag_attributes(dag):
    import xetl_products_pipeline as module

    assert dag.dag_id == module.DAG_ID == DAG_ID
    assert dag.doc_md == module.__doc__ and "### xetl products pipeline" in dag.doc_md
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert dag.start_date.isoformat() == "2026-11-01T00:00:00+00:00"
    assert set(dag.tags) == {"xetl", "products", "etl", "cross-account"}
    assert dag.params["partition"] == ""
    assert dag.params["marker"] == ""


def test_daily_schedule_covers_the_previous_utc_day(dag):
    from airflow.timetables.interval import CronDataIntervalTimetable

    assert isinstance(dag.timetable, CronDataIntervalTimetable)
    assert dag.timetable.summary == "0 1 * * *"
    # The run at 2026-11-22 01:00 UTC covers 2026-11-21 01:00 -> 2026-11-22 01:00: logical date D.
    interval = dag.timetable.infer_manual_data_interval(
        run_after=__import__("pendulum").datetime(2026, 11, 22, 1, tz="UTC")
    )
    assert interval.start.isoformat() == "2026-11-21T01:00:00+00:00"


@pytest.mark.parametrize("task_id", list(EXPECTED_UPSTREAM))
def test_every_task_has_owner_and_retries_with_exponential_backoff(dag, task_id):
    task = dag.get_task(task_id)
    assert task.owner == "xetl-data-engineering"
    assert task.retries == 3
    assert task.retry_exponential_backoff is True
    assert task.retry_delay == timedelta(minutes=2)
    assert task.max_retry_delay == timedelta(minutes=30)


def test_task_graph_is_exactly_the_pipeline_order(dag):
    assert {task.task_id: set(task.upstream_task_ids) for task in dag.tasks} == EXPECTED_UPSTREAM
    downstream = {task.task_id: set(task.downstream_task_ids) for task in dag.tasks}
    for earlier, later in zip(PIPELINE, PIPELINE[1:] + ["notify_success"], strict=True):
        assert downstream[earlier] == {later, "notify_failure"}
    assert downstream["notify_success"] == set()
    assert downstream["notify_failure"] == set()


def test_trigger_rules(dag):
    rules = {task.task_id: str(task.trigger_rule) for task in dag.tasks}
    assert rules.pop("notify_failure") == "one_failed"
    assert set(rules.values()) == {"all_success"}


def test_long_waits_are_deferrable(dag):
    for task_id in (
        "wait_for_source_files",
        "run_glue_crawler",
        "run_glue_job",
        "load_warehouse_partition",
        "unload_to_target",
    ):
        assert dag.get_task(task_id).deferrable is True, task_id


def test_crawler_is_given_only_its_name(dag):
    # More keys would make the operator call UpdateCrawler on the infrastructure's crawler.
    assert list(dag.get_task("run_glue_crawler").config) == ["Name"]


def test_parse_needs_no_variable_and_no_aws(monkeypatch):
    # With the variable gone and AWS unreachable, a parse that read either would fail to import.
    monkeypatch.delenv("AIRFLOW_VAR_XETL_PIPELINE")
    bag = load_dagbag()
    assert bag.import_errors == {}
    assert DAG_ID in bag.dags


def test_every_parse_serialises_identically():
    # A clock read or any I/O-dependent value at parse time would make two parses differ, and
    # each difference would be stored as a new DAG version by the DAG processor.
    import time

    from airflow.serialization.serialized_objects import SerializedDAG

    first = SerializedDAG.to_dict(load_dagbag().dags[DAG_ID])
    time.sleep(0.01)
    second = SerializedDAG.to_dict(load_dagbag().dags[DAG_ID])
    assert first == second


def test_local_target_builds_the_same_graph(monkeypatch):
    # The local target (dags/xetl_tasks/local.py) swaps the engines, never the graph.
    monkeypatch.setenv("XETL_TARGET", "local")
    bag = load_dagbag()
    assert not bag.import_errors
    local = bag.dags[DAG_ID]
    assert {task.task_id: set(task.upstream_task_ids) for task in local.tasks} == EXPECTED_UPSTREAM


def test_unknown_target_fails_the_import_naming_the_choices(monkeypatch):
    monkeypatch.setenv("XETL_TARGET", "gcp")
    bag = load_dagbag()
    (error,) = bag.import_errors.values()
    assert "XETL_TARGET='gcp' is not a known target; expected one of ('aws', 'local')" in error
