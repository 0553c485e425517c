"""The trigger function's AWS calls, authorised against the synthesized policies of its role.

The dev analytics stack is deployed into the IAM-enforcing emulator (xetl_harness.iam_server); the
function runs with its role's credentials and its synthesized environment (``deps_from_env``):
Lambda's SQS event source polls and deletes with the same role, and the handler dead-letters a
malformed event. MWAA's ``InvokeRestApi`` cannot be emulated (moto has no MWAA: botocore's
Stubber answers it), so that grant is evaluated with the same evaluator against the synthesized
policy: the function may start runs with the Airflow role it asks for, and no higher one.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO_ROOT / "tools" / "python"))

from xetl_harness.iam import Principal, Request, StackIam, evaluate, reference_resolver  # noqa: E402
from xetl_harness.iam_emulator import IamEmulator, stack_file  # noqa: E402

STACK = "xetl-dev-analytics"
ROLE = "xetl-dev-trigger"


@pytest.fixture(scope="module")
def deployed():
    path = stack_file(REPO_ROOT, STACK)
    synth = json.loads(path.read_text())
    (provider,) = synth["provider"]["aws"]
    (account,) = provider["allowed_account_ids"]
    with IamEmulator.start(sys.executable) as emulator:
        resolver = emulator.deploy(StackIam.load(path), path, account)
        (function,) = synth["resource"]["aws_lambda_function"].values()
        env = {k: resolver.resolve(v, "the function's environment") for k, v in function["environment"]["variables"].items()}
        role = emulator.assume(f"arn:aws:iam::{account}:role/{ROLE}", session="xetl-dev-trigger")
        emulator.enforce()
        yield emulator, env, role, resolver, account


def test_the_event_source_and_the_dead_letter_path_are_allowed_to_the_function_role(deployed, monkeypatch):
    import boto3
    from botocore.stub import Stubber
    from xetl_trigger.handler import deps_from_env, process_batch

    emulator, env, role, resolver, _ = deployed
    # deps_from_env uses boto3's default session, which caches the credentials it first found.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    for name, value in role.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator.endpoint)
    emulator.mark()

    queue_url = next(v for k, v in resolver.values.items() if k.endswith(".url") and "DeadLetter" not in k)
    sqs = emulator.client("sqs", credentials=role)
    # What Lambda's event source mapping does with the function's role.
    sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])
    emulator.client("sqs", account=deployed[4]).send_message(QueueUrl=queue_url, MessageBody="not json")
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=messages[0]["ReceiptHandle"], VisibilityTimeout=30)

    deps = deps_from_env(env)
    with Stubber(deps.airflow.client) as mwaa:  # malformed: MWAA is never called
        result = process_batch({"Records": [{"messageId": m["MessageId"], "body": m["Body"]} for m in messages]}, deps)
        mwaa.assert_no_pending_responses()
    assert [o["action"] for o in result["outcomes"]] == ["dead-lettered"], result
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=messages[0]["ReceiptHandle"])

    calls = {d.action for d in emulator.decisions()}
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:SendMessage"} <= calls
    denials = emulator.denials()
    assert not denials, "the trigger role is refused:\n" + "\n".join(f"  - {d.line()}" for d in denials)


def test_invoke_rest_api_is_granted_for_the_airflow_role_it_uses_and_not_for_admin(deployed):
    _, env, role, resolver, account = deployed
    path = stack_file(REPO_ROOT, STACK)
    stack = StackIam.load(path)
    identity = stack.identity_policies(ROLE, reference_resolver(json.loads(path.read_text()), resolver))
    principal = Principal(arn=role.arn, account=account, role_arn=f"arn:aws:iam::{account}:role/{ROLE}")
    region = json.loads(path.read_text())["provider"]["aws"][0]["region"]

    def may(airflow_role: str) -> bool:
        resource = f"arn:aws:airflow:{region}:{account}:role/{env['MWAA_ENVIRONMENT']}/{airflow_role}"
        return evaluate(Request(principal, "airflow:InvokeRestApi", resource), identity).allowed

    assert may("User")
    assert not may("Admin")
