"""The pipeline contract between the analytics stack and this DAG, read from `pipeline_contract.json`.

The JSON is generated from `libs/config/src/pipeline-contract.ts` (the one definition, beside the
naming module) and checked in; a TypeScript test fails when it differs from what the generator
writes, and the tests here fail when the DAG reads a key the contract does not define. It names:
the DAG id, the one-slot pool that serialises its runs, the Airflow variable the stack writes (its
key and the JSON schema of its value), the marker file and its event pattern, the partition layout
and the staging prefix of the dbt docs site.

Read once at import (a small file beside this module, shipped with the DAGs); no Airflow import.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

CONTRACT_FILE = Path(__file__).resolve().parent / "pipeline_contract.json"
_CONTRACT: dict[str, Any] = json.loads(CONTRACT_FILE.read_text(encoding="utf-8"))

DAG_ID: str = _CONTRACT["dag_id"]
POOL: str = _CONTRACT["pool"]["name"]
POOL_SLOTS: int = _CONTRACT["pool"]["slots"]
POOL_INCLUDE_DEFERRED: bool = _CONTRACT["pool"]["include_deferred"]
VARIABLE_KEY: str = _CONTRACT["variable"]["key"]
VARIABLE_SCHEMA: dict[str, Any] = _CONTRACT["variable"]["schema"]
VARIABLE_FIELDS: frozenset[str] = frozenset(VARIABLE_SCHEMA["properties"])
MARKER_FILE_NAME: str = _CONTRACT["marker"]["file_name"]
MARKER_EVENT_PATTERN: dict[str, Any] = _CONTRACT["marker"]["event_pattern"]
# Where the dbt docs site is published in the staging bucket (and where `xetl docs` reads it).
DBT_DOCS_PREFIX: str = _CONTRACT["dbt_docs"]["prefix"]

_JSON_TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "object": dict, "array": list}


class ContractError(ValueError):
    """A key outside the contract, or a variable value that does not match its schema."""


def field(name: str) -> str:
    """`name`, checked against the variable's schema: a typo fails where the DAG is built."""
    if name not in VARIABLE_FIELDS:
        raise ContractError(f"{name!r} is not a field of the {VARIABLE_KEY} variable (see {CONTRACT_FILE.name})")
    return name


def variable_problems(value: Mapping[str, Any]) -> list[str]:
    """What is wrong with a value of the variable, by the schema: required fields, unknown fields,
    types, patterns and bounds (the JSON Schema keywords the contract uses). Empty when it is good."""
    if not isinstance(value, Mapping):
        return [f"the value is {type(value).__name__}, not a JSON object"]
    problems = [f"missing {name}" for name in VARIABLE_SCHEMA["required"] if name not in value]
    for name, item in value.items():
        spec = VARIABLE_SCHEMA["properties"].get(name)
        if spec is None:
            problems.append(f"unknown field {name}")
            continue
        expected = _JSON_TYPES[spec["type"]]
        if isinstance(item, bool) and spec["type"] != "boolean" or not isinstance(item, expected):
            problems.append(f"{name} must be {spec['type']}, got {type(item).__name__}")
        elif "pattern" in spec and not re.search(spec["pattern"], item):
            problems.append(f"{name} {item!r} does not match {spec['pattern']}")
        elif ("minimum" in spec and item < spec["minimum"]) or ("maximum" in spec and item > spec["maximum"]):
            problems.append(f"{name} {item!r} is outside {spec.get('minimum')}..{spec.get('maximum')}")
    return problems


def validate_variable(value: Mapping[str, Any]) -> dict[str, Any]:
    """The variable's value when it matches the contract's schema; ContractError listing every problem otherwise."""
    problems = variable_problems(value)
    if problems:
        raise ContractError(f"the {VARIABLE_KEY} variable does not match the pipeline contract: " + "; ".join(problems))
    return dict(value)
