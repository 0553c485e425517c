"""Render the query templates in `xetl_sql/queries/` with validated parameters.

The one way the pipeline writes SQL: the DAG (through `xetl_tasks.sql`, on MWAA, where this package
ships beside the DAGs), the local run and the tests all render these templates with this module.

Convention (one, everywhere): a template holds Jinja-style placeholders `{{ name }}`, and

* a placeholder always stands for a WHOLE SQL value - a quoted string literal, a number, `NULL`, or
  an allow-listed table name - never for a fragment of one. Templates never put quotes around a
  placeholder; the renderer refuses `'{{ x }}'`.
* inside an enclosing string literal (UNLOAD's quoted SELECT) the renderer doubles the quotes of
  what it emits, so a template writes `WHERE partition_date = CAST({{ partition }} AS DATE)` the
  same way inside and outside UNLOAD.
* placeholders are not allowed in comments (a value could otherwise end the comment).
* every parameter has a type chosen by its name (`PARAMETERS`) that validates it against an
  allow-list of characters before anything is emitted: nothing a caller passes can add a quote, a
  backslash, a semicolon or a brace to the SQL. Free text (an error message) is sanitised instead.
* S3 URIs are not assembled in SQL: derived parameters (`curated_uri`, `target_uri`) are built here
  from validated parts, following the contract's layout.

Values are rendered into the SQL text rather than bound because the load runs as one Data API
BatchExecuteStatement, which takes no parameters, and because COPY's and UNLOAD's S3 paths, role
strings and UNLOAD's inner query cannot be bound anyway.

Airflow renders Jinja in templated operator fields: hand operators the RENDERED SQL (render in a
task, or pass the output of this module), never a raw template.

Stdlib only: the Airflow environment (MWAA) imports this module.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .sqltext import segments, split_statements

PLACEHOLDER = re.compile(r"\{\{\s*([a-z][a-z0-9_]*)\s*\}\}")
_TEMPLATE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class RenderError(ValueError):
    """A template or a parameter was refused; the message says which and why."""


@dataclass(frozen=True)
class SqlValue:
    """What a placeholder becomes: a string to quote (`is_literal`) or verbatim SQL (number, NULL, name)."""

    text: str
    is_literal: bool

    def sql(self, inside_literal: bool) -> str:
        if not self.is_literal:
            return self.text
        quoted = "'" + self.text.replace("'", "''") + "'"
        return quoted.replace("'", "''") if inside_literal else quoted


def _literal(text: str) -> SqlValue:
    return SqlValue(text, is_literal=True)


def _raw(text: str) -> SqlValue:
    return SqlValue(text, is_literal=False)


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# --- validators -----------------------------------------------------------------------------------
# Each takes the caller's value and returns the normalised Python value (used to build derived
# parameters) or raises RenderError. `_sql_for` turns the normalised value into SQL.

_PARTITION = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Airflow's own: its default scheduler.allowed_run_id_pattern, and run_id is a String(250) column.
_RUN_ID = re.compile(r"^[A-Za-z0-9_.~:+-]{1,250}$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_KEY_PREFIX = re.compile(r"^[A-Za-z0-9_.=-]+(?:/[A-Za-z0-9_.=-]+)*$")
_S3_KEY = re.compile(r"^[A-Za-z0-9!_.*()=/+%~@,-]+$")
_PARTITION_ARN = r"arn:aws(?:-cn|-us-gov)?"
# IAM role names allow `+=,.@_-`; the comma is refused here because role chains are comma-separated.
_ROLE_ARN = re.compile(rf"^{_PARTITION_ARN}:iam::\d{{12}}:role/(?:[A-Za-z0-9+=.@_-]+/)*[A-Za-z0-9+=.@_-]{{1,64}}$")
_KMS_KEY_ARN = re.compile(
    rf"^{_PARTITION_ARN}:kms:[a-z]{{2}}(?:-[a-z]+)+-\d:\d{{12}}:key/"
    r"(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$"
)
MAX_ROLE_CHAIN = 10  # Redshift chains at most 10 roles.
MAX_BIGINT = 2**63 - 1
TABLES = ("xetl.products", "xetl.products_staging")
ERROR_MESSAGE_LIMIT = 1000  # characters; xetl.pipeline_runs.error_message is VARCHAR(4096) bytes.


def _require_str(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise RenderError(f"{name} must be a string, got {type(value).__name__} {_show(value)}")
    return value


def _partition(name: str, value: object) -> str:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    text = _require_str(name, value)
    if not _PARTITION.match(text):
        raise RenderError(f"{name} must be a UTC day written YYYY-MM-DD, got {_show(value)}")
    try:
        dt.date.fromisoformat(text)
    except ValueError as error:
        raise RenderError(f"{name} is not a calendar date: {_show(value)}") from error
    return text


def _run_id(name: str, value: object) -> str:
    text = _require_str(name, value)
    if not _RUN_ID.match(text):
        raise RenderError(
            f"{name} must be 1-250 characters of [A-Za-z0-9_.~:+-] (an Airflow run id), got {_show(value)}"
        )
    return text


def _bucket(name: str, value: object) -> str:
    text = _require_str(name, value)
    if (
        not _BUCKET.match(text)
        or ".." in text
        or text.startswith("xn--")
        or re.match(r"^\d+\.\d+\.\d+\.\d+$", text)
    ):
        raise RenderError(f"{name} is not a valid S3 bucket name: {_show(value)}")
    return text


def _key_prefix(name: str, value: object) -> str:
    text = _require_str(name, value)
    if (
        len(text) > 512
        or not _KEY_PREFIX.match(text)
        or any(part in (".", "..") for part in text.split("/"))
    ):
        raise RenderError(
            f"{name} must be an S3 key prefix of [A-Za-z0-9_.=-] segments separated by '/', "
            f"without leading or trailing '/', got {_show(value)}"
        )
    return text


def _role_arn(name: str, value: object) -> str:
    text = _require_str(name, value)
    if len(text) > 2048 or not _ROLE_ARN.match(text):
        raise RenderError(f"{name} must be an IAM role ARN (arn:aws:iam::<12 digits>:role/<name>), got {_show(value)}")
    return text


def _role_chain(name: str, value: object) -> str:
    if isinstance(value, list | tuple):
        parts = list(value)
    else:
        parts = _require_str(name, value).split(",")
    if not 1 <= len(parts) <= MAX_ROLE_CHAIN:
        raise RenderError(f"{name} must chain 1 to {MAX_ROLE_CHAIN} role ARNs, got {len(parts)}")
    for index, part in enumerate(parts, start=1):
        _role_arn(f"{name} (role {index})", part)
    return ",".join(parts)


def _kms_key_arn(name: str, value: object) -> str:
    text = _require_str(name, value)
    if not _KMS_KEY_ARN.match(text):
        raise RenderError(
            f"{name} must be a KMS key ARN (arn:aws:kms:<region>:<12 digits>:key/<key id>): S3 needs the "
            f"key ARN for a key of another account, an alias would resolve in the caller's; got {_show(value)}"
        )
    return text


def _optional_s3_uri(name: str, value: object) -> str | None:
    if value is None:
        return None
    text = _require_str(name, value)
    bucket, _, key = text.removeprefix("s3://").partition("/")
    if not text.startswith("s3://") or len(text) > 1100 or not key or not _S3_KEY.match(key):
        raise RenderError(f"{name} must be None or an s3://bucket/key URI of [A-Za-z0-9!_.*()=/+%~@,-], got {_show(value)}")
    _bucket(f"{name} (bucket)", bucket)
    return text


def _count(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RenderError(f"{name} must be an int, got {type(value).__name__} {_show(value)}")
    if not 0 <= value <= MAX_BIGINT:
        raise RenderError(f"{name} must be between 0 and {MAX_BIGINT}, got {value}")
    return value


def _table(name: str, value: object) -> str:
    if value not in TABLES:
        raise RenderError(f"{name} must be one of {', '.join(TABLES)}, got {_show(value)}")
    return str(value)


def sanitize_text(text: str, limit: int = ERROR_MESSAGE_LIMIT) -> str:
    """Free text made safe for a literal: printable characters only, one line, bounded length.

    Backslashes and braces are replaced too: Redshift's handling of backslashes in literals is not
    worth depending on, and braces would look like Jinja to Airflow's template engine.
    """
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    cleaned = cleaned.replace("\\", "/").replace("{", "(").replace("}", ")")
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 3] + "..."
    return cleaned or "(no message)"


def _free_text(name: str, value: object) -> str:
    return sanitize_text(_require_str(name, value))


@dataclass(frozen=True)
class Parameter:
    """A placeholder's type: how to validate the caller's value and how to write it in SQL."""

    validate: Callable[[str, object], object]
    example: object
    description: str


PARAMETERS: dict[str, Parameter] = {
    "partition": Parameter(_partition, "2026-11-21", "the UTC day, YYYY-MM-DD"),
    "run_id": Parameter(_run_id, "manual__2026-11-21T10:00:00+00:00", "the Airflow run id"),
    "staging_bucket": Parameter(_bucket, "xetl-dev-staging-222222222222", "staging bucket in account B"),
    "target_bucket": Parameter(_bucket, "xetl-dev-target-111111111111", "target bucket in account A"),
    "target_prefix": Parameter(_key_prefix, "products", "key prefix of the published data in the target bucket"),
    "copy_role_arn": Parameter(
        _role_arn, "arn:aws:iam::222222222222:role/xetl-dev-redshift-copy", "role Redshift assumes for COPY"
    ),
    "unload_role_chain": Parameter(
        _role_chain,
        "arn:aws:iam::222222222222:role/xetl-dev-redshift-unload,arn:aws:iam::111111111111:role/xetl-dev-target-writer",
        "role chain for UNLOAD: the namespace role in B, then the writer role in A",
    ),
    "target_kms_key_arn": Parameter(
        _kms_key_arn,
        "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "KMS key of the target bucket (account A)",
    ),
    "marker": Parameter(
        _optional_s3_uri,
        "s3://xetl-dev-source-111111111111/products/year=2026/month=11/day=21/_SUCCESS",
        "the object that triggered the run, or None",
    ),
    "rows_read": Parameter(_count, 1000, "rows_read from the run manifest"),
    "rows_quarantined": Parameter(_count, 43, "rows_quarantined from the run manifest"),
    "table": Parameter(_table, "xetl.products", "the table a data-quality query checks"),
    "error_message": Parameter(_free_text, "COPY failed: S3ServiceException", "why the run failed (sanitised)"),
}


def hive_partition(partition: str) -> str:
    """`year=YYYY/month=MM/day=DD` for a validated YYYY-MM-DD partition (the contract's S3 layout)."""
    year, month, day = partition.split("-")
    return f"year={year}/month={month}/day={day}"


@dataclass(frozen=True)
class Derived:
    """A placeholder computed from other, validated parameters."""

    inputs: tuple[str, ...]
    build: Callable[..., SqlValue]


DERIVED: dict[str, Derived] = {
    # The trailing slash matters: without it, day=2 would also match day=21 ... day=29.
    "curated_uri": Derived(
        ("staging_bucket", "partition"),
        lambda staging_bucket, partition: _literal(
            f"s3://{staging_bucket}/curated/products/{hive_partition(partition)}/"
        ),
    ),
    # UNLOAD writes <prefix>part_000...; CLEANPATH removes the objects under it first.
    "target_uri": Derived(
        ("target_bucket", "target_prefix", "partition"),
        lambda target_bucket, target_prefix, partition: _literal(
            f"s3://{target_bucket}/{target_prefix}/{hive_partition(partition)}/part_"
        ),
    ),
    "table_name": Derived(("table",), lambda table: _literal(table)),
}


def _sql_for(name: str, value: object) -> SqlValue:
    if value is None:
        return _raw("NULL")
    if name == "table":
        return _raw(str(value))
    if isinstance(value, int):
        return _raw(str(value))
    return _literal(str(value))


# --- templates ------------------------------------------------------------------------------------


def queries_dir(root: Path | None = None) -> Path:
    """The templates: `queries/` inside this package (in the repository and beside the DAGs alike)."""
    return (root or Path(__file__).resolve().parent) / "queries"


def template_names(root: Path | None = None) -> list[str]:
    return sorted(path.stem for path in queries_dir(root).glob("*.sql"))


# A line `-- xetl:include <name>` in a template stands for `queries/partials/<name>.sql`: text that
# several templates must share word for word (e.g. where and how every UNLOAD writes). One level
# only; a partial is not a template of its own.
INCLUDE = re.compile(r"^-- xetl:include ([a-z][a-z0-9_]*)[ \t]*$", re.MULTILINE)


def template_text(name: str, root: Path | None = None) -> str:
    """A template's text with its includes expanded."""
    if not _TEMPLATE_NAME.match(name):
        raise RenderError(f"not a template name: {_show(name)}")
    path = queries_dir(root) / f"{name}.sql"
    if not path.is_file():
        raise RenderError(f"no query template {name!r} (known: {', '.join(template_names(root))})")

    def partial(match: re.Match[str]) -> str:
        part = queries_dir(root) / "partials" / f"{match.group(1)}.sql"
        if not part.is_file():
            raise RenderError(f"{name}.sql includes {match.group(1)!r}, but queries/partials/{match.group(1)}.sql does not exist")
        return part.read_text(encoding="utf-8").rstrip("\n")

    return INCLUDE.sub(partial, path.read_text(encoding="utf-8"))


def placeholders_in(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def required_parameters(text: str) -> set[str]:
    """The parameters a caller must pass for a template text: its placeholders, with derived ones
    replaced by their inputs."""
    needed: set[str] = set()
    for name in placeholders_in(text):
        if name in DERIVED:
            needed.update(DERIVED[name].inputs)
        elif name in PARAMETERS:
            needed.add(name)
        else:
            raise RenderError(f"unknown placeholder {{{{ {name} }}}}: declare it in xetl_sql.render.PARAMETERS")
    return needed


def _check_names(needed: set[str], given: Iterable[str]) -> None:
    given = set(given)
    missing, extra = sorted(needed - given), sorted(given - needed)
    problems = []
    if missing:
        problems.append(f"missing {', '.join(missing)}")
    if extra:
        problems.append(f"unexpected {', '.join(extra)}")
    if problems:
        raise RenderError("parameters do not match the template: " + "; ".join(problems))


def render_text(text: str, params: Mapping[str, object]) -> str:
    """Render a template text. All of its parameters, and only those, must be given."""
    _check_names(required_parameters(text), params)
    normalised = {name: PARAMETERS[name].validate(name, value) for name, value in params.items()}
    values: dict[str, SqlValue] = {name: _sql_for(name, value) for name, value in normalised.items()}
    for name, derived in DERIVED.items():
        if all(dep in normalised for dep in derived.inputs):
            values[name] = derived.build(*(normalised[dep] for dep in derived.inputs))

    out: list[str] = []
    for seg in segments(text):
        piece = text[seg.start : seg.end]
        if seg.kind not in ("code", "string"):
            if "{{" in piece or "}}" in piece:
                raise RenderError(f"placeholder in a {seg.kind.replace('_', ' ')}: {_show(piece)}")
            out.append(piece)
            continue
        inside_literal = seg.kind == "string"

        def substitute(match: re.Match[str], piece: str = piece, inside_literal: bool = inside_literal) -> str:
            before = piece[match.start() - 1] if match.start() > 0 else ""
            after = piece[match.end()] if match.end() < len(piece) else ""
            if before == "'" and after == "'":
                raise RenderError(
                    f"quoted placeholder {match.group(0)}: placeholders render as whole literals; remove the quotes"
                )
            return values[match.group(1)].sql(inside_literal)

        rendered = PLACEHOLDER.sub(substitute, piece)
        if "{{" in rendered or "}}" in rendered:
            raise RenderError(f"malformed placeholder in {_show(piece.strip())}")
        out.append(rendered)
    return "".join(out)


def render(name: str, /, root: Path | None = None, **params: object) -> str:
    """Render `xetl_sql/queries/<name>.sql`; raises RenderError on any invalid, missing or extra parameter."""
    return render_text(template_text(name, root), params)


def render_statements(name: str, /, root: Path | None = None, **params: object) -> list[str]:
    """Render a template and cut it into statements, e.g. the `Sqls` of one Data API batch."""
    return split_statements(render(name, root=root, **params))


def example_parameters(name: str, root: Path | None = None) -> dict[str, object]:
    """Plausible parameters for a template (for linting and documentation, never for a real run)."""
    return {param: PARAMETERS[param].example for param in sorted(required_parameters(template_text(name, root)))}
