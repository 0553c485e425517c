"""Static check of the SQL, run by `nx run sql:lint`: `python -m xetl_sql_tools.check`.

- Every statement of every migration parses with sqlglot in the Redshift dialect into a real syntax
  tree (an opaque "Command" fallback counts as a failure: it means sqlglot did not understand the
  statement, so neither the lint nor the PostgreSQL adaptation can vouch for it), and adapts to
  PostgreSQL.
- Every query template renders with example parameters, and each rendered statement parses the
  same way. CALL and UNLOAD, which sqlglot does not model, are checked by their parts: UNLOAD's
  inner SELECT must parse; CALL must name an xetl procedure.

sqlglot's parser is lenient (it accepts, for instance, a doubled comma in a select list), so this
is a first line of defence only: the test suite runs every migration and query on PostgreSQL.

Exit status 0 when everything passes, 1 otherwise, with one line per problem.
"""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError
from xetl_sql import render
from xetl_sql.sqltext import SqlLexError, strip_comments

from xetl_sql_tools import to_postgres
from xetl_sql_tools.migrations import MigrationLayoutError, list_migrations

_CALL = re.compile(r"^CALL\s+xetl\.[a-z_][a-z0-9_]*\s*\(", re.IGNORECASE)


def _parse_problem(statement: str) -> str | None:
    try:
        parsed = [e for e in sqlglot.parse(statement, read="redshift") if e is not None]
    except ParseError as error:
        return f"does not parse as Redshift SQL: {error}"
    if len(parsed) != 1:
        return f"expected one statement, sqlglot found {len(parsed)}"
    if isinstance(parsed[0], exp.Command):
        return "sqlglot fell back to an opaque Command (unsupported syntax)"
    return None


def _first_line(statement: str) -> str:
    return strip_comments(statement).strip().splitlines()[0][:80]


def check_migrations(root: Path | None = None) -> tuple[int, list[str]]:
    problems: list[str] = []
    count = 0
    for migration in list_migrations(root):
        for statement in migration.statements():
            count += 1
            where = f"{migration.filename}: {_first_line(statement)}"
            body = strip_comments(statement).strip()
            # sqlglot does not model CALL: checked by its parts, as in the query templates.
            if body.split(None, 1)[0].upper() == "CALL":
                problem = None if _CALL.match(body) else "CALL must name a procedure of the xetl schema"
            else:
                problem = _parse_problem(statement)
            if problem:
                problems.append(f"{where}: {problem}")
                continue
            try:
                to_postgres.statement_to_postgres(statement)
            except ValueError as error:
                problems.append(f"{where}: does not adapt to PostgreSQL: {error}")
    return count, problems


def check_queries(root: Path | None = None) -> tuple[int, list[str]]:
    problems: list[str] = []
    count = 0
    for name in render.template_names(root):
        try:
            statements = render.render_statements(name, root=root, **render.example_parameters(name, root))
        except (render.RenderError, SqlLexError) as error:
            problems.append(f"queries/{name}.sql: does not render: {error}")
            continue
        for statement in statements:
            count += 1
            body = strip_comments(statement).strip()
            where = f"queries/{name}.sql: {_first_line(statement)}"
            keyword = body.split(None, 1)[0].upper()
            if keyword == "UNLOAD":
                try:
                    inner = to_postgres.unload_spec(body)
                except ValueError as error:
                    problems.append(f"{where}: {error}")
                    continue
                problem = _parse_problem(inner.select_sql)
            elif keyword == "CALL":
                problem = None if _CALL.match(body) else "CALL must name a procedure of the xetl schema"
            else:
                problem = _parse_problem(body)
            if problem:
                problems.append(f"{where}: {problem}")
    return count, problems


def main() -> int:
    # The fallback warnings sqlglot logs are reported as problems here, once and with context.
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    try:
        migration_count, migration_problems = check_migrations()
    except (MigrationLayoutError, SqlLexError) as error:
        print(f"sql check: {error}", file=sys.stderr)
        return 1
    query_count, query_problems = check_queries()
    problems = migration_problems + query_problems
    for problem in problems:
        print(f"sql check: {problem}", file=sys.stderr)
    print(
        f"sql check: {migration_count} migration statements and {query_count} query statements, "
        f"{len(problems)} problems"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
