"""Texts of the SNS notifications, as pure functions (the tasks only fetch inputs and publish).

Subjects stay under SNS's 100-character limit and are ASCII, as SNS requires; bodies are plain text
that reads well in an e-mail subscription and greps well in a queue subscriber.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from xetl_tasks.runtime import TaskIds

SUBJECT_LIMIT = 100


def _subject(text: str) -> str:
    ascii_only = text.encode("ascii", "replace").decode("ascii")
    return ascii_only if len(ascii_only) <= SUBJECT_LIMIT else ascii_only[: SUBJECT_LIMIT - 3] + "..."


def success_message(
    dag_id: str,
    environment: str,
    partition: str,
    run_id: str,
    target_uri: str,
    quality: Mapping[str, Any] | None,
) -> tuple[str, str]:
    """(subject, body) for a run that published its partition."""
    lines = [
        f"xetl published partition {partition} to {target_uri}",
        f"environment: {environment}",
        f"dag: {dag_id}",
        f"run: {run_id}",
    ]
    if quality:
        lines += [
            f"rows read: {quality.get('rows_read')}",
            f"rows loaded: {quality.get('rows_loaded')}",
            f"rows quarantined: {quality.get('rows_quarantined')}",
        ]
        reasons = quality.get("quarantined_by_reason") or {}
        lines += [f"  {reason}: {count}" for reason, count in sorted(reasons.items())]
        lines.append("checks passed: " + ", ".join(quality.get("checks", [])))
    else:
        lines.append("data-quality summary: not available")
    return _subject(f"[xetl {environment}] OK {partition}"), "\n".join(lines) + "\n"


def failed_and_blocked(
    task_states: Mapping[str, str | None], pipeline: Sequence[str], final: str
) -> tuple[list[str], list[str]]:
    """(tasks that failed, tasks that will not run because of it) for a linear pipeline.

    A failed task of the dbt group (`transform_with_dbt.<model>...`, a failed dbt test among them)
    comes after the publish: it blocks the unload. ``blocked`` is derived from the order, not from
    states: when the failure notice starts, the scheduler may not have marked the downstream tasks
    upstream_failed yet.
    """
    group = TaskIds.TRANSFORM_WITH_DBT + "."
    dbt_failed = sorted(t for t, state in task_states.items() if state == "failed" and t.startswith(group))
    failed = [task_id for task_id in pipeline if task_states.get(task_id) == "failed"]
    if failed:
        blocked = [*pipeline[pipeline.index(failed[0]) + 1 :], final]
    elif dbt_failed:
        blocked = [*pipeline[pipeline.index(TaskIds.UNLOAD_TO_TARGET) :], final] if TaskIds.UNLOAD_TO_TARGET in pipeline else [final]
    else:
        return [], []
    return [*failed, *dbt_failed], blocked


def _what_changed(failed: list[str], publishing: Sequence[str]) -> str:
    if failed and failed[0].startswith(TaskIds.TRANSFORM_WITH_DBT + "."):
        return (
            "The partition is published in the warehouse (xetl.products); the dbt models from the failed one "
            "on were not rebuilt, and the target bucket was not changed."
        )
    if failed and failed[0] in publishing:
        return (
            f"{failed[0]} failed: if it was the publish, the procedure rolled it back and the published rows "
            "are as they were; if it was the unload, the table is published and the target prefix may be partial "
            "until a re-run."
        )
    return "Nothing was published: the published table and the target prefix are exactly as they were."


def failure_message(
    dag_id: str,
    environment: str,
    partition: str,
    run_id: str,
    failed: list[str],
    blocked: list[str],
    log_hint: str | None = None,
    publishing: Sequence[str] = TaskIds.PUBLISHING,
) -> tuple[str, str]:
    """(subject, body) for a run in which at least one pipeline task failed."""
    first = failed[0] if failed else "unknown task"
    # A partition that failed to resolve is shown as "<invalid partition: ...>"; the re-run hint
    # then shows the form to use instead of repeating the bad value.
    rerun_partition = partition if not partition.startswith("<") else "YYYY-MM-DD"
    lines = [
        f"xetl run FAILED for partition {partition}",
        f"environment: {environment}",
        f"dag: {dag_id}",
        f"run: {run_id}",
        "failed task(s): " + (", ".join(failed) if failed else "(could not be determined)"),
        "not run because of it: " + (", ".join(blocked) if blocked else "-"),
        _what_changed(failed, publishing),
        f'Re-run: airflow dags trigger {dag_id} -c \'{{"partition": "{rerun_partition}"}}\' '
        "(or clear the failed task in the UI).",
    ]
    if log_hint:
        lines.append(log_hint)
    return _subject(f"[xetl {environment}] FAILED {partition} at {first}"), "\n".join(lines) + "\n"
