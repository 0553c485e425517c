"""Running the DAG's tasks as MWAA runs them, against the IAM-enforcing emulator (imported by
test_iam_enforced.py, not collected).

- ``deploy_pipeline``: the dev environment's synthesized stacks (account A's source stack, account
  B's analytics stack) deployed into ``xetl_harness.iam_emulator``: their roles with their
  policies, the resources those policies name, and the resource and VPC endpoint policies.
- ``run_task``: a task started the way a worker starts it (``support.start_task``), executed with
  the MWAA execution role's credentials; when it defers, the trigger runs as the triggerer runs it
  (same role), until it fires or has polled, and then the operator resumes in ``execute_complete``.
- ``ApiServerStandIn``: answers the Task SDK's calls to the Airflow API server (XCom, task states)
  for the two notification tasks; a stand-in for Airflow's own server, not for AWS.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "tools" / "python"))

from xetl_harness.iam import Resolver, StackIam  # noqa: E402
from xetl_harness.iam_emulator import Credentials, IamEmulator, stack_file  # noqa: E402

ENVIRONMENT = "dev"
SOURCE_STACK = f"xetl-{ENVIRONMENT}-source"
ANALYTICS_STACK = f"xetl-{ENVIRONMENT}-analytics"
MWAA_ROLE = f"xetl-{ENVIRONMENT}-mwaa"
# Roles whose calls leave through the MWAA VPC's endpoints (their policies filter the calls too).
VPC_ROLES = [MWAA_ROLE, f"xetl-{ENVIRONMENT}-trigger"]
# How long a trigger may poll before the test stops waiting for it to fire (moto's crawler never
# finishes; the point is that its polling calls are authorised).
TRIGGER_POLL_SECONDS = 8.0


def stack_account(path: Path) -> str:
    (provider,) = json.loads(path.read_text())["provider"]["aws"]
    (account,) = provider["allowed_account_ids"]
    return account


@dataclass
class Pipeline:
    emulator: IamEmulator
    resolver: Resolver
    source_account: str
    analytics_account: str
    variable: dict[str, Any]
    mwaa: Credentials
    secrets_backend_kwargs: dict[str, str]
    workgroup_arn: str
    job_run_id: str = ""  # a run of the Glue job, for the wait to watch


def deploy_pipeline(emulator: IamEmulator) -> Pipeline:
    source_path = stack_file(REPO_ROOT, SOURCE_STACK)
    analytics_path = stack_file(REPO_ROOT, ANALYTICS_STACK)
    source_account, analytics_account = stack_account(source_path), stack_account(analytics_path)
    resolver = emulator.deploy(StackIam.load(source_path), source_path, source_account)
    # The analytics stack takes account A's data key ARN as an input variable (UNLOAD encrypts with it).
    (data_key_arn,) = (v for k, v in resolver.values.items() if k.startswith("aws_kms_key.") and k.endswith(".arn"))
    resolver.variables["source_data_key_arn"] = data_key_arn
    resolver = emulator.deploy(StackIam.load(analytics_path), analytics_path, analytics_account, resolver)

    synth = json.loads(analytics_path.read_text())["resource"]
    (version,) = synth["aws_secretsmanager_secret_version"].values()
    variable = json.loads(resolver.resolve(version["secret_string"], "the xetl_pipeline variable"))
    (secret,) = (s for s in synth["aws_secretsmanager_secret"].values() if s["name"].endswith("/xetl_pipeline"))
    emulator.client("secretsmanager", account=analytics_account).put_secret_value(
        SecretId=secret["name"], SecretString=json.dumps(variable)
    )
    (environment,) = synth["aws_mwaa_environment"].values()
    options = environment["airflow_configuration_options"]
    (workgroup,) = (k for k in resolver.values if k.startswith("aws_redshiftserverless_workgroup.") and k.endswith(".arn"))

    emulator.configure(
        workgroups={variable["redshift_workgroup"]: resolver.values[workgroup]},
        vpc_roles=VPC_ROLES,
        endpoint_policies=emulator.endpoint_policies(analytics_path, resolver),
    )
    mwaa = emulator.assume(f"arn:aws:iam::{analytics_account}:role/{MWAA_ROLE}", session="AmazonMWAA-airflow")
    return Pipeline(
        emulator=emulator,
        resolver=resolver,
        source_account=source_account,
        analytics_account=analytics_account,
        variable=variable,
        mwaa=mwaa,
        secrets_backend_kwargs=json.loads(options["secrets.backend_kwargs"]),
        workgroup_arn=resolver.values[workgroup],
    )


@dataclass
class ApiServerStandIn:
    """Answers the Task SDK's requests to the Airflow API server (not AWS) for one run."""

    run_id: str
    task_states: dict[str, str] = field(default_factory=dict)
    # What earlier tasks of the run returned, by task id (XCom "return_value").
    xcoms: dict[str, Any] = field(default_factory=dict)

    def send(self, msg: Any) -> Any:
        from airflow.sdk.exceptions import ErrorType
        from airflow.sdk.execution_time import comms

        if isinstance(msg, comms.GetXComSequenceSlice):
            # xcom_pull of an unmapped task asks for the slice of its values: the one value, if any.
            value = self.xcoms.get(msg.task_id)
            return comms.XComSequenceSliceResult(root=[] if value is None else [value])
        if isinstance(msg, comms.GetXCom):
            return comms.XComResult(key=msg.key, value=self.xcoms.get(msg.task_id))
        if isinstance(msg, comms.GetTaskStates):
            return comms.TaskStatesResult(task_states={self.run_id: self.task_states})
        if isinstance(msg, comms.MaskSecret):
            return None  # the log masker; nothing to answer
        if isinstance(msg, comms.GetConnection):
            # The test session's connections are environment variables (conftest.py).
            text = os.environ.get(f"AIRFLOW_CONN_{msg.conn_id.upper()}")
            if text is None:
                return comms.ErrorResponse(error=ErrorType.CONNECTION_NOT_FOUND, detail={"conn_id": msg.conn_id})
            body = json.loads(text)
            return comms.ConnectionResult(
                conn_id=msg.conn_id, conn_type=body["conn_type"], extra=json.dumps(body.get("extra", {}))
            )
        raise NotImplementedError(f"the API server stand-in does not answer {type(msg).__name__}")


@dataclass
class TaskOutcome:
    deferred: list[str] = field(default_factory=list)  # trigger class names, in order
    error: BaseException | None = None
    result: Any = None


async def _first_event(trigger: Any, seconds: float) -> Any:
    """The trigger's first event, or None if it has not fired after ``seconds`` of polling."""
    events = trigger.run().__aiter__()
    try:
        return await asyncio.wait_for(events.__anext__(), timeout=seconds)
    except TimeoutError:
        return None
    finally:
        await events.aclose()


def _fast(trigger: Any) -> None:
    # Only the pause between polls changes; what each poll calls stays the same.
    for attribute in ("waiter_delay", "poke_interval", "poll_interval"):
        if isinstance(getattr(trigger, attribute, None), int | float):
            setattr(trigger, attribute, 0.2)


def run_task(ti: Any, context: Any, *, between_polls: Any = None) -> TaskOutcome:
    """Executes a started task like a worker, and its deferrals like the triggerer.

    ``between_polls`` runs after a trigger has polled once without firing (e.g. a file lands),
    after which the trigger runs again. Errors that are not about authorisation are kept in the
    outcome: the emulator's services fake their results, and the test is about who may call what.
    """
    from airflow.sdk.execution_time.context import set_current_context

    task = ti.task
    outcome = TaskOutcome()
    step = lambda: task.execute(context)  # noqa: E731
    with set_current_context(context):
        return _drive(task, step, outcome, context, between_polls)


def _drive(task: Any, step: Any, outcome: TaskOutcome, context: Any, between_polls: Any) -> TaskOutcome:
    from airflow.exceptions import TaskDeferred

    try:
        for _ in range(5):
            try:
                outcome.result = step()
                return outcome
            except TaskDeferred as deferred:
                trigger = deferred.trigger
                outcome.deferred.append(type(trigger).__name__)
                _fast(trigger)
                event = asyncio.run(_first_event(trigger, TRIGGER_POLL_SECONDS))
                if event is None and between_polls is not None:
                    between_polls()
                    event = asyncio.run(_first_event(trigger, TRIGGER_POLL_SECONDS))
                if event is None:
                    return outcome  # polled, never fired (moto's crawler)
                method = getattr(task, deferred.method_name)
                step = lambda m=method, e=event, kw=deferred.kwargs: m(context, event=e.payload, **(kw or {}))  # noqa: E731
    except SERVICE_OUTCOMES as err:  # the emulated services' fake results; access is judged apart
        outcome.error = err
    return outcome


def _service_outcomes() -> tuple[type[BaseException], ...]:
    from airflow.exceptions import AirflowException
    from botocore.exceptions import ClientError

    return (AirflowException, ClientError)


# Failures a task may end with here without failing the test: an AWS error answer (other than a
# refusal, which the decisions file records) or the operator's own verdict on the fake results.
# Anything else (an import error, a bug in the harness) fails the test.
SERVICE_OUTCOMES = _service_outcomes()
