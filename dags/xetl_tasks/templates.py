"""Jinja pieces the runtimes template their operators with, and the macros behind them.

Nothing here reads a variable or a clock: the expressions are strings that Airflow renders on the
worker, just before a task runs, from the run's context (``params``, ``dag_run``, ``logical_date``)
and the pipeline variable (``var.json.xetl_pipeline``, served by the secrets backend; its key and
fields come from the pipeline contract, ``xetl_tasks.contract``).

The partition is resolved by one macro, ``xetl_partition()``, that every templated field calls:
it reads the run's conf, params and logical date from the template context, so every task of a run
resolves the same value, and a malformed partition fails the run at its first task with the
resolver's message, before anything is read or written.
"""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context

from xetl_tasks.contract import VARIABLE_KEY, field
from xetl_tasks.partition import PartitionError, partition_path, resolve_partition


def var_expr(key: str) -> str:
    """Jinja expression (no braces) for one field of the pipeline variable (checked against the contract)."""
    return f"var.json.{VARIABLE_KEY}.{field(key)}"


def var(key: str) -> str:
    """Template rendering one field of the pipeline variable."""
    return "{{ " + var_expr(key) + " }}"


PARTITION_EXPR = "xetl_partition()"
PARTITION = "{{ " + PARTITION_EXPR + " }}"
# For notifications only: never raises, so a bad partition can still be reported.
PARTITION_OR_PROBLEM = "{{ xetl_partition(strict=False) }}"
RUN_ID = "{{ run_id }}"
DAG_ID = "{{ dag.dag_id }}"


def path_expr(prefix_expr: str) -> str:
    """Jinja expression for ``<prefix>/year=…/month=…/day=…/`` of this run's partition."""
    return f"xetl_partition_path({PARTITION_EXPR}, {prefix_expr})"


def _context_conf(ctx: Context) -> dict[str, Any] | None:
    dag_run = ctx.get("dag_run")
    conf = getattr(dag_run, "conf", None)
    return conf if isinstance(conf, dict) else None


@pass_context
def xetl_partition(ctx: Context, strict: bool = True) -> str:
    """The run's partition (YYYY-MM-DD); see ``xetl_tasks.partition.resolve_partition``.

    ``strict=False`` returns a readable placeholder instead of raising, for the failure
    notification, which must still render when the partition itself is what failed.
    """
    try:
        return resolve_partition(_context_conf(ctx), ctx.get("params"), ctx.get("logical_date"))
    except PartitionError as err:
        if strict:
            raise
        return f"<invalid partition: {err}>"


def macros() -> dict[str, Any]:
    """``user_defined_macros`` for the DAG: the partition resolver and path builder."""
    return {
        "xetl_partition": xetl_partition,
        "xetl_partition_path": partition_path,
    }
