"""The mechanical Redshift -> PostgreSQL adaptation used by local runs and tests.

There is ONE copy of the SQL, in Redshift's dialect. This module derives the PostgreSQL form of it;
nobody writes a second copy by hand. sqlglot (`read="redshift"`, `write="postgres"`) does most of
the work (types such as NVARCHAR, functions such as GETDATE() -> CURRENT_TIMESTAMP, NVL ->
COALESCE). On top of it, a few documented rewrites of the syntax tree:

1. Physical design is dropped: DISTSTYLE, DISTKEY, SORTKEY (table properties), ENCODE (column
   constraint), BACKUP. PostgreSQL has no equivalent and sqlglot would otherwise print them.
2. Key constraints are dropped: PRIMARY KEY, UNIQUE and FOREIGN KEY are informational in Redshift
   (never enforced). Keeping them would make the stand-in reject data that Redshift accepts, and
   tests would pass for a reason production does not have. NOT NULL is enforced by both and stays.
3. Redshift-only types are mapped: VARCHAR(MAX)/CHARACTER VARYING(MAX) -> VARCHAR(65535) (Redshift's
   maximum), VARBYTE(n) -> BYTEA. Types the stand-in cannot represent faithfully (SUPER,
   GEOMETRY, HLLSKETCH ...) are refused rather than guessed.
4. CREATE PROCEDURE / FUNCTION: only the header is transpiled; the PL/pgSQL body passes through
   byte for byte (checked), so the body must stick to syntax both engines share.
5. CALL is passed through verbatim (same syntax in both; sqlglot does not model it).
6. COPY and UNLOAD are Redshift-only (S3, IAM roles): they raise RedshiftOnlyStatementError. A local
   run replaces them: `copy_spec()` says which table and S3 prefix a COPY reads, `unload_spec()`
   gives an UNLOAD's inner SELECT (in PostgreSQL form) and destination, so the caller can load from
   / write to local files instead.
7. GRANT/REVOKE ... TO ROLE r (Redshift's role grants) lose the ROLE keyword: PostgreSQL grants to a
   role by its name alone.
8. Redshift system views the migrations read exist in the stand-in as PostgreSQL views
   (`POSTGRES_PRELUDE`, run before the migrations): `svv_roles` (role_name) over pg_roles.
9. Anything sqlglot could not parse (it falls back to an opaque "Command") is refused: passing
   unparsed Redshift text to PostgreSQL would fail later and less clearly, or worse, succeed with
   other semantics.

What the stand-in cannot check: distribution, sort order and encodings (performance only), byte-
versus character-length VARCHAR limits, COPY/UNLOAD themselves (paths, roles, KMS, file layout),
and Redshift's serializable-isolation conflicts between concurrent transactions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError
from xetl_sql.sqltext import segments, split_statements, strip_comments

_PHYSICAL_PROPERTIES = (exp.DistStyleProperty, exp.DistKeyProperty, exp.SortKeyProperty, exp.BackupProperty)
_KEY_COLUMN_CONSTRAINTS = (exp.PrimaryKeyColumnConstraint, exp.UniqueColumnConstraint, exp.Reference)
_KEY_TABLE_CONSTRAINTS = (exp.PrimaryKey, exp.UniqueColumnConstraint, exp.ForeignKey)
_UNSUPPORTED_TYPES = {
    exp.DataType.Type.SUPER,
    exp.DataType.Type.GEOMETRY,
    exp.DataType.Type.GEOGRAPHY,
}
_REDSHIFT_ONLY_COMMANDS = {"UNLOAD"}
_PASS_THROUGH_COMMANDS = {"CALL"}


# Rule 8: what the stand-in provides before any migration runs (idempotent).
POSTGRES_PRELUDE = (
    "CREATE OR REPLACE VIEW public.svv_roles AS SELECT CAST(rolname AS VARCHAR) AS role_name FROM pg_roles",
)


class RedshiftOnlyStatementError(ValueError):
    """COPY/UNLOAD: no PostgreSQL equivalent; a local run replaces them (see copy_spec/unload_spec)."""


class UnsupportedRedshiftSyntaxError(ValueError):
    """sqlglot could not parse the statement, or it uses a construct the stand-in cannot represent."""


def _parse(sql: str) -> exp.Expression:
    try:
        expressions = sqlglot.parse(sql, read="redshift")
    except ParseError as error:
        raise UnsupportedRedshiftSyntaxError(f"sqlglot cannot parse this Redshift statement: {error}") from error
    statements = [e for e in expressions if e is not None]
    if len(statements) != 1:
        raise UnsupportedRedshiftSyntaxError(f"expected one statement, found {len(statements)}")
    return statements[0]


def _command_name(statement: exp.Expression) -> str | None:
    if isinstance(statement, exp.Command):
        return str(statement.this).upper()
    return None


def _first_line(sql: str) -> str:
    for line in sql.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("--"):
            return stripped[:100]
    return sql.strip()[:100]


def _body(statement: exp.Create) -> str | None:
    heredoc = statement.find(exp.Heredoc)
    if heredoc is not None:
        return str(heredoc.this)
    return None


def _strip_physical_and_keys(create: exp.Create) -> None:
    """Rules 1 and 2: drop distribution/sort/encoding/backup and the informational key constraints."""
    properties = create.args.get("properties")
    if properties is not None:
        kept = [p for p in properties.expressions if not isinstance(p, _PHYSICAL_PROPERTIES)]
        if kept:
            properties.set("expressions", kept)
        else:
            create.set("properties", None)
    schema = create.this
    if not isinstance(schema, exp.Schema):
        return
    kept_items = []
    for item in schema.expressions:
        if isinstance(item, exp.ColumnDef):
            constraints = [
                c
                for c in item.args.get("constraints") or []
                if not isinstance(c.args.get("kind"), (exp.EncodeColumnConstraint, *_KEY_COLUMN_CONSTRAINTS))
            ]
            item.set("constraints", constraints)
            kept_items.append(item)
        elif isinstance(item, _KEY_TABLE_CONSTRAINTS):
            continue
        elif isinstance(item, exp.Constraint) and all(
            isinstance(e, (*_KEY_TABLE_CONSTRAINTS, *_KEY_COLUMN_CONSTRAINTS)) for e in item.expressions
        ):
            continue  # CONSTRAINT name PRIMARY KEY (...)
        else:
            kept_items.append(item)
    schema.set("expressions", kept_items)


def _map_types(statement: exp.Expression) -> None:
    """Rule 3. The nodes are collected first: replacing nodes while walking the tree is unsafe."""
    for data_type in list(statement.find_all(exp.DataType)):
        if data_type.this in _UNSUPPORTED_TYPES:
            raise UnsupportedRedshiftSyntaxError(
                f"type {data_type.sql('redshift')} has no faithful PostgreSQL stand-in"
            )
        params = data_type.expressions
        is_max = len(params) == 1 and params[0].this is not None and str(params[0].this).upper() == "MAX"
        if data_type.this in (exp.DataType.Type.VARCHAR, exp.DataType.Type.NVARCHAR) and is_max:
            data_type.replace(exp.DataType.build("VARCHAR(65535)", dialect="postgres"))
        elif data_type.this == exp.DataType.Type.VARBINARY:
            data_type.replace(exp.DataType.build("BYTEA", dialect="postgres"))


def _leading_keyword(sql: str) -> str:
    words = sql.split(None, 1)
    return re.sub(r"[^A-Za-z].*", "", words[0]).upper() if words else ""


def statement_to_postgres(sql: str) -> str:
    """One Redshift statement in PostgreSQL form (see the module docstring for the rules).

    Comments outside literals and bodies are dropped first: sqlglot would re-emit them as /* */
    blocks, and they document the Redshift file, not the derived statement.
    """
    sql = strip_comments(sql).strip()
    keyword = _leading_keyword(sql)
    # CALL and UNLOAD are recognised before sqlglot sees them: it does not model either and would
    # log a warning while falling back to an opaque Command.
    if keyword in _PASS_THROUGH_COMMANDS:
        return sql
    if keyword in _REDSHIFT_ONLY_COMMANDS or keyword == "COPY":
        raise RedshiftOnlyStatementError(
            f"{keyword} is Redshift-only; a local run replaces it (xetl_sql_tools.to_postgres.copy_spec/unload_spec): "
            f"{_first_line(sql)}"
        )
    statement = _parse(sql)
    command = _command_name(statement)
    if isinstance(statement, exp.Copy):
        raise RedshiftOnlyStatementError(f"COPY is Redshift-only: {_first_line(sql)}")
    if command is not None:
        raise UnsupportedRedshiftSyntaxError(f"sqlglot did not understand this statement: {_first_line(sql)}")

    if isinstance(statement, exp.Create):
        kind = str(statement.args.get("kind") or "").upper()
        if kind in ("PROCEDURE", "FUNCTION"):
            body = _body(statement)
            output = statement.sql(dialect="postgres")
            if body is None or body not in output:
                raise UnsupportedRedshiftSyntaxError(
                    f"the body of {_first_line(sql)} would not pass through unchanged; write it as AS $$ ... $$"
                )
            return output
        if kind == "TABLE":
            _strip_physical_and_keys(statement)
    if isinstance(statement, (exp.Grant, exp.Revoke)):
        for principal in statement.args.get("principals") or []:
            principal.set("kind", None)  # rule 7: TO ROLE r -> TO r
    _map_types(statement)
    return statement.sql(dialect="postgres", pretty=True)


def migrations_for_postgres(migrations: list) -> list[list[str]]:
    """The stand-in's set-up as batches, one transaction each: the prelude, then every migration
    (a `xetl_sql_tools.migrations.Migration`) in PostgreSQL form, in order."""
    return [list(POSTGRES_PRELUDE), *(script_to_postgres(m.read()) for m in migrations)]


def script_to_postgres(text: str) -> list[str]:
    """Every statement of a Redshift script (a migration file) in PostgreSQL form, in order."""
    return [statement_to_postgres(statement) for statement in split_statements(text)]


@dataclass(frozen=True)
class CopySpec:
    """What a COPY does, for a local run that loads the same files itself."""

    table: str
    source_uri: str
    file_format: str


@dataclass(frozen=True)
class UnloadSpec:
    """What an UNLOAD does, for a local run that writes the same rows itself."""

    select_sql: str  # PostgreSQL form of the inner query
    target_uri: str
    options: str  # the rest of the statement (roles, format, CLEANPATH ...), for logs


def copy_spec(sql: str) -> CopySpec:
    """Read `COPY <table> FROM '<uri>' ... FORMAT AS <format>`."""
    statement = _parse(strip_comments(sql).strip())
    if not isinstance(statement, exp.Copy):
        raise ValueError(f"not a COPY statement: {_first_line(sql)}")
    table = statement.this.sql(dialect="redshift")
    sources = statement.args.get("files") or []
    if len(sources) != 1 or not isinstance(sources[0], exp.Literal):
        raise ValueError(f"expected one quoted S3 source in: {_first_line(sql)}")
    file_format = "TEXT"
    for param in statement.args.get("params") or []:
        if str(param.this).upper() == "FORMAT":
            file_format = re.sub(r"^FORMAT\s+(?:AS\s+)?", "", param.sql(dialect="redshift").strip(), flags=re.I).upper()
    return CopySpec(table=table, source_uri=sources[0].name, file_format=file_format)


def unload_spec(sql: str) -> UnloadSpec:
    """Read `UNLOAD ('<query>') TO '<uri>' <options>`; the inner query comes back unescaped and in
    PostgreSQL form, ready to run against the stand-in. (sqlglot's tokenizer swallows everything
    after UNLOAD as one opaque command, so the xetl scanner reads the literals instead.)"""
    sql = strip_comments(sql).strip()
    parts = [seg for seg in segments(sql) if seg.kind != "code" or sql[seg.start : seg.end].strip()]
    kinds = [seg.kind for seg in parts[:4]]

    def text(index: int) -> str:
        return sql[parts[index].start : parts[index].end]

    if (
        kinds != ["code", "string", "code", "string"]
        or re.sub(r"\s+", "", text(0)).upper() != "UNLOAD("
        or re.sub(r"\s+", " ", text(2)).strip().upper() != ") TO"
    ):
        raise ValueError(f"not an UNLOAD ('query') TO 'uri' statement: {_first_line(sql)}")
    inner = text(1)[1:-1].replace("''", "'")
    target = text(3)[1:-1].replace("''", "'")
    options = sql[parts[3].end :].strip().rstrip(";").strip()
    return UnloadSpec(select_sql=statement_to_postgres(inner), target_uri=target, options=options)
