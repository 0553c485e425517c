"""Every templated field, rendered the way a worker renders it (Task SDK parse + template context
+ the DAG's Jinja environment), for a scheduled run, a manual run with the `partition` param, and an
event-triggered run with `conf.partition`; and what happens when the partition is malformed.

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
    "secret": "arn:aws:secretsmanager:eu-west-1:222222222222:secret:xetl-test-redshift-AbCdEf",
    "copy_role": "arn:aws:iam::222222222222:role/xetl-test-redshift-copy",
    "chain": "arn:aws:iam::222222222222:role/xetl-test-redshift-unload,"
    "arn:aws:iam::111111111111:role/xetl-test-target-writer",
    "kms": "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "topic": "arn:aws:sns:eu-west-1:222222222222:xetl-test-pipeline",
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


SCHEDULED = Run(
    run_id="scheduled__2026-11-21T01:00:00+00:00",
    run_type="scheduled",
    logical_date=at("2026-11-21T01:00:00+00:00"),
    data_interval=(at("2026-11-21T01:00:00+00:00"), at("2026-11-22T01:00:00+00:00")),
    conf={},
)
# The UI's trigger form sends the params it shows as the run's conf.
MANUAL_PARAM = Run(
    run_id="manual__2026-11-25T10:00:00+00:00",
    run_type="manual",
    logical_date=at("2026-11-25T10:00:00+00:00"),
    data_interval=(at("2026-11-24T01:00:00+00:00"), at("2026-11-25T01:00:00+00:00")),
    conf={"partition": "2026-01-05", "marker": ""},
)
# The event trigger (InvokeRestApi) posts a run with no logical date and the partition in conf.
EVENT_CONF = Run(
    run_id="event__2026-11-20T23:59:58Z_feed",
    run_type="manual",
    logical_date=None,
    conf={"partition": "2026-11-20", "marker": "products/year=2026/month=11/day=20/_SUCCESS"},
)

CASES = {
    "scheduled": (SCHEDULED, "2026-11-21", "year=2026/month=11/day=21"),
    "manual_param": (MANUAL_PARAM, "2026-01-05", "year=2026/month=01/day=05"),
    "event_conf": (EVENT_CONF, "2026-11-20", "year=2026/month=11/day=20"),
}


@pytest.fixture(params=list(CASES), ids=list(CASES))
def case(request):
    return CASES[request.param]


def test_sensor_waits_for_data_files_under_the_partition_prefix(case):
    run, _, hive = case
    sensor = render("wait_for_source_files", run)
    assert sensor.bucket_name == V["source"]
    assert sensor.bucket_key == f"products/{hive}/[!_.]*.csv"
    assert sensor.wildcard_match is True
    assert sensor.timeout_seconds == "21600"
    assert sensor.region_name == "eu-west-1"
    assert sensor.aws_conn_id == "aws_default"


def test_crawler_config(case):
    run, _, _ = case
    assert render("run_glue_crawler", run).config == {"Name": "xetl-test-products-crawler"}


def test_glue_job_arguments(case):
    run, partition, _ = case
    job = render("run_glue_job", run)
    assert job.job_name == "xetl-test-products-job"
    assert job.script_args == {
        "--partition": partition,
        "--run_id": run.run_id,
        "--source_uri": f"s3://{V['source']}/products",
        "--staging_uri": f"s3://{V['staging']}/",
    }


def test_load_is_delete_copy_call_in_one_batch(case):
    run, partition, hive = case
    load = render("load_warehouse_partition", run)
    assert load.sql == [
        f"DELETE FROM xetl.products_staging WHERE partition_date = '{partition}'",
        f"COPY xetl.products_staging FROM 's3://{V['staging']}/curated/products/{hive}/' "
        f"IAM_ROLE '{V['copy_role']}' FORMAT AS PARQUET",
        # An event-triggered run records its marker in the audit row (5-argument form).
        f"CALL xetl.sp_load_products_partition('{partition}', '{run.run_id}', NULL, NULL, "
        f"'s3://{V['source']}/{run.conf['marker']}')"
        if run.conf.get("marker")
        else f"CALL xetl.sp_load_products_partition('{partition}', '{run.run_id}')",
    ]
    assert (load.workgroup_name, load.database, load.secret_arn) == ("xetl-test", "dev", V["secret"])
    assert load.statement_name == f"xetl_load_{partition}"


def test_quality_check_arguments(case):
    run, partition, _ = case
    check = render("check_data_quality", run)
    assert check.op_kwargs == {
        "partition": partition,
        "dag_run_id": run.run_id,
        "staging_bucket": V["staging"],
        "database": "dev",
        "workgroup": "xetl-test",
        "secret_arn": V["secret"],
        "region": "eu-west-1",
    }


def test_unload_writes_the_same_partition_path_in_the_target_bucket(case):
    run, partition, hive = case
    unload = render("unload_to_target", run)
    assert unload.sql == (
        "UNLOAD ('SELECT product_id, product_name, category, price, quantity, updated_at, source_file, "
        f"partition_date, run_id, loaded_at FROM xetl.products WHERE partition_date = ''{partition}''') "
        f"TO 's3://{V['target']}/products/{hive}/' "
        f"IAM_ROLE '{V['chain']}' FORMAT AS PARQUET CLEANPATH KMS_KEY_ID '{V['kms']}' ENCRYPTED"
    )
    assert (unload.workgroup_name, unload.database, unload.secret_arn) == ("xetl-test", "dev", V["secret"])


def test_notification_arguments(case):
    run, partition, hive = case
    common = {
        "partition": partition,
        "dag_run_id": run.run_id,
        "environment": "test",
        "topic_arn": V["topic"],
        "region": "eu-west-1",
    }
    assert render("notify_success", run).op_kwargs == {
        **common,
        "target_uri": f"s3://{V['target']}/products/{hive}/",
    }
    assert render("notify_failure", run).op_kwargs == common


def test_conf_partition_is_used_even_when_conf_does_not_override_params(monkeypatch):
    # With core.dag_run_conf_overrides_params off, params keep their default "" and only the
    # resolver's direct read of dag_run.conf names the partition.
    monkeypatch.setenv("AIRFLOW__CORE__DAG_RUN_CONF_OVERRIDES_PARAMS", "False")
    ti, context = start_task("run_glue_job", EVENT_CONF)
    assert context["params"]["partition"] == ""
    assert ti.task.script_args["--partition"] == "2026-11-20"


def malformed(conf, logical_date=SCHEDULED.logical_date):
    return Run(run_id="manual__bad", run_type="manual", logical_date=logical_date, conf=conf)


def test_impossible_date_fails_at_the_first_task_with_the_resolvers_message():
    from xetl_tasks.partition import PartitionError

    with pytest.raises(
        PartitionError, match=r"dag_run\.conf\['partition'\]: partition '2026-02-30' is not a calendar date"
    ):
        render("wait_for_source_files", malformed({"partition": "2026-02-30"}))


def test_wrong_format_is_rejected_by_the_param_schema_before_rendering():
    from airflow.exceptions import ParamValidationError

    with pytest.raises(ParamValidationError, match="partition"):
        render("wait_for_source_files", malformed({"partition": "21/11/2026"}))


def test_run_without_logical_date_or_partition_fails_saying_how_to_name_one():
    from xetl_tasks.partition import PartitionError

    with pytest.raises(PartitionError, match="no partition to process"):
        render("run_glue_job", malformed({"marker": "x"}, logical_date=None))


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
    assert render("run_glue_job", run).script_args["--partition"] == "2026-11-20"


def test_non_string_partition_is_rejected_by_the_param_schema():
    from airflow.exceptions import ParamValidationError

    with pytest.raises(ParamValidationError, match="partition"):
        render("run_glue_job", malformed({"partition": 20261120}))
