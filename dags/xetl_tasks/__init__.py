"""Task factory of the xetl DAGs: one interface (`PipelineRuntime`), chosen by `XETL_RUNTIME`.

`XETL_RUNTIME` unset or `aws`: `xetl_tasks.aws.AwsRuntime`, what MWAA runs. Any other value is an
import path `package.module:Class` of another runtime, such as the local run's, which lives with
the local runner (docs/local-run.md) and is never uploaded to MWAA.

Importing this package is cheap and does no I/O; the chosen runtime's module (and its provider
imports) is loaded only by `get_runtime`.
"""

from __future__ import annotations

import importlib
import os

from xetl_tasks.runtime import PipelineRuntime, TaskIds

RUNTIME_ENV_VAR = "XETL_RUNTIME"
DEFAULT_RUNTIME = "aws"


def get_runtime(name: str | None = None) -> PipelineRuntime:
    """The runtime named by `name`, else by `$XETL_RUNTIME`, else AWS."""
    chosen = (name if name is not None else os.environ.get(RUNTIME_ENV_VAR, "")).strip() or DEFAULT_RUNTIME
    if chosen.lower() == DEFAULT_RUNTIME:
        from xetl_tasks.aws import AwsRuntime

        return AwsRuntime()
    module_name, _, class_name = chosen.partition(":")
    if not module_name or not class_name:
        raise ValueError(
            f"{RUNTIME_ENV_VAR}={chosen!r}: expected 'aws' or an import path 'package.module:Class'"
        )
    try:
        runtime = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as err:
        raise ValueError(f"{RUNTIME_ENV_VAR}={chosen!r} cannot be loaded: {err}") from err
    if not (isinstance(runtime, type) and issubclass(runtime, PipelineRuntime)):
        raise ValueError(f"{RUNTIME_ENV_VAR}={chosen!r} is not a PipelineRuntime")
    return runtime()


__all__ = ["DEFAULT_RUNTIME", "RUNTIME_ENV_VAR", "PipelineRuntime", "TaskIds", "get_runtime"]
