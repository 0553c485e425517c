"""Texts of the SNS notifications, as pure functions (the tasks only fetch inputs and publish).

Subjects stay under SNS's 100-character limit and are ASCII, as SNS requires; bodies are plain text
that reads well in an e-mail subscription and greps well in a queue subscriber.

The chat message (``chat_message``) is the same news for the chat channels: Amazon Q Developer in
chat applications (AWS Chatbot) renders only its custom-notification JSON, so it goes to a topic
of its own (the variable's ``chat_topic_arn``), never to the e-mail subscribers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from xetl_tasks.runtime import TaskIds

SUBJECT_LIMIT = 100
# Our own caps, well inside what the chat platforms show (Slack cuts one text block at 3,000
# characters): a title that fits a card's first line, a description that is read, not scrolled.
CHAT_TITLE_LIMIT = 250
CHAT_DESCRIPTION_LIMIT = 3000
# Tasks named one by one in a chat message (each cut to a length a line can hold); more are counted.
CHAT_TASKS_LISTED = 5
CHAT_ITEM_LIMIT = 110
# A long value (a malformed partition, a run id) cannot push the lines after it out of the message.
CHAT_LINE_LIMIT = 600


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
    # After the publication (the dbt docs): blocks nothing, but is a failure to announce.
    after = [task_id for task_id in TaskIds.AFTER_PUBLICATION if task_states.get(task_id) == "failed"]
    if failed:
        blocked = [*pipeline[pipeline.index(failed[0]) + 1 :], final]
    elif dbt_failed:
        blocked = [*pipeline[pipeline.index(TaskIds.UNLOAD_TO_TARGET) :], final] if TaskIds.UNLOAD_TO_TARGET in pipeline else [final]
    elif after:
        blocked = []
    else:
        return [], []
    return [*failed, *dbt_failed, *after], blocked


def _what_changed(failed: Sequence[str], publishing: Sequence[str]) -> str:
    if failed and failed[0] in TaskIds.AFTER_PUBLICATION:
        return (
            "The partition is published (warehouse and target bucket) and was announced; only the dbt docs site "
            "was not refreshed: the previous one stays."
        )
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


# ---- chat (Amazon Q Developer in chat applications) ----------------------------------------------


def run_url(airflow_url: str, dag_id: str, run_id: str) -> str | None:
    """The run's page in the Airflow 3 UI (``<base>/dags/<dag_id>/runs/<run_id>``), or None without a UI."""
    if not airflow_url:
        return None
    return f"{airflow_url.rstrip('/')}/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"


def describe_task(task_id: str) -> str:
    """A failed task as a person reads it: a dbt test, a dbt model's build (model then tests), or a step."""
    name = task_id.removeprefix(TaskIds.TRANSFORM_WITH_DBT + ".")
    if name == task_id:
        return f"`{task_id}`"
    if name.endswith("_test"):
        return f"dbt test `{name.removesuffix('_test')}`"
    if name.endswith("_build"):
        return f"dbt model `{name.removesuffix('_build').removesuffix('_model')}` (its build or one of its tests)"
    return f"`{task_id}`"


def _counts_line(counts: Mapping[str, Any] | None) -> str:
    if not counts:
        return "rows: not counted (the run stopped before the Glue job wrote its manifest)"
    shown = [("read", "rows_read"), ("loaded", "rows_loaded"), ("quarantined", "rows_quarantined")]
    if counts.get("rows_loaded") is None:
        # Not loaded: the manifest's curated count is what would have been.
        shown[1] = ("curated", "rows_curated")
    return "rows: " + ", ".join(f"{label} {counts.get(key, '?')}" for label, key in shown)


def _listed(items: Sequence[str]) -> str:
    head = ", ".join(_cut(item, CHAT_ITEM_LIMIT) for item in items[:CHAT_TASKS_LISTED])
    return head + (f" and {len(items) - CHAT_TASKS_LISTED} more" if len(items) > CHAT_TASKS_LISTED else "")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def chat_message(
    *,
    dag_id: str,
    environment: str,
    partition: str,
    run_id: str,
    counts: Mapping[str, Any] | None,
    airflow_url: str = "",
    target_uri: str | None = None,
    failed: Sequence[str] = (),
    blocked: Sequence[str] = (),
) -> dict[str, Any]:
    """The run's outcome as a Chatbot custom notification (``{"version": "1.0", "source": "custom", ...}``).

    Names the environment, partition and run, the row counts, the failing task or dbt test (``failed``
    empty: the run published ``target_uri``), and links the run in the Airflow UI when ``airflow_url``
    is known. Plain lines, inline code and bare links only: they read the same in Slack and Teams.
    Runs of one partition share a thread (``metadata.threadId``).
    """
    ok = not failed
    url = run_url(airflow_url, dag_id, run_id)
    rerun_partition = partition if not partition.startswith("<") else "YYYY-MM-DD"
    if ok:
        title = f"\u2705 xetl {environment}: partition {partition} published"
        outcome = [f"published to {target_uri}"] if target_uri else []
        next_steps: list[str] = []
    else:
        title = f"\u274c xetl {environment}: partition {partition} FAILED at {failed[0]}"
        outcome = [
            "failed: " + _listed([describe_task(t) for t in failed]),
            *(["not run because of it: " + _listed([f"`{t}`" for t in blocked])] if blocked else []),
            _what_changed(failed, TaskIds.PUBLISHING),
        ]
        next_steps = [
            f"Read the log: xetl logs --env {environment} --partition {rerun_partition} --task {failed[0]}",
            f"Re-run the day: xetl trigger --env {environment} --partition {rerun_partition}",
        ]
    lines = [
        f"environment: {environment}",
        f"partition: {partition}",
        f"run: `{run_id}`",
        _counts_line(counts),
        *outcome,
        f"Airflow: {url}" if url else "Airflow: no UI link (no webserver in this environment)",
    ]
    return {
        "version": "1.0",
        "source": "custom",
        "id": _cut(f"{dag_id}/{run_id}/{'published' if ok else 'failed'}", 255),
        "content": {
            "textType": "client-markdown",
            "title": _cut(title, CHAT_TITLE_LIMIT),
            "description": _cut("\n".join(_cut(line, CHAT_LINE_LIMIT) for line in lines), CHAT_DESCRIPTION_LIMIT),
            "nextSteps": next_steps,
            "keywords": [environment, "published" if ok else "failed"],
        },
        "metadata": {
            "threadId": f"xetl-{environment}-{partition}"[:255],
            "summary": _cut(title, CHAT_TITLE_LIMIT),
            "eventType": "xetl.partition.published" if ok else "xetl.run.failed",
            "relatedResources": [url] if url else [],
            "additionalContext": {"environment": environment, "partition": partition, "run_id": run_id, "dag_id": dag_id},
        },
    }


def chat_text(message: Mapping[str, Any]) -> str:
    """A chat message as the console shows it (the local run prints what the channel would get)."""
    content = message["content"]
    steps = [f"  next: {step}" for step in content.get("nextSteps") or []]
    body = "\n".join("  " + line for line in content["description"].splitlines())
    return "\n".join([content["title"], body, *steps]) + "\n"
