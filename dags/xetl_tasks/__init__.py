"""Task factory for the xetl DAGs: one interface (``PipelineTargets``), one implementation per
execution target, chosen by name (env var ``XETL_TARGET``, default ``aws``).

Importing this package is cheap and does no I/O; the chosen implementation's module (and its
provider imports) is loaded only by ``get_targets``.
"""

from __future__ import annotations

import os

from xetl_tasks.base import PipelineTargets, TaskIds

TARGET_ENV_VAR = "XETL_TARGET"
DEFAULT_TARGET = "aws"
KNOWN_TARGETS = ("aws", "local")


def get_targets(name: str | None = None) -> PipelineTargets:
    """The ``PipelineTargets`` named by ``name``, else by ``$XETL_TARGET``, else AWS."""
    chosen = (name if name is not None else os.environ.get(TARGET_ENV_VAR, "")).strip().lower()
    chosen = chosen or DEFAULT_TARGET
    if chosen == "aws":
        from xetl_tasks.aws import AwsTargets

        return AwsTargets()
    if chosen == "local":
        from xetl_tasks.local import LocalTargets

        return LocalTargets()
    raise ValueError(f"{TARGET_ENV_VAR}={chosen!r} is not a known target; expected one of {KNOWN_TARGETS}")


__all__ = ["DEFAULT_TARGET", "KNOWN_TARGETS", "TARGET_ENV_VAR", "PipelineTargets", "TaskIds", "get_targets"]
