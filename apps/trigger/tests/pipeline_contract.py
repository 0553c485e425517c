"""The pipeline contract as the trigger's tests and bench read it: dags/xetl_tasks/pipeline_contract.json
(generated from libs/config/src/pipeline-contract.ts), the one definition of the DAG id and the marker.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
GENERATED = REPO / "dags" / "xetl_tasks" / "pipeline_contract.json"
TRIGGER_KEYS = ("dag_id", "marker", "partition")


@functools.cache
def pipeline_contract() -> Mapping[str, Any]:
    """The contract's trigger keys (dag_id, marker, partition)."""
    return _keys(GENERATED)


def _keys(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text())
    missing = [k for k in TRIGGER_KEYS if k not in data]
    if missing:
        raise AssertionError(f"{path}: pipeline contract without {', '.join(missing)}")
    return {k: data[k] for k in TRIGGER_KEYS}


def dag_id() -> str:
    return pipeline_contract()["dag_id"]


def marker_event_pattern() -> Mapping[str, Any]:
    """``marker.event_pattern`` with its ``{source_bucket}``/``{source_prefix}`` placeholders."""
    return pipeline_contract()["marker"]["event_pattern"]


def marker_key(prefix: str, day: str) -> str:
    """The marker key of ``day`` (YYYY-MM-DD) under ``prefix``, from the contract's partition path."""
    yyyy, mm, dd = day.split("-")
    folder = pipeline_contract()["partition"]["path"].format(prefix=prefix, yyyy=yyyy, mm=mm, dd=dd)
    return folder + pipeline_contract()["marker"]["file_name"]
