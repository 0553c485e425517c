"""Account A's emulator state kept between local runs (xetl_local.emulator_state) and the recorder
fix in tools/local/moto_server.py (patch 3).

Which deploys may be restored needs no server. The other cases start the project's patched
moto_server on free loopback ports: a replay must give resources created concurrently while
recording the ids they had, the session's real apply must restore into a fresh emulator that
answers as the applied one did, and a recording that does not reproduce the apply must be refused.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pytest
from xetl_local.emulator_state import RECORDING, EmulatorState, SavedDeploy, fingerprint, stack_hash
from xetl_local.stack import LOOPBACK_ENV, REPO_ROOT, TOOLS_PYTHON, free_port


@contextlib.contextmanager
def moto_server(work: Path) -> Iterator[str]:
    """The local run's moto_server.py on a free loopback port; its endpoint."""
    port = free_port()
    work.mkdir(parents=True, exist_ok=True)
    with (work / f"moto-{port}.log").open("w") as log:
        proc = subprocess.Popen(
            [str(TOOLS_PYTHON), str(REPO_ROOT / "tools" / "local" / "moto_server.py"), "-H", "127.0.0.1", "-p", str(port)],
            env={**os.environ, **LOOPBACK_ENV, "MOTO_ACCOUNT_ID": "123456789012",
                 "MOTO_RECORDER_FILEPATH": str(work / f"recording-{port}.jsonl")},
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        endpoint = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.build_opener(urllib.request.ProxyHandler({})).open(f"{endpoint}/moto-api/", timeout=2)
                    break
                except OSError:
                    assert proc.poll() is None and time.monotonic() < deadline, f"moto_server did not start: {work}"
                    time.sleep(0.2)
            yield endpoint
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def clients(endpoint: str):
    def client(service: str):
        return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test")  # fmt: skip

    return client


def test_only_an_unchanged_stack_on_an_unchanged_emulator_is_restored(tmp_path):
    stack_json, patches = tmp_path / "cdk.tf.json", tmp_path / "moto_server.py"
    stack_json.write_text('{"resource": {"aws_s3_bucket": {"b": {"bucket": "one"}}}}')
    patches.write_text("# patch 1\n")
    applied = stack_hash(stack_json, (patches,))
    state = EmulatorState(tmp_path / "emulator-state", "http://127.0.0.1:9", client=None)
    assert state.why_apply(applied) == "no earlier deploy to restore"

    state.keep(SavedDeploy(applied, "2026-12-01 10:00:00", {"resourcesAdded": 1}, {}), b"{}\n")
    assert state.why_apply(applied) is None

    stack_json.write_text('{"resource": {"aws_s3_bucket": {"b": {"bucket": "two"}}}}')
    changed_stack = stack_hash(stack_json, (patches,))
    assert changed_stack != applied
    assert state.why_apply(changed_stack) == "the stack or the emulator changed since the deploy of 2026-12-01 10:00:00"

    stack_json.write_text('{"resource": {"aws_s3_bucket": {"b": {"bucket": "one"}}}}')
    patches.write_text("# patch 1\n# patch 2\n")
    assert stack_hash(stack_json, (patches,)) != applied

    (state.folder / RECORDING).unlink()
    assert state.why_apply(applied) == "no earlier deploy to restore"


def test_replay_gives_resources_created_concurrently_while_recording_the_ids_they_had(tmp_path):
    """moto_server.py patch 3: without it the recording's order and the order moto drew the ids
    in differ when requests overlap, and a replay hands the ids out to other keys and roles."""
    with moto_server(tmp_path) as first, moto_server(tmp_path) as second:
        recorded = EmulatorState(tmp_path / "emulator-state", first, clients(first))
        with recorded.recording():
            kms, iam = clients(first)("kms"), clients(first)("iam")
            trust = json.dumps({"Version": "2012-10-17", "Statement": []})
            with ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(lambda i: kms.create_key(Description=f"key {i}"), range(24)))
                list(pool.map(lambda i: iam.create_role(RoleName=f"role-{i}", AssumeRolePolicyDocument=trust), range(16)))
        recorded.save("hash", {})
        applied = recorded.saved().fingerprint
        assert len([k for k in applied if k.startswith("kms:") and k != "kms:aliases"]) == 24

        assert EmulatorState(tmp_path / "emulator-state", second, clients(second)).restore() is None
        assert fingerprint(clients(second)) == applied


def test_the_session_deploy_restores_into_a_fresh_emulator_as_it_was_applied(stack, tmp_path):
    with moto_server(tmp_path) as fresh:
        state = EmulatorState(stack.work / "emulator-state", fresh, clients(fresh))
        assert state.restore() is None
        report = state.restored_report()
        outputs = report["outputs"]
        key = clients(fresh)("kms").describe_key(KeyId=stack.names["dataKeyAlias"])["KeyMetadata"]
        assert key["Arn"] == outputs["data_key_arn"]
        assert outputs["marker_forward_dlq_url"].startswith(fresh + "/")
        buckets = {b["Name"] for b in clients(fresh)("s3").list_buckets()["Buckets"]}
        assert {outputs["source_bucket"], outputs["target_bucket"]} <= buckets


def test_a_recording_that_does_not_reproduce_the_apply_is_refused_and_the_emulator_emptied(stack, tmp_path):
    copy = tmp_path / "emulator-state"
    shutil.copytree(stack.work / "emulator-state", copy)
    lines = (copy / RECORDING).read_text().splitlines(keepends=True)
    without_lifecycle = [line for line in lines if not (json.loads(line)["method"] == "PUT" and "lifecycle" in json.loads(line)["url"])]
    assert len(without_lifecycle) < len(lines)
    (copy / RECORDING).write_text("".join(without_lifecycle))
    with moto_server(tmp_path) as fresh:
        why = EmulatorState(copy, fresh, clients(fresh)).restore()
        assert why is not None and why.startswith("the restored emulator differs from the deploy's: s3:")
        assert "answers differently" in why
        assert clients(fresh)("s3").list_buckets()["Buckets"] == []


@pytest.fixture(autouse=True)
def _loopback(monkeypatch):
    for name, value in LOOPBACK_ENV.items():
        monkeypatch.setenv(name, value)
