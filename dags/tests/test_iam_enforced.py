"""Every AWS call the DAG makes, authorised against the synthesized policies (IAM-enforcing emulator).

The dev environment's synthesized stacks are deployed into moto_server with xetl's evaluator as
its authoriser (``xetl_harness.iam_server``): MWAA's execution role with its policies exactly as
synthesized, the buckets, key, crawler, job, topic and secrets they name, account A's bucket
policy for the cross-account reads, and the MWAA VPC's endpoint policies. Each task is then
started the way an MWAA worker starts it, from the parsed DAG, signed as the execution role; a
deferred task's trigger runs as the triggerer runs it (same role) and the operator resumes in
``execute_complete``. The emulator records every decision; a task passes when nothing it did was
refused, and fails naming each refused action, its resource, the role and why.

The services behind the calls are moto's (a crawler that never finishes, a Glue job and Redshift
statements that "succeed" without running): this test is about who may call what, not about
what the calls do. What it cannot see is listed in docs/testing.md.
"""

from __future__ import annotations

import json

import pytest
from iam_support import ApiServerStandIn, deploy_pipeline, run_task
from support import Run, start_task

RUN = Run(
    run_id="event__2026-11-21__0123456789abcdef",
    run_type="manual",
    logical_date=None,
    conf={"partition": "2026-11-21"},
)
PARTITION_PATH = "products/year=2026/month=11/day=21/"
MANIFEST = {
    "partition": "2026-11-21", "run_id": RUN.run_id, "rows_read": 2, "rows_curated": 2, "rows_quarantined": 0,
    "quarantined_by_reason": {}, "source_files": [f"s3://source/{PARTITION_PATH}feed-1.csv"],
}

# What each task must at least have called for its run to count (a test that saw no calls proves
# nothing): the operator's own calls, including those its trigger makes while polling.
EXPECTED_CALLS = {
    "wait_for_marker": {"s3:GetObject"},
    "start_glue_crawler": {"glue:GetCrawler", "glue:StartCrawler"},
    "wait_for_glue_crawler": {"glue:GetCrawler"},
    "start_glue_job": {"glue:GetJob", "glue:StartJobRun"},
    "wait_for_glue_job": {"glue:GetJobRun"},
    "check_manifest": {"s3:GetObject"},
    "stage_partition": {"redshift-data:BatchExecuteStatement", "redshift-data:DescribeStatement"},
    "check_data_quality": {"redshift-data:ExecuteStatement", "redshift-data:DescribeStatement", "redshift-data:GetStatementResult"},
    "publish_partition": {"redshift-data:ExecuteStatement", "redshift-data:DescribeStatement"},
    "unload_to_target": {"redshift-data:ExecuteStatement", "redshift-data:DescribeStatement"},
    "notify_success": {"sns:Publish"},
    "notify_failure": {"redshift-data:BatchExecuteStatement", "sns:Publish"},
}
# Tasks that must hand their wait to the triggerer here, so that the trigger's polling calls are
# made (and authorised) as on MWAA. The crawler's wait reschedules instead; Redshift statements are
# polled in the worker.
EXPECTED_TRIGGERS = {
    "wait_for_marker": ["S3KeyTrigger"],
    "wait_for_glue_job": ["GlueJobCompleteTrigger"],
}
# What earlier tasks returned, for the tasks that read XCom (the Glue job's run id is a real one).
XCOMS = {"start_glue_crawler": "", "check_manifest": MANIFEST}


@pytest.fixture(scope="module")
def pipeline():
    from iam_support import REPO_ROOT
    from xetl_harness.iam_emulator import IamEmulator, tools_python

    with IamEmulator.start(tools_python(REPO_ROOT)) as emulator:
        deployed = deploy_pipeline(emulator)
        variable = deployed.variable
        # The Glue job's manifest for the partition, which the quality check reads.
        emulator.client("s3", account=deployed.analytics_account).put_object(
            Bucket=variable["staging_bucket"],
            Key=f"manifests/{PARTITION_PATH}manifest.json",
            Body=json.dumps(MANIFEST).encode(),
        )
        # A run of the Glue job for the wait to watch (started before enforcement, as by start_glue_job).
        deployed.job_run_id = emulator.client("glue", account=deployed.analytics_account).start_job_run(
            JobName=variable["glue_job"]
        )["JobRunId"]
        # Record mode: a refused call is written down and let through, so one run lists every
        # missing permission instead of stopping at the first.
        emulator.configure(mode="record")
        emulator.enforce()
        yield deployed


@pytest.fixture
def as_mwaa(pipeline, monkeypatch):
    """The worker's environment on MWAA: the execution role's credentials, and the variable."""
    for name, value in pipeline.mwaa.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", pipeline.emulator.endpoint)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("AIRFLOW_VAR_XETL_PIPELINE", json.dumps(pipeline.variable))
    pipeline.emulator.mark()
    return pipeline


def refused(pipeline, what: str) -> str:
    denials = pipeline.emulator.denials()
    lines = "\n".join(f"  - {d.line()}" for d in denials)
    return f"{what}: {len(denials)} call(s) the synthesized policies do not allow:\n{lines}"


def test_the_worker_reads_its_variable_through_the_secrets_backend(as_mwaa):
    from airflow.providers.amazon.aws.secrets.secrets_manager import SecretsManagerBackend

    backend = SecretsManagerBackend(**as_mwaa.secrets_backend_kwargs, region_name=as_mwaa.variable["region"])
    # MWAA asks the backend for the connection first, then the variable.
    assert backend.get_conn_value("aws_default") is None
    assert json.loads(backend.get_variable("xetl_pipeline")) == as_mwaa.variable
    assert not as_mwaa.emulator.denials(), refused(as_mwaa, "the secrets backend")


@pytest.mark.parametrize("task_id", list(EXPECTED_CALLS))
def test_every_call_of_the_task_is_allowed_to_the_mwaa_execution_role(as_mwaa, monkeypatch, task_id):
    import airflow.sdk.execution_time.task_runner as task_runner

    # The Task SDK asks the Airflow API server (not AWS) for XCom and task states: a stand-in answers.
    standin = ApiServerStandIn(
        RUN.run_id, {"wait_for_glue_job": "failed"}, {**XCOMS, "start_glue_job": as_mwaa.job_run_id}
    )
    monkeypatch.setattr(task_runner, "SUPERVISOR_COMMS", standin, raising=False)
    ti, context = start_task(task_id, RUN)

    def marker_lands() -> None:
        as_mwaa.emulator.client("s3", account=as_mwaa.source_account).put_object(
            Bucket=as_mwaa.variable["source_bucket"], Key=f"{PARTITION_PATH}_SUCCESS", Body=b""
        )

    outcome = run_task(ti, context, between_polls=marker_lands)

    calls = {d.action for d in as_mwaa.emulator.decisions() if d.kind == "request"}
    assert EXPECTED_CALLS[task_id] <= calls, (
        f"{task_id} did not get as far as expected: it made {sorted(calls)}"
        + (f"; it failed with {outcome.error!r}" if outcome.error else "")
    )
    assert outcome.deferred == EXPECTED_TRIGGERS.get(task_id, []), outcome
    assert not as_mwaa.emulator.denials(), refused(as_mwaa, task_id)


def test_the_docs_task_may_write_the_site_under_the_staging_docs_prefix(as_mwaa, monkeypatch, tmp_path):
    """publish_dbt_docs's upload (Cosmos's S3 callback), as MWAA's role: `dbt docs generate` itself
    needs Redshift, which the emulator has not, so the generated site is stood in by its three files."""
    import airflow.sdk.execution_time.task_runner as task_runner

    monkeypatch.setattr(task_runner, "SUPERVISOR_COMMS", ApiServerStandIn(RUN.run_id), raising=False)
    ti, _ = start_task("publish_dbt_docs", RUN)
    (tmp_path / "target").mkdir()
    for name in ti.task.required_files:
        (tmp_path / "target" / name).write_text("{}")
    ti.task.callback(str(tmp_path))  # as Cosmos calls it once dbt docs generate has written target/

    puts = [d for d in as_mwaa.emulator.decisions() if d.kind == "request" and d.action == "s3:PutObject"]
    assert len(puts) == 3, puts
    assert not as_mwaa.emulator.denials(), refused(as_mwaa, "publish_dbt_docs")
    s3 = as_mwaa.emulator.client("s3", account=as_mwaa.analytics_account)
    listed = s3.list_objects_v2(Bucket=as_mwaa.variable["staging_bucket"], Prefix="dbt-docs/")["Contents"]
    assert sorted(o["Key"] for o in listed) == ["dbt-docs/catalog.json", "dbt-docs/index.html", "dbt-docs/manifest.json"]
