"""Data-quality rules for one loaded partition, as pure functions (no Airflow, no AWS).

Inputs: the Glue job's run manifest (docs/data-contract.md, "Staging bucket") and one row of
metrics about the published partition (``xetl_tasks.sql.quality_metrics``). Every rule is evaluated,
then all failures are reported together, each naming its check and the numbers involved, so one
failed run tells the whole story.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from xetl_tasks.sql import REQUIRED_COLUMNS

MANIFEST_COUNTS = ("rows_read", "rows_curated", "rows_quarantined")
METRIC_COUNTS = ("rows_loaded", "distinct_keys", "duplicate_keys", "rows_other_runs") + tuple(
    f"null_{col}" for col in REQUIRED_COLUMNS
)


class DataQualityError(Exception):
    """One or more data-quality checks failed; the message lists each with its numbers."""

    def __init__(self, partition: str, failures: Sequence[CheckResult]):
        self.partition = partition
        self.failures = list(failures)
        lines = "\n".join(f"  - {f.name}: {f.detail}" for f in self.failures)
        super().__init__(
            f"data quality failed for partition {partition}: {len(self.failures)} check(s) failed\n{lines}"
        )


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    detail: str


def _count_problem(mapping: Mapping[str, Any], key: str, source: str) -> CheckResult | None:
    value = mapping.get(key)
    # bool is an int subclass; a manifest saying "rows_read": true is malformed, not 1.
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return CheckResult(
            f"{source}_schema", False, f"{source} field {key!r} is {value!r}, not a count >= 0"
        )
    return None


def evaluate(
    partition: str, run_id: str, manifest: Mapping[str, Any], metrics: Mapping[str, Any]
) -> list[CheckResult]:
    """Evaluate every rule; returns all results (passed and failed)."""
    schema_failures = [
        problem
        for source, mapping, keys in (
            ("manifest", manifest, MANIFEST_COUNTS),
            ("metrics", metrics, METRIC_COUNTS),
        )
        for key in keys
        if (problem := _count_problem(mapping, key, source)) is not None
    ]
    if schema_failures:
        # Counts that cannot be read make every arithmetic rule meaningless: report only these.
        return schema_failures

    read, curated, quarantined = (manifest[k] for k in MANIFEST_COUNTS)
    loaded = metrics["rows_loaded"]
    results = [
        CheckResult(
            "manifest_identity",
            manifest.get("partition") == partition and manifest.get("run_id") == run_id,
            f"manifest is for partition {manifest.get('partition')!r} run {manifest.get('run_id')!r}, "
            f"this run is partition {partition!r} run {run_id!r}",
        ),
        CheckResult(
            "manifest_balance",
            read == curated + quarantined,
            f"rows_read={read} but rows_curated + rows_quarantined = {curated} + {quarantined} "
            f"= {curated + quarantined}",
        ),
    ]
    by_reason = manifest.get("quarantined_by_reason") or {}
    if isinstance(by_reason, Mapping) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in by_reason.values()
    ):
        reasons_total = sum(by_reason.values())
        results.append(
            CheckResult(
                "quarantine_reasons",
                reasons_total == quarantined,
                f"quarantined_by_reason sums to {reasons_total} but rows_quarantined={quarantined}",
            )
        )
    else:
        results.append(
            CheckResult("quarantine_reasons", False, f"quarantined_by_reason is malformed: {by_reason!r}")
        )
    results += [
        CheckResult(
            "row_count_reconciliation",
            read == loaded + quarantined,
            f"rows_read={read} but rows_loaded + rows_quarantined = {loaded} + {quarantined} "
            f"= {loaded + quarantined} (rows_curated={curated})",
        ),
        # A feed whose every line was rejected reconciles perfectly (read = 0 + quarantined) and
        # would be published empty; that is almost always a broken feed (wrong file, wrong
        # encoding), not an empty day, so the gate stops it before the target prefix is replaced.
        CheckResult(
            "not_all_quarantined",
            not (read > 0 and loaded == 0),
            f"all {read} row(s) read were quarantined ({dict(by_reason) if isinstance(by_reason, Mapping) else by_reason}); "
            "refusing to publish an empty partition",
        ),
        CheckResult(
            "key_uniqueness",
            metrics["duplicate_keys"] == 0,
            f"{metrics['duplicate_keys']} duplicate product_id row(s): {loaded} rows, "
            f"{metrics['distinct_keys']} distinct keys",
        ),
    ]
    nulls = {col: metrics[f"null_{col}"] for col in REQUIRED_COLUMNS}
    bad = {col: n for col, n in nulls.items() if n}
    results.append(
        CheckResult(
            "required_not_null",
            not bad,
            "null values in required columns: " + ", ".join(f"{col}={n}" for col, n in bad.items()),
        )
    )
    results.append(
        CheckResult(
            "partition_replaced",
            metrics["rows_other_runs"] == 0,
            f"{metrics['rows_other_runs']} of {loaded} row(s) in the partition were not written by run {run_id!r}",
        )
    )
    return results


def assert_quality(
    partition: str, run_id: str, manifest: Mapping[str, Any], metrics: Mapping[str, Any]
) -> dict[str, Any]:
    """Raise DataQualityError listing every failed check; on success return a summary for XCom."""
    results = evaluate(partition, run_id, manifest, metrics)
    failures = [r for r in results if not r.passed]
    if failures:
        raise DataQualityError(partition, failures)
    return {
        "partition": partition,
        "run_id": run_id,
        "rows_read": manifest["rows_read"],
        "rows_loaded": metrics["rows_loaded"],
        "rows_quarantined": manifest["rows_quarantined"],
        "quarantined_by_reason": dict(manifest.get("quarantined_by_reason") or {}),
        "checks": [r.name for r in results],
    }


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
            # Each field carries exactly one typed value: longValue, stringValue, doubleValue, ...
            (kind, value), *rest = field.items()
            if rest:
                raise ValueError(f"field {name!r} has more than one value: {field!r}")
            row[name] = value
        rows.append(row)
    return rows
