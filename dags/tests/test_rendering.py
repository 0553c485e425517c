"""Every templated field, rendered the way a worker renders it (Task SDK parse + template context
+ the DAG's Jinja environment), for a backfill run, a manual run with the `partition` param, and an
event-triggered run with `conf.partition`; and what happens when the partition is malformed. The SQL
fields hold the statements `xetl_sql` rendered from the rendered parameters.

Expected values are written out literally: they are the contract (docs/data-contract.md), not a
second computation of it.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from support import Run, render, start_task

V = {
    "source": "xetl-test-source-111111111111",
    "staging": "xetl-test-staging-222222222222",
    "target": "xetl-test-target-111111111111",
    "copy_role": "arn:aws:iam::222222222222:role/xetl-test-redshift-copy",
    "chain": "arn:aws:iam::222222222222:role/xetl-test-redshift-unload,"
    "arn:aws:iam::111111111111:role/xetl-test-target-writer",
    "kms": "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "topic": "arn:aws:sns:eu-west-1:222222222222:xetl-test-pipeline",
    "chat_topic": "arn:aws:sns:eu-west-1:222222222222:xetl-test-chat",
    "airflow": "https://0123abcd-4567-89ef-0123-456789abcdef.c2.airflow.eu-west-1.on.aws",
}
# What earlier tasks of the run returned (XCom), for the templates that read them.
XCOM = {
    "start_glue_crawler": "2026-11-19T01:02:03+00:00",
    "start_glue_job": "jr_0123456789abcdef",
    "check_manifest": {"rows_read": 1000, "rows_curated": 957, "rows_quarantined": 43},
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# A backfill run (airflow backfill create) names no partition: its logical date's UTC day is it.
BACKFILL = Run(
    run_id="backfill__2026-11-21T01:00:00+00:00",
    run_type="backfill",
    logical_date=at("2026-11-21T01:00:00+00:00"),
    data_interval=(at("2026-11-21T01:00:00+00:00"), at("2026-11-21T01:00:00+00:00")),
    conf={},
)
# The UI's trigger form sends the params it shows as the run's conf.
MANUAL_PARAM = Run(
    run_id="manual__2026-11-25T10:00:00+00:00",
    run_type="manual",
    logical_date=at("2026-11-25T10:00:00+00:00"),
    data_interval=(at("2026-11-25T10:00:00+00:00"), at("2026-11-25T10:00:00+00:00")),
    conf={"partition": "2026-01-05", "marker": ""},
)
# The event trigger (InvokeRestApi) posts a run with no logical date and the partition in conf.
EVENT_CONF = Run(
    run_id="event__2026-11-20__0123456789abcdef",
    run_type="manual",
    logical_date=None,
    conf={"partition": "2026-11-20", "marker": "s3://xetl-test-source-111111111111/products/year=2026/month=11/day=20/_SUCCESS"},
)

CASES = {
    "backfill": (BACKFILL, "2026-11-21", "year=2026/month=11/day=21"),
    "manual_param": (MANUAL_PARAM, "2026-01-05", "year=2026/month=01/day=05"),
    "event_conf": (EVENT_CONF, "2026-11-20", "year=2026/month=11/day=20"),
}


@pytest.fixture(params=list(CASES), ids=list(CASES))
def case(request):
    return CASES[request.param]


@pytest.fixture(autouse=True)
def xcom_values_stubbed(monkeypatch):
    """XCom stub: the Task SDK reads XCom from the API server, which these render-only tests do not
    run; the values are what the upstream tasks of a run return."""
    from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance

    def xcom_pull(self, task_ids=None, **kwargs):
        return XCOM[task_ids]

    monkeypatch.setattr(RuntimeTaskInstance, "xcom_pull", xcom_pull)


def test_sensor_waits_for_the_marker_itself(case):
    run, _, hive = case
    sensor = render("wait_for_marker", run)
    assert sensor.bucket_name == V["source"]
    assert sensor.bucket_key == f"products/{hive}/_SUCCESS"
    assert sensor.wildcard_match is False
    assert sensor.timeout_seconds == "21600"
    assert sensor.region_name == "eu-west-1"
    assert sensor.aws_conn_id == "aws_default"


def test_crawler_start_and_wait_name_the_crawler_and_the_previous_crawl(case):
    run, _, _ = case
    assert render("start_glue_crawler", run).crawler_name == "xetl-test-products-crawler"
    wait = render("wait_for_glue_crawler", run)
    assert (wait.crawler_name, wait.started_after) == ("xetl-test-products-crawler", XCOM["start_glue_crawler"])


def test_glue_job_arguments_and_the_wait_for_exactly_that_run(case):
    run, partition, _ = case
    job = render("start_glue_job", run)
    assert job.job_name == "xetl-test-products-job"
    assert job.wait_for_completion is False
    assert job.script_args == {
        "--partition": partition,
        "--run_id": run.run_id,
        "--source_uri": f"s3://{V['source']}/products",
        "--staging_uri": f"s3://{V['staging']}/",
    }
    wait = render("wait_for_glue_job", run)
    assert (wait.job_name, wait.run_id) == ("xetl-test-products-job", XCOM["start_glue_job"])


def test_manifest_gate_arguments(case):
    run, partition, _ = case
    assert render("check_manifest", run).op_kwargs == {
        "partition": partition, "dag_run_id": run.run_id, "staging_bucket": V["staging"], "region": "eu-west-1",
        "max_ratio": "0.2",
    }


def test_staging_is_delete_then_copy_in_one_batch(case):
    run, partition, hive = case
    stage = render("stage_partition", run)
    assert [" ".join(s.split()) for s in strip(stage.sql)] == [
        f"DELETE FROM xetl.products_staging WHERE partition_date = CAST('{partition}' AS DATE)",
        f"COPY xetl.products_staging FROM 's3://{V['staging']}/curated/products/{hive}/' "
        f"IAM_ROLE '{V['copy_role']}' FORMAT AS PARQUET",
    ]
    assert (stage.workgroup_name, stage.database, stage.statement_name) == ("xetl-test", "dev", f"xetl_stage_partition_{partition}")


def test_publishing_calls_the_procedure_with_the_manifest_counts_and_the_marker(case):
    run, partition, _ = case
    [call] = strip(render("publish_partition", run).sql)
    marker = f"'{run.conf['marker']}'" if run.conf.get("marker") else "NULL"
    assert " ".join(call.split()) == (
        f"CALL xetl.sp_load_products_partition( CAST('{partition}' AS DATE), '{run.run_id}', "
        f"CAST(1000 AS BIGINT), CAST(43 AS BIGINT), CAST({marker} AS VARCHAR) )"
    )


def test_unload_writes_the_same_partition_path_in_the_target_bucket(case):
    run, partition, hive = case
    [unload] = strip(render("unload_to_target", run).sql)
    text = " ".join(unload.split())
    assert text.startswith("UNLOAD (' SELECT product_id, product_name, category, price, quantity, updated_at, source_file,")
    assert f"WHERE partition_date = CAST(''{partition}'' AS DATE) ORDER BY product_id ')" in text
    assert f"TO 's3://{V['target']}/products/{hive}/part_' IAM_ROLE '{V['chain']}' FORMAT AS PARQUET" in text
    assert text.endswith(f"CLEANPATH KMS_KEY_ID '{V['kms']}' ENCRYPTED")


def test_notification_arguments(case):
    run, partition, hive = case
    common = {
        "partition": partition, "dag_run_id": run.run_id, "environment": "test", "topic_arn": V["topic"], "region": "eu-west-1",
        "chat_topic_arn": V["chat_topic"], "airflow_url": V["airflow"],
    }
    assert render("notify_success", run).op_kwargs == {**common, "target_uri": f"s3://{V['target']}/products/{hive}/"}
    assert render("notify_failure", run).op_kwargs == {
        **common, "marker": run.conf.get("marker") or "", "database": "dev", "workgroup": "xetl-test", "staging_bucket": V["staging"],
    }


def test_the_docs_task_publishes_to_the_staging_buckets_docs_prefix_with_the_groups_settings(case):
    run, partition, _ = case
    docs = render("publish_dbt_docs", run)
    assert (docs.bucket_name, docs.folder_dir, docs.connection_id) == (V["staging"], "dbt-docs", "aws_default")
    assert docs.required_files == ["index.html", "manifest.json", "catalog.json"]
    # The catalog of the tables this run built: the same var, profile and environment as the group.
    assert docs.vars == {"partition": partition}
    assert docs.env == {
        "XETL_DBT_TARGET": "redshift", "XETL_DBT_REDSHIFT_HOST": "xetl-test.222222222222.eu-west-1.redshift-serverless.amazonaws.com",
        "XETL_DBT_REDSHIFT_PORT": "5439", "XETL_DBT_REDSHIFT_DATABASE": "dev", "XETL_DBT_REDSHIFT_REGION": "eu-west-1",
    }
    assert (docs.base_cmd, docs.retries, str(docs.trigger_rule)) == (["docs", "generate"], 0, "all_success")
    # Cosmos runs the upload as its callback: it must be the rendered task's, which knows the bucket.
    assert docs.callback.__self__ is docs


def strip(statements: list[str]) -> list[str]:
    from xetl_sql.sqltext import strip_comments

    return [strip_comments(s).strip() for s in statements]


def test_conf_partition_is_used_even_when_conf_does_not_override_params(monkeypatch):
    # With core.dag_run_conf_overrides_params off, params keep their default "" and only the
    # resolver's direct read of dag_run.conf names the partition.
    monkeypatch.setenv("AIRFLOW__CORE__DAG_RUN_CONF_OVERRIDES_PARAMS", "False")
    ti, context = start_task("start_glue_job", EVENT_CONF)
    assert context["params"]["partition"] == ""
    assert ti.task.script_args["--partition"] == "2026-11-20"


def malformed(conf, logical_date=BACKFILL.logical_date):
    return Run(run_id="manual__bad", run_type="manual", logical_date=logical_date, conf=conf)


def test_impossible_date_fails_at_the_first_task_with_the_resolvers_message():
    from xetl_tasks.partition import PartitionError

    with pytest.raises(
        PartitionError, match=r"dag_run\.conf\['partition'\]: partition '2026-02-30' is not a calendar date"
    ):
        render("wait_for_marker", malformed({"partition": "2026-02-30"}))


def test_wrong_format_is_rejected_by_the_param_schema_before_rendering():
    from airflow.exceptions import ParamValidationError

    with pytest.raises(ParamValidationError, match="partition"):
        render("wait_for_marker", malformed({"partition": "21/11/2026"}))


def test_run_without_logical_date_or_partition_fails_saying_how_to_name_one():
    from xetl_tasks.partition import PartitionError

    with pytest.raises(PartitionError, match="no partition to process"):
        render("start_glue_job", malformed({"marker": "x"}, logical_date=None))


def test_failure_notice_still_renders_when_the_partition_is_what_failed():
    notice = render("notify_failure", malformed({"partition": "2026-02-30"}))
    assert notice.op_kwargs["partition"].startswith("<invalid partition: dag_run.conf['partition']: ")
    assert "'2026-02-30' is not a calendar date" in notice.op_kwargs["partition"]
    assert notice.op_kwargs["topic_arn"] == V["topic"]


def test_success_notice_does_not_hide_a_bad_partition():
    from xetl_tasks.partition import PartitionError

    with pytest.raises(PartitionError):
        render("notify_success", malformed({"partition": "2026-02-30"}))


def test_event_trigger_may_send_a_null_marker():
    run = Run(
        run_id="event__null_marker",
        run_type="manual",
        logical_date=None,
        conf={"partition": "2026-11-20", "marker": None},
    )
    assert render("start_glue_job", run).script_args["--partition"] == "2026-11-20"


def test_non_string_partition_is_rejected_by_the_param_schema():
    from airflow.exceptions import ParamValidationError

    with pytest.raises(ParamValidationError, match="partition"):
        render("start_glue_job", malformed({"partition": 20261120}))
