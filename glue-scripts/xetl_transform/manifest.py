"""The run manifest (contract: Staging bucket), built from counts taken independently:
`rows_read` from the raw lines, the other counts from what was written. If they disagree a row
was lost or doubled, and the run must fail rather than publish a manifest that does not add up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime

from .contract import REASON_CODES


class ReconciliationError(RuntimeError):
    pass


def build_manifest(
    *,
    partition: date,
    run_id: str,
    rows_read: int,
    rows_curated: int,
    quarantined_by_reason: Mapping[str, int],
    source_files: Sequence[str],
    rejected_files: Mapping[str, tuple[str, str | None]] | None = None,
    ignored_columns: Mapping[str, Sequence[str]] | None = None,
    ignored_files: Sequence[str] = (),
    written_at: datetime | None = None,
) -> dict[str, object]:
    """`rejected_files`: file -> (reason_code, reason_detail) of files whose every record was
    quarantined for the file's reason; `ignored_columns`: file -> unknown header columns that
    were skipped; `ignored_files`: files of the partition that are not data (not *.csv)."""
    unknown = sorted(set(quarantined_by_reason) - set(REASON_CODES))
    if unknown:
        raise ReconciliationError(f"quarantine holds reason codes the contract does not know: {unknown}")
    by_reason = {code: quarantined_by_reason[code] for code in REASON_CODES if quarantined_by_reason.get(code)}
    rows_quarantined = sum(by_reason.values())
    if rows_read != rows_curated + rows_quarantined:
        raise ReconciliationError(
            f"rows_read={rows_read} but rows_curated={rows_curated} + rows_quarantined={rows_quarantined}"
            f" = {rows_curated + rows_quarantined}: rows were lost or duplicated"
        )
    at = (written_at or datetime.now(UTC)).astimezone(UTC)
    return {
        "partition": partition.isoformat(),
        "run_id": run_id,
        "rows_read": rows_read,
        "rows_curated": rows_curated,
        "rows_quarantined": rows_quarantined,
        "quarantined_by_reason": by_reason,
        "source_files": sorted(source_files),
        "rejected_files": [
            {"source_file": path, "reason_code": code, "reason_detail": detail}
            for path, (code, detail) in sorted((rejected_files or {}).items())
        ],
        "ignored_columns": {path: list(names) for path, names in sorted((ignored_columns or {}).items())},
        "ignored_files": sorted(ignored_files),
        "written_at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
