"""IAM policies of the synthesized stacks, and an evaluator that decides requests against them.

Standard library only, so every Python environment of the project can import it (the DAG tests
run on Airflow's Python 3.12, the emulator on the tools venv's 3.11).

- ``StackIam.load(path)`` reads one ``cdktf.out/stacks/<stack>/cdk.tf.json`` and gives each role's
  trust policy, inline policies (``aws_iam_role_policy``) and attached customer policies
  (``aws_iam_policy`` + ``aws_iam_role_policy_attachment``), and the resource policies the stack
  writes (bucket, topic, queue, key, event bus, secret). ``Resolver`` turns the Terraform references
  in them (``${aws_s3_bucket.X.arn}``) into the values of the resources a test created, and fails
  naming any reference it was not given: a policy is never evaluated half-resolved.
- ``evaluate(request, identity_policies, resource_policy)`` follows AWS's evaluation logic for one
  principal and one resource: an explicit Deny anywhere wins; within an account an Allow in either
  the identity policies or the resource policy (naming the principal) is enough; across accounts
  both must allow; a KMS key's policy must always allow, either the principal itself or the
  account (which hands the decision to IAM). Conditions support the String/Arn/Bool/Null/Numeric
  operators with ``IfExists`` and the ``ForAnyValue:``/``ForAllValues:`` set prefixes, and policy
  variables such as ``${aws:userid}``. A condition key the request does not carry is absent, as in
  AWS: the statement does not apply (or, for negated operators, does).

What this does not model: SCPs, RCPs, permission boundaries and session policies (a caller
with a boundary evaluates it as a second set of identity policies and takes both decisions, as
libs/stacks/src/escalation/evaluate_requests.py does),
and keys only AWS itself knows (``kms:ViaService``, ``aws:CalledVia``, ``aws:SourceVpce``) unless
the caller puts them into the request's context.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# ---------------------------------------------------------------------------------------------
# Terraform: reading the synthesized stack and resolving references
# ---------------------------------------------------------------------------------------------

# A whole-reference interpolation: ${aws_s3_bucket.Staging_Bucket_FFBBB1F1.arn} or ${data.x.y.z}.
_REFERENCE = re.compile(r"(?<!\$)\$\{([A-Za-z0-9_.\-\[\]\"]+)\}")
# Terraform writes a literal "${" as "$${" (policy variables such as $${aws:userid}).
_ESCAPED = "$${"

# Resource policy resources and the attribute naming the resource they protect.
RESOURCE_POLICY_TYPES: dict[str, tuple[str, str]] = {
    "aws_s3_bucket_policy": ("bucket", "policy"),
    "aws_sns_topic_policy": ("arn", "policy"),
    "aws_sqs_queue_policy": ("queue_url", "policy"),
    "aws_cloudwatch_event_bus_policy": ("event_bus_name", "policy"),
    "aws_secretsmanager_secret_policy": ("secret_arn", "policy"),
}


class UnresolvedReference(KeyError):
    """A Terraform reference in a policy that the test did not give a value for."""

    def __str__(self) -> str:
        return f"no value for Terraform reference ${{{self.args[0]}}} (in {self.args[1]})"


_COALESCE = re.compile(r'(?<!\$)\$\{coalesce\(var\.([A-Za-z0-9_\-]+),\s*"([^"]*)"\)\}')
# replace(<reference>, "/<regex>/", "<replacement>"): the analytics stack's Airflow UI link.
_REPLACE = re.compile(r'(?<!\$)\$\{replace\(([A-Za-z0-9_.\-\[\]]+),\s*"/((?:[^"\\]|\\.)*)/",\s*"([^"]*)"\)\}')
_ANY_INTERPOLATION = re.compile(r"(?<!\$)\$\{([^}]*)\}")
# join("", <resource>[*].<attribute>): an attribute of a resource that a switch may leave out
# (count 0 or 1: a parkable environment); deployed here, so the single instance's value.
_SPLAT_JOIN = re.compile(r'join\("",\s*([A-Za-z0-9_.\-]+)\[\*\]\.([A-Za-z0-9_]+)\)')


@dataclass
class Resolver:
    """Values of Terraform references (``"aws_s3_bucket.Staging_Bucket_FFBBB1F1.arn"`` -> ARN)
    and of the stack's input variables (``coalesce(var.x, "default")`` and a regex ``replace`` of a
    reference, and ``join("", r[*].a)`` of a switchable resource, are the functions the stacks use
    in values the tests read)."""

    values: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)

    def set(self, reference: str, value: str) -> None:
        self.values[reference] = value

    def resolve(self, text: str, where: str) -> str:
        def reference(match: re.Match[str]) -> str:
            ref = match.group(1)
            if ref not in self.values:
                raise UnresolvedReference(ref, where)
            return self.values[ref]

        def replaced(match: re.Match[str]) -> str:
            # Terraform's RE2 and Python's re agree on the simple patterns the stacks use; RE2's
            # "$1" group references are re's "\\g<1>".
            replacement = re.sub(r"\$(\d+)", r"\\g<\1>", match.group(3).replace("\\", "\\\\"))
            return re.sub(match.group(2).replace('\\"', '"'), replacement, reference(match))

        text = _SPLAT_JOIN.sub(r"\1.\2", text)
        text = _COALESCE.sub(lambda m: self.variables.get(m.group(1)) or m.group(2), text)
        text = _REPLACE.sub(replaced, text)
        text = _REFERENCE.sub(reference, text)
        for match in _ANY_INTERPOLATION.finditer(text):
            raise UnresolvedReference(match.group(1), where)
        return text.replace(_ESCAPED, "${")


# A placeholder where AWS makes up part of an ARN (a key id, a workgroup id, a secret suffix).
_GENERATED_ID = "00000000-0000-4000-8000-000000000000"


def stack_location(synth: Mapping[str, Any]) -> tuple[str, str]:
    """(account, region) the stack's provider is pinned to."""
    (provider,) = synth["provider"]["aws"]
    (account,) = provider["allowed_account_ids"]
    return account, provider["region"]


def reference_resolver(synth: Mapping[str, Any], resolver: Resolver | None = None) -> Resolver:
    """Values of the references a stack's policies use, as AWS will name the resources: exact for
    names AWS takes from the configuration, a placeholder id where AWS generates one. The emulator
    overwrites the generated ones with what it created."""
    resolver = resolver or Resolver()
    account, region = stack_location(synth)
    resources: Mapping[str, Mapping[str, Any]] = synth.get("resource", {})

    def each(rtype: str):
        for key, body in resources.get(rtype, {}).items():
            yield f"{rtype}.{key}", body

    def put(address: str, **attrs: str) -> None:
        for attr, value in attrs.items():
            resolver.set(f"{address}.{attr}", value)

    def arn(service: str, resource: str) -> str:
        return f"arn:aws:{service}:{region}:{account}:{resource}"

    for address, body in each("aws_iam_role"):
        put(address, arn=f"arn:aws:iam::{account}:role/{body['name']}", id=body["name"], name=body["name"],
            unique_id="AROA" + "X" * 17)
    for address, body in each("aws_iam_policy"):
        put(address, arn=f"arn:aws:iam::{account}:policy/{body['name']}", id=f"arn:aws:iam::{account}:policy/{body['name']}")
    for address, body in each("aws_iam_openid_connect_provider"):
        host = str(body.get("url", "")).removeprefix("https://")
        put(address, arn=f"arn:aws:iam::{account}:oidc-provider/{host}")
    for address, body in each("aws_s3_bucket"):
        put(address, arn=f"arn:aws:s3:::{body['bucket']}", id=body["bucket"], bucket=body["bucket"])
    for address, _body in each("aws_kms_key"):
        put(address, arn=arn("kms", f"key/{_GENERATED_ID}"), key_id=_GENERATED_ID, id=_GENERATED_ID)
    for address, body in each("aws_kms_alias"):
        put(address, arn=arn("kms", body["name"]), name=body["name"])
    for address, body in each("aws_sqs_queue"):
        url = f"https://sqs.{region}.amazonaws.com/{account}/{body['name']}"
        put(address, arn=arn("sqs", body["name"]), url=url, id=url, name=body["name"])
    for address, body in each("aws_sns_topic"):
        put(address, arn=arn("sns", body["name"]), id=arn("sns", body["name"]), name=body["name"])
    for address, body in each("aws_cloudwatch_event_bus"):
        put(address, arn=arn("events", f"event-bus/{body['name']}"), name=body["name"], id=body["name"])
    for address, body in each("aws_cloudwatch_log_group"):
        put(address, arn=arn("logs", f"log-group:{body['name']}"), name=body["name"], id=body["name"])
    for address, body in each("aws_secretsmanager_secret"):
        put(address, arn=arn("secretsmanager", f"secret:{body['name']}-AbCdEf"), id=arn("secretsmanager", f"secret:{body['name']}-AbCdEf"), name=body["name"])
    for address, body in each("aws_glue_catalog_database"):
        put(address, name=body["name"], id=f"{account}:{body['name']}", arn=arn("glue", f"database/{body['name']}"))
    for address, body in each("aws_glue_security_configuration"):
        put(address, name=body["name"], id=body["name"])
    for address, body in each("aws_glue_crawler"):
        put(address, arn=arn("glue", f"crawler/{body['name']}"), name=body["name"], id=body["name"])
    for address, body in each("aws_glue_job"):
        put(address, arn=arn("glue", f"job/{body['name']}"), name=body["name"], id=body["name"])
    for address, body in each("aws_redshiftserverless_namespace"):
        put(address, namespace_name=body["namespace_name"], arn=arn("redshift-serverless", f"namespace/{_GENERATED_ID}"),
            admin_password_secret_arn=arn("secretsmanager", f"secret:redshift!{body['namespace_name']}-admin-AbCdEf"))
    for address, body in each("aws_redshiftserverless_workgroup"):
        put(address, workgroup_name=body["workgroup_name"], arn=arn("redshift-serverless", f"workgroup/{_GENERATED_ID}"),
            **{"endpoint[0].address": f"{body['workgroup_name']}.{account}.{region}.redshift-serverless.amazonaws.com"})
    for address, body in each("aws_lambda_function"):
        put(address, arn=arn("lambda", f"function:{body['function_name']}"), function_name=body["function_name"])
    for address, body in each("aws_mwaa_environment"):
        # MWAA's API gives the webserver as a host name; the id part is generated.
        put(address, arn=arn("airflow", f"environment/{body['name']}"), name=body["name"],
            webserver_url=f"{_GENERATED_ID}.c2.airflow.{region}.on.aws")
    for address, _body in each("aws_vpc"):
        vpc_id = "vpc-" + _GENERATED_ID.replace("-", "")[:17]
        put(address, id=vpc_id, arn=arn("ec2", f"vpc/{vpc_id}"))
    for address, body in each("aws_dynamodb_table"):
        put(address, arn=arn("dynamodb", f"table/{body['name']}"), name=body["name"], id=body["name"])
    for key, body in synth.get("variable", {}).items():
        resolver.variables.setdefault(key, str(body.get("default", "")))
    return resolver


@dataclass(frozen=True)
class RolePolicies:
    """One role as the stack declares it: its name, trust policy and permission policies."""

    address: str  # aws_iam_role.<name> in the stack
    name: str
    trust_policy: str  # JSON text, unresolved
    inline: dict[str, str]  # policy name -> JSON text, unresolved
    attached: dict[str, str]  # customer policy name -> JSON text, unresolved
    managed_arns: tuple[str, ...]  # AWS-managed policies (cannot be evaluated here)


@dataclass(frozen=True)
class ResourcePolicy:
    address: str  # e.g. aws_s3_bucket_policy.Staging_Policy_9F799B50
    target: str  # unresolved value of the attribute naming the protected resource
    policy: str  # JSON text, unresolved


@dataclass(frozen=True)
class StackIam:
    stack: str
    roles: dict[str, RolePolicies]  # by role name
    resource_policies: tuple[ResourcePolicy, ...]
    key_policies: dict[str, str]  # aws_kms_key.<name> -> JSON text
    documents: tuple[tuple[str, str], ...]  # (where, JSON text) for every policy in the stack

    @classmethod
    def load(cls, path: str | Path) -> StackIam:
        path = Path(path)
        synth = json.loads(path.read_text())
        resources: dict[str, dict[str, Any]] = synth.get("resource", {})
        roles_by_address = {
            f"aws_iam_role.{key}": body for key, body in resources.get("aws_iam_role", {}).items()
        }

        def role_address(ref: str) -> str:
            # role = "${aws_iam_role.X.id}" / ".name", or a literal role name.
            match = re.fullmatch(r"\$\{(aws_iam_role\.[A-Za-z0-9_\-]+)\.(?:id|name)\}", ref)
            if match:
                return match.group(1)
            for address, body in roles_by_address.items():
                if body.get("name") == ref:
                    return address
            raise ValueError(f"{path}: a policy is attached to role {ref!r}, which this stack does not declare")

        inline: dict[str, dict[str, str]] = {a: {} for a in roles_by_address}
        for key, body in resources.get("aws_iam_role_policy", {}).items():
            inline[role_address(body["role"])][body.get("name", key)] = body["policy"]
        customer = resources.get("aws_iam_policy", {})
        attached: dict[str, dict[str, str]] = {a: {} for a in roles_by_address}
        managed: dict[str, list[str]] = {a: [] for a in roles_by_address}
        for body in resources.get("aws_iam_role_policy_attachment", {}).values():
            address = role_address(body["role"])
            match = re.fullmatch(r"\$\{aws_iam_policy\.([A-Za-z0-9_\-]+)\.arn\}", body["policy_arn"])
            if match:
                policy = customer[match.group(1)]
                attached[address][policy.get("name", match.group(1))] = policy["policy"]
            else:
                managed[address].append(body["policy_arn"])
        for address, body in roles_by_address.items():
            managed[address].extend(body.get("managed_policy_arns", []) or [])
            for block in body.get("inline_policy", []) or []:
                inline[address][block["name"]] = block["policy"]

        roles = {
            body["name"]: RolePolicies(
                address=address,
                name=body["name"],
                trust_policy=body["assume_role_policy"],
                inline=inline[address],
                attached=attached[address],
                managed_arns=tuple(managed[address]),
            )
            for address, body in roles_by_address.items()
        }
        resource_policies = tuple(
            ResourcePolicy(f"{rtype}.{key}", body.get(target, ""), body[attr])
            for rtype, (target, attr) in RESOURCE_POLICY_TYPES.items()
            for key, body in resources.get(rtype, {}).items()
        )
        key_policies = {
            f"aws_kms_key.{key}": body["policy"]
            for key, body in resources.get("aws_kms_key", {}).items()
            if body.get("policy")
        }
        documents: list[tuple[str, str]] = []
        for role in roles.values():
            documents.append((f"{role.address} (trust policy)", role.trust_policy))
            documents += [(f"{role.address} inline policy {n}", d) for n, d in role.inline.items()]
        documents += [
            (f"aws_iam_policy.{key}", body["policy"]) for key, body in customer.items()
        ]
        documents += [(rp.address, rp.policy) for rp in resource_policies]
        documents += list(key_policies.items())
        for rtype in ("aws_vpc_endpoint", "aws_ecr_repository_policy", "aws_lambda_permission"):
            documents += [
                (f"{rtype}.{key}", body["policy"])
                for key, body in resources.get(rtype, {}).items()
                if isinstance(body.get("policy"), str)
            ]
        return cls(path.parent.name, roles, resource_policies, key_policies, tuple(documents))

    def role(self, name: str) -> RolePolicies:
        if name not in self.roles:
            raise KeyError(f"stack {self.stack} declares no role {name!r} (roles: {sorted(self.roles)})")
        return self.roles[name]

    def identity_policies(self, role_name: str, resolver: Resolver) -> list[dict[str, Any]]:
        """The role's permission policies, resolved, as parsed documents."""
        role = self.role(role_name)
        return [
            json.loads(resolver.resolve(text, f"{role.address} policy {name}"))
            for name, text in {**role.inline, **role.attached}.items()
        ]


# ---------------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """Who signs a request: a role session (the usual case) or an IAM user."""

    arn: str  # arn:aws:sts::<acct>:assumed-role/<role>/<session> or arn:aws:iam::<acct>:user/<name>
    account: str
    role_arn: str | None = None  # arn:aws:iam::<acct>:role/<role> for a role session
    userid: str = ""  # aws:userid: "<role id>:<session>" for a role session

    @property
    def principal_arn(self) -> str:
        """``aws:PrincipalArn``: the role's ARN for a role session, else the principal's own."""
        return self.role_arn or self.arn

    def context(self) -> dict[str, str]:
        ctx = {
            "aws:PrincipalArn": self.principal_arn,
            "aws:PrincipalAccount": self.account,
            "aws:PrincipalType": "AssumedRole" if self.role_arn else "User",
            # The emulator listens on plain HTTP on loopback; the SDKs talk TLS to AWS.
            "aws:SecureTransport": "true",
        }
        if self.userid:
            ctx["aws:userid"] = self.userid
        if not self.role_arn:
            ctx["aws:username"] = self.arn.rsplit("/", 1)[-1]
        return ctx


@dataclass(frozen=True)
class Request:
    principal: Principal
    action: str  # service:Action
    resource: str  # an ARN, or "*" for actions without a resource type
    context: Mapping[str, str | list[str]] = field(default_factory=dict)

    def all_context(self) -> dict[str, str | list[str]]:
        return {**self.principal.context(), **self.context}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # why, in AWS's words where AWS has them

    def __bool__(self) -> bool:
        return self.allowed


def arn_account(arn: str) -> str:
    parts = arn.split(":", 5)
    return parts[4] if len(parts) > 4 else ""


def _glob(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL) is not None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


_VARIABLE = re.compile(r"\$\{([^}]+)\}")


def _substitute(text: str, context: Mapping[str, str | list[str]]) -> str | None:
    """Policy variables (``${aws:userid}``) from the request; None when one is missing."""
    missing = False

    def sub(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1)
        if name in ("*", "?", "$"):
            return name
        value = context.get(name)
        if value is None or isinstance(value, list):
            missing = True
            return ""
        return value

    result = _VARIABLE.sub(sub, text)
    return None if missing else result


def _string_match(op: str, expected: str, actual: str) -> bool:
    if op in ("StringEquals", "StringNotEquals"):
        return expected == actual
    if op in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
        return expected.lower() == actual.lower()
    if op in ("StringLike", "StringNotLike", "ArnLike", "ArnNotLike", "ArnEquals", "ArnNotEquals"):
        return _glob(expected, actual)
    if op == "Bool":
        return expected.lower() == actual.lower()
    if op.startswith("Numeric"):
        a, e = float(actual), float(expected)
        return {
            "NumericEquals": a == e,
            "NumericNotEquals": a == e,
            "NumericLessThan": a < e,
            "NumericLessThanEquals": a <= e,
            "NumericGreaterThan": a > e,
            "NumericGreaterThanEquals": a >= e,
        }[op]
    raise ValueError(f"condition operator {op} is not supported by the evaluator")


_NEGATED = {
    "StringNotEquals",
    "StringNotEqualsIgnoreCase",
    "StringNotLike",
    "ArnNotEquals",
    "ArnNotLike",
    "NumericNotEquals",
}


def _condition_holds(operator: str, key: str, expected: Any, context: Mapping[str, Any]) -> bool:
    set_op = None
    if ":" in operator and operator.split(":", 1)[0] in ("ForAnyValue", "ForAllValues"):
        set_op, operator = operator.split(":", 1)
    if_exists = operator.endswith("IfExists")
    op = operator.removesuffix("IfExists")
    actual = context.get(key)
    if op == "Null":
        # "true": the key must be absent; "false": present.
        return str(_as_list(expected)[0]).lower() == ("true" if actual is None else "false")
    if actual is None:
        if if_exists:
            return True
        return set_op == "ForAllValues" or (op in _NEGATED and set_op is None)
    expected_values = [
        v for v in (_substitute(str(e), context) for e in _as_list(expected)) if v is not None
    ]
    actual_values = [str(a) for a in _as_list(actual)]
    negated = op in _NEGATED

    def one(value: str) -> bool:
        hit = any(_string_match(op, e, value) for e in expected_values)
        return not hit if negated else hit

    if set_op == "ForAllValues":
        return all(one(v) for v in actual_values)
    return any(one(v) for v in actual_values)


def _conditions_hold(conditions: Mapping[str, Mapping[str, Any]] | None, context: Mapping[str, Any]) -> bool:
    return all(
        _condition_holds(op, key, expected, context)
        for op, pairs in (conditions or {}).items()
        for key, expected in pairs.items()
    )


def _matches_any(patterns: Iterable[str], value: str, context: Mapping[str, Any], *, ignore_case: bool) -> bool:
    for pattern in patterns:
        expanded = _substitute(pattern, context)
        if expanded is not None and _glob(expanded, value, ignore_case=ignore_case):
            return True
    return False


def _principal_matches(principal_block: Any, principal: Principal) -> str | None:
    """How a resource policy's Principal names the caller: "principal" (the role or session
    itself, or everyone), "account" (the caller's account root, i.e. delegated to IAM), or None."""
    if principal_block == "*":
        return "principal"
    if not isinstance(principal_block, Mapping):
        return None
    aws = _as_list(principal_block.get("AWS"))
    if "*" in aws or principal.principal_arn in aws or principal.arn in aws:
        return "principal"
    if f"arn:aws:iam::{principal.account}:root" in aws or principal.account in aws:
        return "account"
    return None


def _statement_applies(statement: Mapping[str, Any], request: Request, context: Mapping[str, Any]) -> bool:
    if "Action" in statement:
        if not _matches_any(_as_list(statement["Action"]), request.action, context, ignore_case=True):
            return False
    elif _matches_any(_as_list(statement.get("NotAction")), request.action, context, ignore_case=True):
        return False
    if "Resource" in statement:
        if not _matches_any(_as_list(statement["Resource"]), request.resource, context, ignore_case=False):
            return False
    elif "NotResource" in statement:
        if _matches_any(_as_list(statement["NotResource"]), request.resource, context, ignore_case=False):
            return False
    return _conditions_hold(statement.get("Condition"), context)


def _statements(policy: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return _as_list(policy.get("Statement"))


def _describe(statement: Mapping[str, Any], where: str) -> str:
    return f"{where} statement {statement['Sid']}" if statement.get("Sid") else f"{where}"


def evaluate(
    request: Request,
    identity_policies: Iterable[Mapping[str, Any]],
    resource_policy: Mapping[str, Any] | None = None,
    *,
    resource_account: str | None = None,
    resource_policy_required: bool = False,
) -> Decision:
    """AWS's decision for one request.

    ``resource_account`` defaults to the account in the resource ARN (S3 ARNs carry none: pass
    the bucket owner). ``resource_policy_required`` is for KMS, whose key policy must allow.
    """
    context = request.all_context()
    principal = request.principal
    identity_allow: str | None = None
    for policy in identity_policies:
        for statement in _statements(policy):
            if not _statement_applies(statement, request, context):
                continue
            if statement["Effect"] == "Deny":
                return Decision(False, f"explicit deny in an identity-based policy ({_describe(statement, 'identity policy')})")
            identity_allow = identity_allow or _describe(statement, "identity policy")

    resource_allow: str | None = None  # the principal itself is named
    resource_delegates = False  # the principal's account is named: IAM decides
    for statement in _statements(resource_policy or {}):
        if "Principal" in statement:
            named = _principal_matches(statement["Principal"], principal)
        else:  # NotPrincipal
            named = None if _principal_matches(statement["NotPrincipal"], principal) else "principal"
        if named is None or not _statement_applies(statement, request, context):
            continue
        if statement["Effect"] == "Deny":
            return Decision(False, f"explicit deny in a resource-based policy ({_describe(statement, 'resource policy')})")
        if named == "principal":
            resource_allow = resource_allow or _describe(statement, "resource policy")
        else:
            resource_delegates = True

    owner = resource_account if resource_account is not None else arn_account(request.resource)
    cross_account = bool(owner) and owner != principal.account
    resource_ok = resource_allow is not None or (resource_delegates and identity_allow is not None)

    if resource_policy_required and not resource_ok:
        return Decision(False, "because no resource-based policy (key policy) allows the action")
    if cross_account:
        if identity_allow is None:
            return Decision(False, f"because no identity-based policy allows the {request.action} action")
        if not resource_ok:
            return Decision(
                False, f"because no resource-based policy of account {owner} allows the {request.action} action"
            )
        return Decision(True, f"{identity_allow} and {resource_allow or 'the resource policy (account)'}")
    if identity_allow is not None:
        return Decision(True, identity_allow)
    if resource_allow is not None:
        return Decision(True, resource_allow)
    return Decision(False, f"because no identity-based policy allows the {request.action} action")


def denial_message(request: Request, decision: Decision) -> str:
    """The message AWS returns for a denied request, naming principal, action and resource."""
    return (
        f"User: {request.principal.arn} is not authorized to perform: {request.action} "
        f"on resource: {request.resource} {decision.reason}"
    )
