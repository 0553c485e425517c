"""The local runtime's files and S3 prefixes: where a run keeps its work, and the helpers that
mirror, replace and delete S3 prefixes in the emulator. boto3 clients only, no Airflow import, so the
local runner's own process (the summary) can use them without loading Airflow."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from xetl_local.env import GLUE_PYTHON_ENV, WORK_ENV
from xetl_local.warehouse import REPO_ROOT

FAILURES_DIR = "failures"


def work_dir() -> Path:
    return Path(os.environ.get(WORK_ENV) or REPO_ROOT / ".work" / "local")


def glue_python() -> str:
    return os.environ.get(GLUE_PYTHON_ENV) or str(REPO_ROOT / ".venvs" / "glue" / "bin" / "python")


def failure_file(run_id: str, task_id: str) -> Path:
    """Where a failed task of the local runtime leaves its message for the run's summary."""
    return work_dir() / FAILURES_DIR / run_id.replace(":", "_").replace("+", "_") / f"{task_id}.txt"


def list_keys(s3: Any, bucket: str, prefix: str) -> list[str]:
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.extend(obj["Key"] for obj in page.get("Contents", []))
    return sorted(keys)


def is_data_file(name: str) -> bool:
    """The contract: names starting with '_' or '.' (markers, checksums) are not data."""
    return not name.rsplit("/", 1)[-1].startswith(("_", "."))


def delete_prefix(s3: Any, bucket: str, prefix: str) -> int:
    """Remove every object under `prefix` (must end with '/', so day=2 never matches day=21)."""
    if not prefix.endswith("/"):
        raise ValueError(f"refusing to delete under a prefix without a trailing slash: {prefix!r}")
    keys = list_keys(s3, bucket, prefix)
    for start in range(0, len(keys), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys[start : start + 1000]]})
    return len(keys)


def download_prefix(s3: Any, bucket: str, prefix: str, dest: Path, data_only: bool = True) -> list[Path]:
    """Mirror one S3 prefix into an emptied local directory (same relative layout)."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    paths = []
    for key in list_keys(s3, bucket, prefix):
        if data_only and not is_data_file(key):
            continue
        path = dest / key[len(prefix) :]
        path.parent.mkdir(parents=True, exist_ok=True)
        s3.download_file(bucket, key, str(path))
        paths.append(path)
    return paths


def replace_prefix(s3: Any, bucket: str, prefix: str, source: Path, extra_args: dict[str, str] | None = None) -> list[str]:
    """Delete what `prefix` holds, then upload the data files of `source` under it."""
    delete_prefix(s3, bucket, prefix)
    keys = []
    if source.is_dir():
        for path in sorted(p for p in source.rglob("*") if p.is_file() and is_data_file(p.name)):
            key = prefix + path.relative_to(source).as_posix()
            s3.upload_file(str(path), bucket, key, ExtraArgs=extra_args or None)
            keys.append(key)
    return keys
