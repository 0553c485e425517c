"""The data-quality gate of one partition, as pure functions (no Airflow, no AWS).

Two checkpoints, both before anything published changes:

1. `check_manifest`: the Glue job's run manifest (docs/data-contract.md, "Staging bucket") alone:
   it belongs to this run, its counts balance, the partition is not empty, not every row was
   quarantined, and the quarantined share stays under the configured maximum.
2. `check_staged`: the rows staged in the warehouse, through the data-quality queries
   (`xetl_sql/queries/dq_*.sql` on `xetl.products_staging`): they reconcile with the manifest
   (rows_read = rows_staged + rows_quarantined), keys are unique, required columns are not NULL.

Every rule of a checkpoint is evaluated, then all failures are reported together, each naming its
check and the numbers involved, so one failed run tells the whole story. The load procedure checks
keys, NULLs and reconciliation once more inside the publishing transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MANIFEST_COUNTS = ("rows_read", "rows_curated", "rows_quarantined")
# The data-quality queries run on the staged rows, in this order (xetl_sql/queries/<name>.sql).
STAGED_CHECKS = ("dq_row_count_reconciliation", "dq_key_uniqueness", "dq_required_not_null")
STAGING_TABLE = "xetl.products_staging"


class DataQualityError(Exception):
    """One or more data-quality checks failed; the message lists each with its numbers."""

    def __init__(self, partition: str, failures: Sequence[CheckResult]):
        self.partition = partition
        self.failures = list(failures)
        lines = "\n".join(f"  - {f.name}: {f.detail}" for f in self.failures)
        super().__init__(
            f"data quality failed for partition {partition}: {len(self.failures)} check(s) failed; "
            f"nothing was published\n{lines}"
        )


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    detail: str


def _count_problem(mapping: Mapping[str, Any], key: str) -> CheckResult | None:
    value = mapping.get(key)
    # bool is an int subclass; a manifest saying "rows_read": true is malformed, not 1.
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return CheckResult("manifest_schema", False, f"manifest field {key!r} is {value!r}, not a count >= 0")
    return None


def evaluate_manifest(
    partition: str, run_id: str, manifest: Mapping[str, Any], max_quarantine_ratio: float
) -> list[CheckResult]:
    """Every manifest rule; returns all results (passed and failed)."""
    schema = [p for key in MANIFEST_COUNTS if (p := _count_problem(manifest, key)) is not None]
    if schema:
        # Counts that cannot be read make every arithmetic rule meaningless: report only these.
        return schema
    read, curated, quarantined = (manifest[k] for k in MANIFEST_COUNTS)
    files = len(manifest.get("source_files") or [])
    by_reason = manifest.get("quarantined_by_reason") or {}
    reasons_ok = isinstance(by_reason, Mapping) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in by_reason.values()
    )
    ratio = quarantined / read if read else 0.0
    return [
        CheckResult(
            "manifest_identity",
            manifest.get("partition") == partition and manifest.get("run_id") == run_id,
            f"manifest is for partition {manifest.get('partition')!r} run {manifest.get('run_id')!r}, "
            f"this run is partition {partition!r} run {run_id!r}",
        ),
        CheckResult(
            "manifest_balance",
            read == curated + quarantined,
            f"rows_read={read} but rows_curated + rows_quarantined = {curated} + {quarantined} = {curated + quarantined}",
        ),
        CheckResult(
            "quarantine_reasons",
            reasons_ok and sum(by_reason.values()) == quarantined,
            f"quarantined_by_reason {dict(by_reason) if isinstance(by_reason, Mapping) else by_reason!r} "
            f"does not add up to rows_quarantined={quarantined}",
        ),
        # An empty drop would replace the published partition with nothing.
        CheckResult("not_empty", read > 0, f"no data rows in {files} file(s); refusing to publish an empty partition"),
        # A feed whose every row was rejected is almost always a broken feed (wrong file, wrong
        # encoding), not an empty day.
        CheckResult(
            "not_all_quarantined",
            not (read > 0 and curated == 0),
            f"all {read} row(s) read were quarantined ({dict(by_reason) if reasons_ok else by_reason}); "
            "refusing to publish an empty partition",
        ),
        CheckResult(
            "quarantine_ratio",
            ratio <= max_quarantine_ratio,
            f"{quarantined} of {read} row(s) quarantined ({ratio:.1%}), above the maximum of "
            f"{max_quarantine_ratio:.1%} (max_quarantine_ratio)",
        ),
    ]


def _raise_failures(partition: str, results: list[CheckResult]) -> None:
    failures = [r for r in results if not r.passed]
    if failures:
        raise DataQualityError(partition, failures)


def check_manifest(
    partition: str, run_id: str, manifest: Mapping[str, Any], max_quarantine_ratio: float
) -> dict[str, Any]:
    """Raise DataQualityError listing every failed manifest rule; else the counts for XCom."""
    if isinstance(max_quarantine_ratio, bool) or not 0 <= float(max_quarantine_ratio) <= 1:
        raise ValueError(f"max_quarantine_ratio must be between 0 and 1, got {max_quarantine_ratio!r}")
    results = evaluate_manifest(partition, run_id, manifest, float(max_quarantine_ratio))
    _raise_failures(partition, results)
    return {
        "partition": partition,
        "run_id": run_id,
        **{key: manifest[key] for key in MANIFEST_COUNTS},
        "quarantined_by_reason": dict(manifest.get("quarantined_by_reason") or {}),
        "checks": [r.name for r in results],
    }


def staged_check_parameters(partition: str, counts: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Parameters of each data-quality query on the staged rows (by query name)."""
    common = {"table": STAGING_TABLE, "partition": partition}
    return {
        "dq_row_count_reconciliation": {
            **common, "rows_read": counts["rows_read"], "rows_quarantined": counts["rows_quarantined"],
        },
        "dq_key_uniqueness": common,
        "dq_required_not_null": common,
    }


def check_staged(partition: str, counts: Mapping[str, Any], rows: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Raise DataQualityError listing every failed staged-row check (`rows`: each query's one
    result row, by query name); else the summary for the notification."""
    results = []
    for name in STAGED_CHECKS:
        row = rows.get(name)
        if row is None:
            results.append(CheckResult(name, False, "the check returned no row"))
            continue
        passed = row.get("passed")
        results.append(CheckResult(str(row.get("check_name") or name), passed is True, str(row.get("detail"))))
    _raise_failures(partition, results)
    return {**counts, "rows_loaded": rows["dq_row_count_reconciliation"].get("rows_loaded"), "checks": [
        *counts.get("checks", []), *(r.name for r in results),
    ]}


def statement_result_rows(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Rows of a Redshift Data API ``GetStatementResult`` response as dicts keyed by column name."""
    names = [col["name"] for col in result.get("ColumnMetadata", [])]
    rows = []
    for record in result.get("Records", []):
        if len(record) != len(names):
            raise ValueError(f"record has {len(record)} fields but the result has {len(names)} columns")
        row = {}
        for name, field in zip(names, record, strict=True):
            if field.get("isNull"):
                row[name] = None
                continue
            # Each field carries exactly one typed value: longValue, stringValue, booleanValue, ...
            (kind, value), *rest = field.items()
            if rest:
                raise ValueError(f"field {name!r} has more than one value: {field!r}")
            row[name] = value
        rows.append(row)
    return rows
