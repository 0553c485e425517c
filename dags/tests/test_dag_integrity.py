"""The DagBag as the DAG processor sees dags/: imports cleanly, only DAG files, and the one DAG has
the shape, defaults and parse-time hygiene the project requires."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from support import DAG_ID

DAGS_DIR = Path(__file__).resolve().parents[1]

# The task graph, exactly, with the dbt task group as one node (its inside is Cosmos's, from the
# manifest; checked on its own below): task id -> upstream task ids.
DBT_GROUP = "transform_with_dbt"
PIPELINE = [
    "wait_for_marker",
    "start_glue_crawler",
    "wait_for_glue_crawler",
    "start_glue_job",
    "wait_for_glue_job",
    "check_manifest",
    "stage_partition",
    "check_data_quality",
    "publish_partition",
    DBT_GROUP,
    "unload_to_target",
]
EXPECTED_UPSTREAM = {
    **{later: {earlier} for earlier, later in zip(PIPELINE, PIPELINE[1:], strict=False)},
    "wait_for_marker": set(),
    "notify_success": {"unload_to_target"},
    # Beside the success notice, once the partition is published: its failure undoes nothing.
    "publish_dbt_docs": {"unload_to_target"},
    "notify_failure": {*PIPELINE, "publish_dbt_docs"},
}
# The tasks of the DAG file itself (the group's tasks come from the dbt manifest).
TASKS = [t for t in EXPECTED_UPSTREAM if t != DBT_GROUP]


def node(task_id: str) -> str:
    return DBT_GROUP if task_id == DBT_GROUP or task_id.startswith(DBT_GROUP + ".") else task_id


def collapsed_upstream(dag) -> dict[str, set[str]]:
    """Each task's upstream, with every task of the dbt group seen as the one node DBT_GROUP."""
    graph: dict[str, set[str]] = {}
    for task in dag.tasks:
        me = node(task.task_id)
        graph.setdefault(me, set()).update(node(u) for u in task.upstream_task_ids if node(u) != me)
    return graph


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
    assert parsed == {"xetl_products_pipeline.py"}, "tests, xetl_tasks, xetl_sql and bench_parse.py must be ignored"
    ignored = (DAGS_DIR / ".airflowignore").read_text().split()
    assert {"xetl_tasks/", "xetl_sql/", "dbt/", "tests/"} <= set(ignored)


def test_dag_attributes(dag):
    import xetl_products_pipeline as module
    from xetl_tasks.contract import DAG_ID as CONTRACT_DAG_ID

    assert dag.dag_id == CONTRACT_DAG_ID == DAG_ID
    assert dag.doc_md == module.__doc__ and "### xetl products pipeline" in dag.doc_md
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert dag.dagrun_timeout == timedelta(hours=8)
    assert dag.start_date.isoformat() == "2026-11-01T00:00:00+00:00"
    assert set(dag.tags) == {"xetl", "products", "etl", "cross-account"}
    assert dag.params["partition"] == ""
    assert dag.params["marker"] == ""


def test_dag_starts_unpaused_so_the_first_marker_event_runs(dag):
    # A paused DAG ignores every trigger: the event-driven pipeline would never start.
    assert dag.is_paused_upon_creation is False


def test_no_schedule_runs_start_from_events_triggers_and_backfills(dag):
    # A scheduled run waiting for a late day would hold every event-triggered run behind
    # max_active_runs=1 (docs/pipeline-dag.md, "When it runs").
    assert dag.timetable.summary == "None"


def test_every_task_takes_the_one_slot_pool_that_counts_deferred_tasks(dag):
    from xetl_tasks.contract import POOL, POOL_INCLUDE_DEFERRED, POOL_SLOTS

    assert (POOL, POOL_SLOTS, POOL_INCLUDE_DEFERRED) == ("xetl_pipeline", 1, True)
    assert {task.pool for task in dag.tasks} == {POOL}


# dbt commands do not retry (a failure is a failed test or a SQL error; xetl_tasks.dbt), the docs
# task included; every other task retries service blips with growing pauses.
@pytest.mark.parametrize("task_id", [t for t in TASKS if t != "publish_dbt_docs"])
def test_every_task_has_owner_and_retries_with_exponential_backoff(dag, task_id):
    task = dag.get_task(task_id)
    assert task.owner == "xetl-data-engineering"
    assert task.retries == 3
    assert task.retry_exponential_backoff is True
    assert task.retry_delay == timedelta(minutes=2)
    assert task.max_retry_delay == timedelta(minutes=30)


def test_dbt_commands_do_not_retry(dag):
    dbt = [t for t in dag.tasks if node(t.task_id) == DBT_GROUP or t.task_id == "publish_dbt_docs"]
    assert len(dbt) > 5
    assert {(t.owner, t.retries) for t in dbt} == {("xetl-data-engineering", 0)}


def test_task_graph_is_exactly_the_pipeline_order(dag):
    assert collapsed_upstream(dag) == EXPECTED_UPSTREAM
    downstream = {task.task_id: set(task.downstream_task_ids) for task in dag.tasks}
    for earlier, later in zip(PIPELINE[:-2], PIPELINE[1:-1], strict=True):
        if DBT_GROUP not in (earlier, later):
            assert downstream[earlier] == {later, "notify_failure"}
    assert downstream["unload_to_target"] == {"notify_success", "publish_dbt_docs", "notify_failure"}
    assert downstream["notify_success"] == downstream["publish_dbt_docs"] - {"notify_failure"} == set()
    assert downstream["notify_failure"] == set()


def test_the_dbt_group_runs_between_the_publish_and_the_unload(dag):
    group = {t.task_id for t in dag.tasks if node(t.task_id) == DBT_GROUP}
    roots = {t for t in group if not dag.get_task(t).upstream_task_ids & group}
    leaves = {t for t in group if not dag.get_task(t).downstream_task_ids & group}
    # Every model starts from the published partition; the unload waits for every leaf (a failed
    # model or test leaves it upstream_failed), and the failure notice watches them.
    assert {u for t in roots for u in dag.get_task(t).upstream_task_ids} == {"publish_partition"}
    assert dag.get_task("unload_to_target").upstream_task_ids == leaves
    assert leaves <= dag.get_task("notify_failure").upstream_task_ids
    assert "transform_with_dbt.daily_category_summary_model_build" in group


def test_trigger_rules(dag):
    rules = {task.task_id: str(task.trigger_rule) for task in dag.tasks}
    assert rules.pop("notify_failure") == "one_failed"
    assert set(rules.values()) == {"all_success"}


def test_waits_are_bounded_without_holding_a_worker(dag):
    # Deferred waits end by the trigger's own timeout; the crawler sensor reschedules between pokes.
    assert dag.get_task("wait_for_marker").deferrable is True
    glue_wait = dag.get_task("wait_for_glue_job")
    assert glue_wait.deferrable is True
    assert glue_wait.poke_interval * glue_wait.max_retries == timedelta(hours=3, minutes=15).total_seconds()
    crawler_wait = dag.get_task("wait_for_glue_crawler")
    assert (crawler_wait.mode, crawler_wait.timeout) == ("reschedule", 3600)


def test_submitting_never_waits_so_a_retried_wait_never_submits_again(dag):
    assert dag.get_task("start_glue_job").wait_for_completion is False
    assert dag.get_task("start_glue_job").deferrable is False


def test_statements_run_in_the_worker_under_execution_timeout(dag):
    for task_id in ("stage_partition", "publish_partition", "unload_to_target"):
        task = dag.get_task(task_id)
        assert task.execution_timeout == timedelta(hours=1), task_id


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


def test_the_runtime_named_by_import_path_builds_the_same_graph(monkeypatch):
    # Any other runtime (the local run's lives with the local runner) swaps the engines, never the graph.
    monkeypatch.setenv("XETL_RUNTIME", "fake_runtime:FakeRuntime")
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent))
    bag = load_dagbag()
    assert not bag.import_errors
    other = bag.dags[DAG_ID]
    assert collapsed_upstream(other) == EXPECTED_UPSTREAM
    assert {type(task).__name__ for task in other.tasks} == {"EmptyOperator"}


def test_an_unknown_runtime_fails_the_import_naming_the_setting(monkeypatch):
    monkeypatch.setenv("XETL_RUNTIME", "gcp")
    bag = load_dagbag()
    (error,) = bag.import_errors.values()
    assert "XETL_RUNTIME='gcp': expected 'aws' or an import path 'package.module:Class'" in error


def test_nothing_local_ships_in_the_dags_folder():
    # dags/ holds only what runs on MWAA: nothing starts processes or imports the local runtime.
    import re

    local = re.compile(r"^\s*(?:import|from)\s+(?:subprocess|xetl_local)\b", re.MULTILINE)
    for path in DAGS_DIR.rglob("*.py"):
        if "tests" in path.relative_to(DAGS_DIR).parts or path.name == "bench_parse.py":
            continue
        assert not local.search(path.read_text()), path
