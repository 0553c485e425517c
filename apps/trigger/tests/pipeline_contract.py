"""The pipeline contract as the trigger's tests and bench read it: dags/xetl_tasks/pipeline_contract.json
(generated from libs/config/src/pipeline-contract.ts), the one definition of the DAG id and the marker.

Until that file exists in the checkout, ``fixture_pipeline_contract.json`` beside this module stands in
(a copy of the keys the trigger uses). Once both exist they must agree, so the copy cannot drift: delete
the fixture when the generated file has landed.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
GENERATED = REPO / "dags" / "xetl_tasks" / "pipeline_contract.json"
FIXTURE = Path(__file__).with_name("fixture_pipeline_contract.json")
TRIGGER_KEYS = ("dag_id", "marker", "partition")


@functools.cache
def pipeline_contract() -> Mapping[str, Any]:
    """The contract's trigger keys (dag_id, marker, partition)."""
    if not GENERATED.exists():
        return _keys(FIXTURE)
    contract = _keys(GENERATED)
    if FIXTURE.exists() and _keys(FIXTURE) != contract:
        raise AssertionError(f"{FIXTURE.name} disagrees with {GENERATED.relative_to(REPO)}: delete the fixture")
    return contract


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
