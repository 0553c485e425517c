"""moto_server with two fixes to bucket-policy handling, for the local run (runs in the tools venv).

1. moto 5.1.22 evaluates a bucket policy for every object request without any request context,
   and a statement whose Condition it cannot resolve counts as an explicit DENY - for Allow and
   Deny statements alike. The stack's "DenyInsecureTransport" (aws:SecureTransport = false) and
   every role-scoped Allow (aws:PrincipalArn) then refuse all object access. Here a conditional
   statement simply does not apply (moto has no request context to decide it), unconditional ones
   are evaluated as moto does. Consequence, stated in docs/local-run.md: the local run does not
   prove the bucket policies (their tests and the policy scan do).
2. moto 5.1.22's PutBucketLogging check reads every statement of the log bucket's policy as if its
Principal were a mapping; a statement with ``"Principal": "*"`` (the stack's deny-insecure-transport
statement) makes it raise AttributeError, the request answers 500, and Terraform's AWS provider
retries it for many minutes. Here such a statement simply does not grant log delivery, which is what
S3 means by it. Everything else is the stock server.

    python tools/local/moto_server.py -H 127.0.0.1 -p PORT
"""

from __future__ import annotations

import json
import sys
from typing import Any

from moto.s3.models import FakeBucket
from moto.server import main

_original = FakeBucket._log_permissions_enabled_policy


def _tolerant(target_bucket: Any, target_prefix: str | None) -> bool:
    policy = target_bucket.policy
    if not policy:
        return False
    document = json.loads(policy.decode() if isinstance(policy, bytes) else policy)
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    kept = [s for s in statements if isinstance(s.get("Principal"), dict)]
    if len(kept) == len(statements):
        return _original(target_bucket, target_prefix)
    original_policy = target_bucket.policy
    try:
        target_bucket.policy = json.dumps({**document, "Statement": kept}).encode()
        return _original(target_bucket, target_prefix)
    finally:
        target_bucket.policy = original_policy


FakeBucket._log_permissions_enabled_policy = staticmethod(_tolerant)

_original_get_permission = FakeBucket.get_permission


def _get_permission(self: Any, action: str, resource: str) -> Any:
    from moto.iam.access_control import IAMPolicy, PermissionResult

    if self.policy is None:
        return PermissionResult.NEUTRAL
    document = json.loads(self.policy.decode() if isinstance(self.policy, bytes) else self.policy)
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    unconditional = [s for s in statements if not s.get("Condition")]
    if not unconditional:
        return PermissionResult.NEUTRAL
    return IAMPolicy(json.dumps({**document, "Statement": unconditional})).is_action_permitted(action, resource)


FakeBucket.get_permission = _get_permission

if __name__ == "__main__":
    sys.exit(main())
