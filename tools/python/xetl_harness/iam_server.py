"""moto_server with IAM enforcement decided by ``xetl_harness.iam`` (run it from the tools venv).

    python -m xetl_harness.iam_server --port 5123 --config /tmp/iam-config.json

moto authenticates every request (SigV4 against the access keys it issued) and, once
``/moto-api/reset-auth`` switched enforcement on, asks ``check_action_permitted`` whether the signer
may make it. moto's own answer is too lenient and too strict at once to test xetl's policies: it
passes "*" as the resource for most services (so no resource-scoped statement ever matches) and
skips every condition operator except StringEquals. This server replaces that one method: it
derives the IAM action, the resource ARN and the request context (``s3:prefix``, principal keys)
from the request, collects the signer's identity policies from moto's IAM (the role's inline and
attached policies, as the test put them there from the synthesized stack) and the resource's own
policy from moto's backends (bucket, topic, queue, key policies; a role's trust policy for
AssumeRole), and decides with ``xetl_harness.iam.evaluate``. Services that act with the caller's
permissions are checked too: the Data API reading the statement's secret.

For roles that run inside xetl's VPCs, the VPC endpoint policies of the config also filter the
request (AWS applies them in addition to the caller's policies).

Every decision is appended to the config's ``decisions`` file as one JSON line. ``mode`` is
``enforce`` (a denied request gets AWS's AccessDenied with the action and resource in the
message) or ``record`` (denials are only written down, so one run lists every missing
permission instead of stopping at the first).
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from xetl_harness.iam import Decision, Principal, Request, arn_account, denial_message, evaluate

# The harness's own setup user (xetl_harness.iam_emulator): unrestricted and not recorded.
SETUP_USER = "xetl-test-setup"
_LOCK = threading.Lock()
_CONFIG: dict[str, Any] = {"mode": "enforce"}
_CONFIG_PATH: Path | None = None
_CONFIG_MTIME = 0.0

# moto's operation names that are not IAM action names.
ACTION_ALIASES = {
    "s3:HeadBucket": "s3:ListBucket",
    "s3:ListObjects": "s3:ListBucket",
    "s3:ListObjectsV2": "s3:ListBucket",
    "s3:HeadObject": "s3:GetObject",
    "s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "sqs:DeleteMessageBatch": "sqs:DeleteMessage",
    "sqs:SendMessageBatch": "sqs:SendMessage",
    "sqs:ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
    # AWS authorises GetStatementResultV2 with the GetStatementResult permission.
    "redshift-data:GetStatementResultV2": "redshift-data:GetStatementResult",
}


def config() -> dict[str, Any]:
    """The config file, re-read when it changed (tests switch mode or add names while running)."""
    global _CONFIG_MTIME, _CONFIG
    if _CONFIG_PATH is not None and _CONFIG_PATH.exists():
        mtime = _CONFIG_PATH.stat().st_mtime
        if mtime != _CONFIG_MTIME:
            _CONFIG = json.loads(_CONFIG_PATH.read_text())
            _CONFIG_MTIME = mtime
    return _CONFIG


def _params(req: Any) -> dict[str, Any]:
    """Request parameters: the JSON body, or the query/form parameters (first values)."""
    body = req._body
    if isinstance(body, bytes | bytearray) and body[:1] == b"{":
        try:
            return json.loads(body)
        except ValueError:
            pass
    params: dict[str, Any] = {}
    for key, value in (req._data or {}).items():
        params[key] = value[0] if isinstance(value, list) and value else value
    query = urlparse(req._path).query
    for key, values in parse_qs(query, keep_blank_values=True).items():
        params.setdefault(key, values[0])
    return params


def _principal(req: Any) -> Principal:
    from moto.iam.access_control import AssumedRoleAccessKey

    key = req._access_key
    account = req.account_id
    if isinstance(key, AssumedRoleAccessKey):
        role_name = key._owner_role_name
        role = req.backend.get_role(role_name)
        return Principal(
            arn=key.arn, account=account, role_arn=role.arn, userid=f"{role.id}:{key._session_name}"
        )
    user = req.backend.get_user(key._owner_user_name)
    return Principal(arn=key.arn, account=account, userid=user.id)


def _identity_policies(req: Any) -> list[dict[str, Any]]:
    from moto.iam.models import Policy

    documents = []
    for policy in req._access_key.collect_policies():
        if isinstance(policy, Policy):
            text = next(v.document for v in policy.versions if v.is_default)
        elif isinstance(policy, str):
            text = policy
        else:
            text = policy["policy_document"]
        documents.append(json.loads(text) if isinstance(text, str) else text)
    return documents


def _loads(policy: Any) -> dict[str, Any] | None:
    if not policy:
        return None
    if isinstance(policy, bytes | bytearray):
        policy = policy.decode()
    return json.loads(policy) if isinstance(policy, str) else policy


def _bucket(name: str) -> tuple[str | None, Any]:
    from moto.s3.models import s3_backends

    for account_id, backends in list(s3_backends.items()):
        backend = backends.get("aws")
        if backend is not None and name in backend.buckets:
            return account_id, backend.buckets[name]
    return None, None


class Target:
    """What one request asks for, in IAM's terms."""

    def __init__(self, action: str, resource: str, *, context: dict[str, Any] | None = None):
        self.action = ACTION_ALIASES.get(action, action)
        self.resource = resource
        self.context = context or {}
        self.resource_account: str | None = None
        self.resource_policy: dict[str, Any] | None = None
        self.policy_required = False
        # (action, resource) the service then performs with the caller's permissions.
        self.implied: list[tuple[str, str]] = []


def _arn(req: Any, service: str, resource: str, account: str | None = None) -> str:
    return f"arn:aws:{service}:{req._region}:{account or req.account_id}:{resource}"


def target_of(req: Any, moto_resource: str) -> Target:
    """IAM action, resource, context and resource policy of one request."""
    service, _, operation = req._action.partition(":")
    params = _params(req)
    action = f"{service}:{operation}"
    cfg = config()

    if service == "s3":
        bucket_name = moto_resource.removeprefix("arn:aws:s3:::").split("/", 1)[0]
        target = Target(action, moto_resource)
        if target.action == "s3:ListBucket":
            for key in ("prefix", "delimiter", "max-keys"):
                if key in params:
                    target.context[f"s3:{key}"] = params[key]
        owner, bucket = _bucket(bucket_name)
        target.resource_account = owner or ""
        if bucket is not None:
            target.resource_policy = _loads(bucket.policy)
        return target

    if service == "glue":
        if "JobName" in params:
            return Target(action, _arn(req, "glue", f"job/{params['JobName']}"))
        if operation in ("GetCrawler", "StartCrawler", "StopCrawler", "UpdateCrawler", "DeleteCrawler"):
            return Target(action, _arn(req, "glue", f"crawler/{params.get('Name', '')}"))
        return Target(action, "*")

    if service == "redshift-data":
        if operation in ("ExecuteStatement", "BatchExecuteStatement"):
            name = params.get("WorkgroupName", "")
            workgroups = cfg.get("workgroups", {})
            target = Target(action, workgroups.get(name, _arn(req, "redshift-serverless", f"workgroup/{name}")))
            if params.get("SecretArn"):
                target.implied.append(("secretsmanager:GetSecretValue", params["SecretArn"]))
            return target
        # Statement calls have no resource type. The statement's owner is taken to be the caller:
        # moto does not record who ran a statement (see docs/testing.md).
        principal = _principal(req)
        return Target(action, "*", context={"redshift-data:statement-owner-iam-userid": principal.userid})

    if service == "sns":
        arn = params.get("TopicArn") or params.get("TargetArn") or "*"
        target = Target(action, arn)
        if arn != "*":
            from moto.sns.models import sns_backends

            topic = sns_backends[arn_account(arn)][req._region].topics.get(arn)
            target.resource_policy = _loads(getattr(topic, "policy", None))
        return target

    if service == "sqs":
        target = Target(action, moto_resource)
        if moto_resource not in ("*", ""):
            from moto.sqs.models import sqs_backends

            name = moto_resource.rsplit(":", 1)[-1]
            queue = sqs_backends[arn_account(moto_resource)][req._region].queues.get(name)
            target.resource_policy = _loads(getattr(queue, "policy", None))
        return target

    if service == "secretsmanager":
        secret_id = params.get("SecretId")
        if not secret_id:
            return Target(action, "*")
        from moto.secretsmanager.models import secretsmanager_backends

        account = arn_account(secret_id) if secret_id.startswith("arn:") else req.account_id
        backend = secretsmanager_backends[account][req._region]
        secret = backend.secrets.get(secret_id) if hasattr(backend.secrets, "get") else None
        if secret is None:
            secret = next((s for s in backend.secrets.values() if secret_id in (s.name, s.arn)), None)
        target = Target(action, secret.arn if secret is not None else _arn(req, "secretsmanager", f"secret:{secret_id}"))
        target.resource_policy = _loads(getattr(secret, "policy", None))
        return target

    if service == "kms":
        key_id = params.get("KeyId", "")
        from moto.kms.models import kms_backends

        account = arn_account(key_id) if key_id.startswith("arn:") else req.account_id
        backend = kms_backends[account][req._region]
        try:
            key = backend.describe_key(key_id)
        except Exception:  # an unknown key: authorise against what the caller named
            return Target(action, key_id or "*")
        target = Target(action, key.arn)
        target.resource_policy = _loads(key.policy)
        target.policy_required = True
        return target

    if service == "sts" and operation == "AssumeRole":
        role_arn = params.get("RoleArn", "")
        target = Target(action, role_arn)
        from moto.iam.models import iam_backends

        try:
            role = iam_backends[arn_account(role_arn)]["aws"].get_role_by_arn(role_arn)
            target.resource_policy = _loads(role.assume_role_policy_document)
        except Exception:
            target.resource_policy = None
        target.policy_required = True
        return target

    return Target(action, moto_resource if moto_resource else "*")


def _endpoint_policy(principal: Principal, service: str) -> dict[str, Any] | None:
    cfg = config()
    if principal.role_arn is None or principal.role_arn.rsplit("/", 1)[-1] not in cfg.get("vpc_roles", []):
        return None
    return cfg.get("endpoint_policies", {}).get(service)


def decide(req: Any, moto_resource: str) -> None:
    """Replacement for moto's ``IAMRequestBase.check_action_permitted``."""
    if req._action == "sts:GetCallerIdentity":  # AWS answers it for everyone
        return
    if getattr(req._access_key, "_owner_user_name", None) == SETUP_USER:  # the harness itself
        return
    target = target_of(req, moto_resource)
    principal = _principal(req)
    identity = _identity_policies(req)
    checks = [(target.action, target.resource, target, "request")]
    checks += [(a, r, None, "implied") for a, r in target.implied]
    denied: tuple[Request, Decision] | None = None
    for action, resource, tgt, kind in checks:
        if tgt is None:
            tgt = Target(action, resource)
        request = Request(principal, tgt.action, tgt.resource, tgt.context)
        decision = evaluate(
            request,
            identity,
            tgt.resource_policy,
            resource_account=tgt.resource_account,
            resource_policy_required=tgt.policy_required,
        )
        endpoint_policy = _endpoint_policy(principal, action.split(":", 1)[0])
        if endpoint_policy is not None and not evaluate(
            request, [], endpoint_policy, resource_account=principal.account
        ).allowed:
            # Reported together with an identity denial, so one fix does not reveal the next.
            why = "no VPC endpoint policy allows the action"
            decision = Decision(False, f"{decision.reason}, and {why}" if not decision.allowed else f"because {why}")
        _record(principal, request, decision, kind, req._action)
        if not decision.allowed and denied is None:
            denied = (request, decision)
    if denied is not None and config().get("mode", "enforce") == "enforce":
        _raise_denied(req, *denied)


def _record(principal: Principal, request: Request, decision: Decision, kind: str, operation: str) -> None:
    path = config().get("decisions")
    if not path:
        return
    line = {
        "time": time.time(),
        "principal": principal.arn,
        "role": principal.role_arn,
        "operation": operation,
        "kind": kind,
        "action": request.action,
        "resource": request.resource,
        "allowed": decision.allowed,
        "reason": decision.reason,
    }
    with _LOCK, open(path, "a") as out:
        out.write(json.dumps(line) + "\n")


def _raise_denied(req: Any, request: Request, decision: Decision) -> None:
    from moto.core.exceptions import JsonRESTError, RESTError
    from moto.iam.access_control import S3IAMRequest

    if isinstance(req, S3IAMRequest):
        req._raise_access_denied()  # S3's own "Access Denied"; the decisions file has the detail

    query_protocol = req._service in ("sns", "sts", "iam", "cloudwatch")

    class AccessDenied(RESTError if query_protocol else JsonRESTError):  # type: ignore[misc,valid-type]
        code = 403

    # Query-protocol services answer "AccessDenied" in XML, JSON ones "AccessDeniedException";
    # the text is AWS's, naming principal, action, resource and why.
    raise AccessDenied("AccessDenied" if query_protocol else "AccessDeniedException", denial_message(request, decision))


def install() -> None:
    from moto.iam.access_control import IAMRequestBase, S3IAMRequest

    IAMRequestBase.check_action_permitted = decide  # type: ignore[method-assign]
    # moto recomputes S3 signatures over the path it rewrote for path-style requests and never
    # matches botocore's; the access key still names the principal, which is what is tested here.
    S3IAMRequest.check_signature = lambda self: None  # type: ignore[method-assign]
    # moto also applies bucket policies to object requests by itself, with its own evaluator that
    # ignores condition operators (so `Deny ... Bool aws:SecureTransport false` denies everything).
    # Bucket policies are evaluated in `decide` instead, with the request's context.
    from moto.iam.access_control import PermissionResult
    from moto.s3.models import FakeBucket

    FakeBucket.get_permission = lambda self, action, resource: PermissionResult.NEUTRAL  # type: ignore[method-assign]
    _add_batch_execute_statement()


def _add_batch_execute_statement() -> None:
    """moto's Redshift Data API has no BatchExecuteStatement (the DAG's load sends one): run the
    batch as one statement, as the real API runs it as one transaction."""
    from moto.redshiftdata.responses import RedshiftDataAPIServiceResponse

    def batch_execute_statement(self: Any) -> Any:
        statement = self.redshiftdata_backend.execute_statement(
            cluster_identifier=self._get_param("ClusterIdentifier"),
            database=self._get_param("Database"),
            db_user=self._get_param("DbUser"),
            parameters=None,
            secret_arn=self._get_param("SecretArn"),
            sql=";\n".join(self._get_param("Sqls") or []),
        )
        body = {"CreatedAt": statement.created_at, "Database": statement.database, "Id": statement.id}
        if statement.secret_arn:
            body["SecretArn"] = statement.secret_arn
        return 200, {}, json.dumps(body)

    RedshiftDataAPIServiceResponse.batch_execute_statement = batch_execute_statement  # type: ignore[attr-defined]

    # moto's statements stay STARTED forever; callers that wait would wait forever. Here they
    # finish at once (they run nothing either way).
    from moto.redshiftdata.models import Statement

    started = Statement.__init__

    def finished(self: Any, *args: Any, **kwargs: Any) -> None:
        started(self, *args, **kwargs)
        self.status = "FINISHED"

    Statement.__init__ = finished  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> int:
    global _CONFIG_PATH
    parser = argparse.ArgumentParser(description="moto_server with xetl's IAM evaluator")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--config", type=Path, required=True)
    args = parser.parse_args(argv)
    _CONFIG_PATH = args.config
    install()
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    print(f"iam-server ready on 127.0.0.1:{args.port}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("MOTO_CALL_RESET_API", "true")
    raise SystemExit(main())
