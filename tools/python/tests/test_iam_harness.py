"""The IAM harness itself: the evaluator's decisions, reference resolution, the static check's
findings, and the enforcing emulator refusing a call with the action's name (tools venv)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from xetl_harness.iam import Principal, Request, Resolver, UnresolvedReference, evaluate  # noqa: E402
from xetl_harness.iam_check import check_document  # noqa: E402

B, A = "222222222222", "111111111111"
MWAA = Principal(
    arn=f"arn:aws:sts::{B}:assumed-role/xetl-dev-mwaa/s",
    account=B,
    role_arn=f"arn:aws:iam::{B}:role/xetl-dev-mwaa",
    userid="AROAEXAMPLE:s",
)
JOB = f"arn:aws:glue:eu-west-1:{B}:job/xetl-dev-products"
BUCKET = "arn:aws:s3:::xetl-dev-source"


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource, **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def test_an_action_allowed_on_the_resource_is_allowed():
    assert evaluate(Request(MWAA, "glue:StartJobRun", JOB), [policy(allow("glue:StartJobRun", JOB))])


def test_a_missing_action_is_denied_naming_it():
    decision = evaluate(Request(MWAA, "glue:GetJob", JOB), [policy(allow(["glue:StartJobRun", "glue:GetJobRun"], JOB))])
    assert not decision and "glue:GetJob" in decision.reason


def test_an_action_allowed_on_another_resource_is_denied():
    assert not evaluate(Request(MWAA, "glue:GetJob", JOB), [policy(allow("glue:GetJob", JOB + "-other"))])


def test_an_explicit_deny_wins_over_an_allow():
    deny = {"Effect": "Deny", "Action": "glue:*", "Resource": "*"}
    assert not evaluate(Request(MWAA, "glue:GetJob", JOB), [policy(allow("glue:GetJob", JOB), deny)])


def test_conditions_use_the_request_context_and_policy_variables():
    listing = allow("s3:ListBucket", BUCKET, Condition={"StringLike": {"s3:prefix": ["products/*"]}})
    assert evaluate(Request(MWAA, "s3:ListBucket", BUCKET, {"s3:prefix": "products/year=2026/"}), [policy(listing)], resource_account=B)
    assert not evaluate(Request(MWAA, "s3:ListBucket", BUCKET, {"s3:prefix": "other/"}), [policy(listing)], resource_account=B)
    assert not evaluate(Request(MWAA, "s3:ListBucket", BUCKET), [policy(listing)], resource_account=B)
    own = allow("redshift-data:DescribeStatement", "*",
                Condition={"StringEquals": {"redshift-data:statement-owner-iam-userid": "${aws:userid}"}})
    mine = {"redshift-data:statement-owner-iam-userid": "AROAEXAMPLE:s"}
    theirs = {"redshift-data:statement-owner-iam-userid": "AROAOTHER:x"}
    assert evaluate(Request(MWAA, "redshift-data:DescribeStatement", "*", mine), [policy(own)])
    assert not evaluate(Request(MWAA, "redshift-data:DescribeStatement", "*", theirs), [policy(own)])


def test_cross_account_needs_the_identity_policy_and_the_resource_policy():
    identity = [policy(allow("s3:GetObject", BUCKET + "/products/*"))]
    bucket_policy = policy(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{B}:root"}, "Action": "s3:GetObject",
         "Resource": BUCKET + "/products/*", "Condition": {"ArnEquals": {"aws:PrincipalArn": MWAA.role_arn}}}
    )
    request = Request(MWAA, "s3:GetObject", BUCKET + "/products/a.csv")
    assert evaluate(request, identity, bucket_policy, resource_account=A)
    assert not evaluate(request, identity, None, resource_account=A)
    assert not evaluate(request, [], bucket_policy, resource_account=A)
    other_role = policy(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{B}:root"}, "Action": "s3:GetObject",
         "Resource": BUCKET + "/products/*", "Condition": {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::2:role/x"}}}
    )
    assert not evaluate(request, identity, other_role, resource_account=A)


def test_a_key_policy_must_allow_even_in_the_same_account():
    key = f"arn:aws:kms:eu-west-1:{B}:key/k"
    identity = [policy(allow("kms:Decrypt", key))]
    delegate = policy({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{B}:root"}, "Action": "kms:*", "Resource": "*"})
    request = Request(MWAA, "kms:Decrypt", key)
    assert evaluate(request, identity, delegate, resource_policy_required=True)
    assert not evaluate(request, identity, policy(), resource_policy_required=True)
    assert not evaluate(request, [], delegate, resource_policy_required=True)


def test_unresolved_terraform_references_fail_naming_them():
    resolver = Resolver({"aws_s3_bucket.S.arn": BUCKET})
    assert resolver.resolve('["${aws_s3_bucket.S.arn}/*", "$${aws:userid}"]', "p") == f'["{BUCKET}/*", "${{aws:userid}}"]'
    with pytest.raises(UnresolvedReference, match=r"aws_glue_job\.J\.arn.*in the job policy"):
        resolver.resolve('"${aws_glue_job.J.arn}"', "the job policy")


def test_a_regex_replace_of_a_reference_is_resolved_as_terraform_would():
    # The analytics stack's Airflow UI link: https:// added unless the webserver URL has it.
    resolver = Resolver({"aws_mwaa_environment.A.webserver_url": "abc.c2.airflow.eu-west-1.on.aws"})
    text = '{"airflow_url":"${replace(aws_mwaa_environment.A.webserver_url, "/^(https://)?/", "https://")}"}'
    assert resolver.resolve(text, "test") == '{"airflow_url":"https://abc.c2.airflow.eu-west-1.on.aws"}'
    resolver.set("aws_mwaa_environment.A.webserver_url", "https://abc.on.aws")
    assert resolver.resolve(text, "test") == '{"airflow_url":"https://abc.on.aws"}'
    with pytest.raises(UnresolvedReference, match="aws_mwaa_environment.B.webserver_url"):
        Resolver().resolve(text.replace(".A.", ".B."), "test")


def test_an_attribute_of_a_parkable_resource_resolves_to_its_deployed_instance():
    # A parkable MWAA environment has count 0 or 1, so the stack reads its URL as a joined splat.
    resolver = Resolver({"aws_mwaa_environment.A.webserver_url": "abc.on.aws"})
    text = '${replace(join("", aws_mwaa_environment.A[*].webserver_url), "/^(?:https://)?(.+)$/", "https://$1")}'
    assert resolver.resolve(text, "test") == "https://abc.on.aws"


def test_static_check_finds_unknown_actions_and_resources_that_do_not_fit():
    findings = check_document("s", "p", policy(
        allow("glue:GetJobs2", JOB),
        allow("s3:GetObject", BUCKET),
        allow("logs:DescribeLogGroups", f"arn:aws:logs:eu-west-1:{B}:log-group:*"),
    ))
    assert [(f.action, f.problem.split(":")[0].split(" (")[0]) for f in findings] == [
        ("glue:GetJobs2", "no such IAM action"),
        ("s3:GetObject", "no resource of the statement fits the action's resource types"),
        ("logs:DescribeLogGroups", 'the action has no resource type'),
    ]


def test_static_check_accepts_well_formed_policies():
    assert check_document("s", "p", policy(
        allow(["glue:GetJob", "glue:StartJobRun"], JOB),
        allow(["s3:GetObject"], BUCKET + "/products/*"),
        allow(["logs:CreateLogStream", "logs:PutLogEvents"], f"arn:aws:logs:eu-west-1:{B}:log-group:/aws-glue/*:*"),
        allow(["ec2:CreateTags"], f"arn:aws:ec2:eu-west-1:{B}:*"),
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"},
    )) == []


def test_the_enforcing_emulator_refuses_a_call_with_the_action_and_resource_in_the_message():
    from botocore.exceptions import ClientError
    from xetl_harness.iam_emulator import IamEmulator

    with IamEmulator.start(sys.executable) as emulator:
        iam = emulator.client("iam", account=B)
        iam.create_role(RoleName="runner", AssumeRolePolicyDocument=json.dumps(policy(
            {"Effect": "Allow", "Principal": {"Service": "glue.amazonaws.com"}, "Action": "sts:AssumeRole"})))
        iam.put_role_policy(RoleName="runner", PolicyName="p", PolicyDocument=json.dumps(policy(allow("glue:GetJobRuns", JOB))))
        runner = emulator.assume(f"arn:aws:iam::{B}:role/runner")
        emulator.enforce()
        glue = emulator.client("glue", credentials=runner)
        with pytest.raises(ClientError) as denied:
            glue.get_job(JobName="xetl-dev-products")
        assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
        assert f"glue:GetJob on resource: {JOB}" in str(denied.value)
        assert [d.action for d in emulator.denials()] == ["glue:GetJob"]


def test_clients_the_code_under_test_builds_reach_the_emulator_past_the_machines_proxy(monkeypatch):
    # CI sets HTTP(S)_PROXY (here: a closed port) and no NO_PROXY; Airflow's hooks and the trigger
    # handler build their own boto3 clients, which must still reach the emulator on loopback.
    import boto3
    from xetl_harness.iam_emulator import IamEmulator

    for var in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(var, raising=False)
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(var, "http://127.0.0.1:9")
    with IamEmulator.start(sys.executable) as emulator:
        sts = boto3.client("sts", endpoint_url=emulator.endpoint, region_name="eu-west-1",
                           aws_access_key_id="test", aws_secret_access_key="test")  # noqa: S106 - emulator
        assert sts.get_caller_identity()["Account"].isdigit()


def test_exempting_loopback_keeps_the_hosts_the_machine_already_exempts():
    from xetl_harness.loopback import exempt_loopback_from_proxies

    environ = {"NO_PROXY": "internal.example, localhost"}
    exempt_loopback_from_proxies(environ)
    assert environ == {"NO_PROXY": "internal.example,localhost,127.0.0.1,::1", "no_proxy": "127.0.0.1,localhost,::1"}
