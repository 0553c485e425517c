"""moto_server with two fixes to bucket-policy handling and one to its recorder, for the local run
(runs in the tools venv; moto 5.1.22).

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
S3 means by it.
3. moto's recorder (``/moto-api/recorder/...``, used by ``xetl_local.emulator_state`` to restore an
earlier ``terraform apply`` of account A) appends each request to its log when the request arrives,
and moto draws resource ids (KMS key ids, IAM role ids) from one seeded random generator while it
handles the request. The provider sends up to 10 requests at once, so the log order and the order of
the draws can differ, and a replay (one request after the other, same seed) would give the KMS key
another id than the one the stack's policies, aliases and bucket encryption name. While recording,
requests are handled one at a time here, so the log order is the order of the draws. Not recording
(the DAG run), requests are handled concurrently as in the stock server.
Everything else is the stock server.

    python tools/local/moto_server.py -H 127.0.0.1 -p PORT
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Any

from moto.core.utils import convert_to_flask_response
from moto.moto_api import recorder
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

_recording_one_at_a_time = threading.Lock()
_original_handle = convert_to_flask_response.__call__


def _handle(self: Any, args: Any = None, **kwargs: Any) -> Any:
    if not recorder._user_enabled:
        return _original_handle(self, args, **kwargs)
    with _recording_one_at_a_time:
        return _original_handle(self, args, **kwargs)


convert_to_flask_response.__call__ = _handle

if __name__ == "__main__":
    sys.exit(main())
