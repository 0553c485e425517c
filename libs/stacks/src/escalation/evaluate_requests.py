"""Decides IAM requests against synthesized policies with xetl_harness.iam (AWS's evaluation logic).

Run by escalation.test.ts from the tools venv: reads one JSON object on stdin, writes one on stdout.

    {"requests": [{"name", "principal": {"arn", "account", "role_arn"}, "action", "resource",
                   "context": {...}, "identity": [policy, ...] (or "identity_of": {"stack_path", "role"},
                   a role of a synthesized stack), "boundary": [policy, ...] | null,
                   "resource_policy": policy | null, "resource_account": "..." | null}],
     "within_boundary": [{"stack": "<path to cdk.tf.json>", "boundary": policy}]}

A request with a permissions boundary is allowed only when both the identity policies and the
boundary allow it (AWS: the effective permissions are their intersection); ``xetl_harness.iam``
itself does not model boundaries, so the intersection is taken here. ``within_boundary`` lists,
for each stack, every (role, action, resource) its roles' own policies allow that the boundary
does not: what CI would be unable to deploy.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from xetl_harness.iam import Principal, Request, StackIam, evaluate, reference_resolver


def role_policies(stack_path: str, role: str) -> list[dict[str, Any]]:
    """A role's permission policies as the stack synthesizes them, references resolved."""
    synth = json.loads(open(stack_path, encoding="utf-8").read())
    return StackIam.load(stack_path).identity_policies(role, reference_resolver(synth))


def decide(item: dict[str, Any]) -> dict[str, Any]:
    p = item["principal"]
    principal = Principal(arn=p["arn"], account=p["account"], role_arn=p.get("role_arn"))
    request = Request(principal, item["action"], item["resource"], item.get("context", {}))
    identity = item.get("identity") or role_policies(**item["identity_of"])
    decision = evaluate(
        request,
        identity,
        item.get("resource_policy"),
        resource_account=item.get("resource_account"),
    )
    allowed, reason = decision.allowed, decision.reason
    if allowed and item.get("boundary") is not None:
        # The boundary caps the identity side only: whether another account's resource policy
        # also admits the call is the identity decision's part, so evaluate it as same-account.
        bounded = evaluate(request, item["boundary"], resource_account=principal.account)
        if not bounded.allowed:
            allowed, reason = False, f"the permissions boundary: {bounded.reason}"
    return {"name": item["name"], "allowed": allowed, "reason": reason}


def outside_boundary(stack_path: str, boundary: dict[str, Any]) -> list[dict[str, str]]:
    synth = json.loads(open(stack_path, encoding="utf-8").read())
    stack = StackIam.load(stack_path)
    resolver = reference_resolver(synth)
    account = synth["provider"]["aws"][0]["allowed_account_ids"][0]
    missing: list[dict[str, str]] = []
    for role in stack.roles.values():
        role_arn = f"arn:aws:iam::{account}:role/{role.name}"
        principal = Principal(
            arn=f"{role_arn.replace(':iam:', ':sts:').replace(':role/', ':assumed-role/')}/s",
            account=account,
            role_arn=role_arn,
        )
        for policy in stack.identity_policies(role.name, resolver):
            statements = (
                policy["Statement"] if isinstance(policy["Statement"], list) else [policy["Statement"]]
            )
            for s in (x for x in statements if x["Effect"] == "Allow"):
                actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
                resources = s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]
                for action in actions:
                    for resource in resources:
                        decision = evaluate(
                            Request(principal, action, resource), [boundary], resource_account=account
                        )
                        if not decision.allowed:
                            missing.append(
                                {
                                    "role": role.name,
                                    "sid": s.get("Sid", ""),
                                    "action": action,
                                    "resource": resource,
                                }
                            )
    return missing


def main() -> int:
    spec = json.load(sys.stdin)
    out = {
        "decisions": [decide(r) for r in spec.get("requests", [])],
        "outside_boundary": [
            m for w in spec.get("within_boundary", []) for m in outside_boundary(w["stack"], w["boundary"])
        ],
    }
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
