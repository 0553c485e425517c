"""Account A's deployed emulator state, kept between local runs.

A run that deploys account A with ``terraform apply`` has moto's recorder write down every request
the AWS provider makes, and keeps that recording with the content hash of the synthesized stack
(``cdk.tf.json``) in ``<work>/emulator-state/``. The next run synthesizes again; when the hash is
the same, it replays the recording into its fresh emulator instead of applying: a few seconds
instead of the provider's fixed consistency waits (about a minute for this stack, see
docs/local-run.md). After the replay the emulator must answer exactly as it did after the apply
(``fingerprint``: every bucket's configuration, the keys, aliases, queues, roles and rules);
otherwise the emulator is reset and the stack applied for real. A changed stack, another moto pin
or emulator patch, or no recording always means a real apply.

Same ids on replay: moto draws KMS key ids and IAM role ids from one random generator. The apply
and the replay both start it from ``REPLAY_SEED``, and moto_server.py handles requests one at a
time while recording, so the replay draws the same ids in the same order.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[3]
REPLAY_SEED = 20261121
# What else decides the state a replay produces: the moto pin and the emulator's patches.
EMULATOR_FILES = (REPO_ROOT / "tools" / "python" / "requirements.txt", REPO_ROOT / "tools" / "local" / "moto_server.py")
RECORDING = "recording.jsonl"
SAVED = "deploy.json"


def stack_hash(stack_json: Path, emulator_files: tuple[Path, ...] = EMULATOR_FILES) -> str:
    """sha256 of the synthesized stack and of the emulator it was deployed to."""
    digest = hashlib.sha256()
    for path in (stack_json, *emulator_files):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class SavedDeploy:
    """What a real apply left: when, for which stack, its report, and how the emulator answered."""

    stack_hash: str
    deployed_at: str
    report: dict[str, Any]
    fingerprint: dict[str, Any]
    # The emulator the apply ran against: URLs in the report (a queue's) name its port.
    endpoint: str = ""


@dataclass
class EmulatorState:
    """The saved deploy in ``folder``, for the moto server at ``endpoint``; ``client(service)`` is a
    boto3 client on that server."""

    folder: Path
    endpoint: str
    client: Callable[[str], Any]

    # ---- what is saved --------------------------------------------------------------------------
    def saved(self) -> SavedDeploy | None:
        """The last real apply's record, or None when there is none (or it cannot be read)."""
        try:
            data = json.loads((self.folder / SAVED).read_text())
            if not (self.folder / RECORDING).is_file():
                return None
            return SavedDeploy(**data)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def why_apply(self, current_hash: str) -> str | None:
        """None when the saved deploy can be restored for a stack hashing to ``current_hash``,
        otherwise why a real apply is needed (for the run's output)."""
        saved = self.saved()
        if saved is None:
            return "no earlier deploy to restore"
        if saved.stack_hash != current_hash:
            return f"the stack or the emulator changed since the deploy of {saved.deployed_at}"
        return None

    # ---- a real apply ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def recording(self) -> Iterator[None]:
        """Record every request to the emulator inside the block (the apply), from a seeded start."""
        self._api("seed?a=" + str(REPLAY_SEED))
        self._api("recorder/reset-recording")
        self._api("recorder/start-recording")
        try:
            yield
        finally:
            self._api("recorder/stop-recording")

    def save(self, current_hash: str, report: dict[str, Any]) -> SavedDeploy:
        """Keep the recording just made, with the stack hash, the report and the emulator's answers."""
        recording = self._api("recorder/download-recording", method="GET")
        saved = SavedDeploy(
            stack_hash=current_hash,
            deployed_at=datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S"),
            report=report,
            fingerprint=fingerprint(self.client),
            endpoint=self.endpoint,
        )
        self.keep(saved, recording)
        return saved

    def keep(self, saved: SavedDeploy, recording: bytes) -> None:
        """Write ``saved`` and its recording to the folder, replacing what was there."""
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / SAVED).unlink(missing_ok=True)  # never a new recording under an old record
        (self.folder / RECORDING).write_bytes(recording)
        (self.folder / SAVED).write_text(json.dumps(saved.__dict__, indent=1, sort_keys=True))

    def restored_report(self) -> dict[str, Any]:
        """The saved apply's report as of this emulator (its URLs on this endpoint), and when it ran."""
        saved = self.saved()
        if saved is None:
            return {}
        text = json.dumps(saved.report)
        if saved.endpoint:
            text = text.replace(saved.endpoint, self.endpoint)
        return {**json.loads(text), "restoredFrom": saved.deployed_at}

    # ---- a restore ------------------------------------------------------------------------------
    def restore(self) -> str | None:
        """Replay the saved recording into the (fresh) emulator. None when the emulator then answers
        as it did after the apply; otherwise what differs, and the emulator is reset to empty."""
        saved = self.saved()
        if saved is None:
            return "no earlier deploy to restore"
        self._api("seed?a=" + str(REPLAY_SEED))
        self._api("recorder/upload-recording", body=(self.folder / RECORDING).read_bytes())
        self._api("recorder/replay-recording")
        differences = compare(saved.fingerprint, fingerprint(self.client))
        if differences:
            self._api("reset")
            return "the restored emulator differs from the deploy's: " + "; ".join(differences[:3])
        return None

    def _api(self, path: str, method: str = "POST", body: bytes = b"") -> bytes:
        return moto_api(self.endpoint, path, method, body)


def moto_api(endpoint: str, path: str, method: str = "POST", body: bytes = b"") -> bytes:
    """A call to moto's own API (``/moto-api/<path>``), past any proxy settings."""
    # An octet-stream body: with a form content type Flask hands moto's recorder an empty upload.
    request = urllib.request.Request(
        f"{endpoint}/moto-api/{path}", data=body if method == "POST" else None, method=method,
        headers={"Content-Type": "application/octet-stream"},
    )  # fmt: skip
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=120) as response:
        return response.read()


def fingerprint(client: Callable[[str], Any]) -> dict[str, Any]:
    """How the emulator answers for what account A's stack creates (S3 buckets with their
    configuration, KMS keys and aliases, SQS queues, IAM roles with inline policies, EventBridge
    rules with targets), ids included, times left out. JSON-ready."""
    out: dict[str, Any] = {}
    s3 = client("s3")
    bucket_reads = ("policy", "encryption", "lifecycle_configuration", "versioning", "logging", "tagging",
                    "ownership_controls", "notification_configuration")  # fmt: skip
    for bucket in sorted(b["Name"] for b in s3.list_buckets()["Buckets"]):
        reads = {"public_access_block": _answer(s3.get_public_access_block, Bucket=bucket)}
        reads.update({name: _answer(getattr(s3, f"get_bucket_{name}"), Bucket=bucket) for name in bucket_reads})
        out[f"s3:{bucket}"] = reads
    kms = client("kms")
    for key in kms.list_keys()["Keys"]:
        key_id = key["KeyId"]
        meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
        out[f"kms:{key_id}"] = {
            "arn": meta["Arn"], "description": meta.get("Description"), "state": meta.get("KeyState"),
            "rotation": _answer(kms.get_key_rotation_status, KeyId=key_id),
            "policy": json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]),
            "tags": kms.list_resource_tags(KeyId=key_id)["Tags"],
        }  # fmt: skip
    out["kms:aliases"] = sorted([a["AliasName"], a.get("TargetKeyId")] for a in kms.list_aliases()["Aliases"])
    sqs = client("sqs")
    for url in sorted(sqs.list_queues().get("QueueUrls", [])):
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        volatile = ("CreatedTimestamp", "LastModifiedTimestamp")
        out[f"sqs:{url.rsplit('/', 1)[-1]}"] = {k: v for k, v in attributes.items() if k not in volatile}
    iam = client("iam")
    for role in iam.list_roles()["Roles"]:
        name = role["RoleName"]
        inline = {p: iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"]
                  for p in iam.list_role_policies(RoleName=name)["PolicyNames"]}  # fmt: skip
        out[f"iam:{name}"] = {"id": role["RoleId"], "trust": role["AssumeRolePolicyDocument"], "inline": inline}
    events = client("events")
    for rule in events.list_rules()["Rules"]:
        out[f"events:{rule['Name']}"] = {"rule": rule, "targets": events.list_targets_by_rule(Rule=rule["Name"])["Targets"]}
    return json.loads(json.dumps(out, default=str, sort_keys=True))


def compare(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """One line per resource that is missing, extra or answers differently."""
    lines = []
    for key in sorted(set(expected) | set(actual)):
        if key not in actual:
            lines.append(f"{key} missing")
        elif key not in expected:
            lines.append(f"{key} not in the deploy")
        elif json.dumps(expected[key], sort_keys=True) != json.dumps(actual[key], sort_keys=True):
            lines.append(f"{key} answers differently")
    return lines


def _answer(read: Callable[..., dict[str, Any]], **kwargs: Any) -> Any:
    """The read's answer without its metadata, or the error code it answered with."""
    from botocore.exceptions import ClientError

    try:
        answer = read(**kwargs)
    except ClientError as err:
        return {"error": err.response.get("Error", {}).get("Code", "")}
    answer.pop("ResponseMetadata", None)
    return answer
