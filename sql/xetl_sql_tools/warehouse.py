"""The Redshift Data API's stand-in on PostgreSQL, for the local run (runs in the tools venv).

`execute_batch` takes the SAME Redshift-dialect statements the AWS runtime sends (rendered by
`xetl_sql`) and runs them as one transaction, as a Data API `BatchExecuteStatement` does:

* ordinary statements go through `to_postgres.statement_to_postgres` (the one mechanical
  Redshift -> PostgreSQL translation; nobody writes a second copy of the SQL);
* `COPY <table> FROM 's3://…/' FORMAT AS PARQUET` is replaced by reading the Parquet files of a
  local mirror of that S3 prefix (the caller downloads it first) and streaming them into the table
  with PostgreSQL's `COPY … FROM STDIN` (columns by position, like Redshift's Parquet COPY);
* `UNLOAD ('select') TO 's3://…' … FORMAT AS PARQUET` is replaced by running the translated
  SELECT and writing one Parquet file into a local directory (the caller then cleans the S3 prefix,
  CLEANPATH, and uploads it);
* the result of each statement that returns rows comes back as dicts (`GetStatementResult`).

It runs in the tools venv (sqlglot, pyarrow, psycopg 3, none of them in the MWAA constraints the
Airflow venv is built from); the local runtime calls it as a process, JSON over stdin/stdout
(`xetl_local.warehouse.run_statements`), the way the AWS runtime calls the Data API.

    python -m xetl_sql_tools.warehouse < request.json > response.json
    python -m xetl_sql_tools.warehouse --migrate "<dsn of a superuser>"
"""

from __future__ import annotations

import contextlib
import decimal
import io
import itertools
import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from xetl_sql.sqltext import strip_comments

# libpq connection string of the PostgreSQL stand-in, e.g. "host=127.0.0.1 port=5433 dbname=dev user=...".
DSN_ENV = "XETL_LOCAL_PG_DSN"


class WarehouseError(RuntimeError):
    """A statement failed in the stand-in; the message carries PostgreSQL's own error."""


def _local_dir_for(uri: str, mirrors: Mapping[str, str]) -> Path:
    """The local directory holding the objects of S3 prefix ``uri`` (exact prefix match only)."""
    for prefix, directory in mirrors.items():
        if uri == prefix or uri.rstrip("/") == prefix.rstrip("/"):
            return Path(directory)
    raise WarehouseError(f"COPY reads {uri}, but no local mirror of it was provided ({sorted(mirrors)})")


def _copy_parquet(cur: Any, table: str, directory: Path) -> int:
    """COPY <table> FROM <parquet files>: position mapping, same column count, as Redshift does."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema || '.' || table_name = %s "
        "ORDER BY ordinal_position",
        (table,),
    )
    columns = [row[0] for row in cur.fetchall()]
    if not columns:
        raise WarehouseError(f"COPY target {table} does not exist")
    # Data files only: Spark writes _SUCCESS and .crc files beside the Parquet, S3 readers skip them.
    files = sorted(p for p in directory.rglob("*") if p.is_file() and not p.name.startswith(("_", ".")))
    loaded = 0
    for path in files:
        data = pq.read_table(path)
        if data.num_columns != len(columns):
            raise WarehouseError(
                f"COPY {table}: {path.name} has {data.num_columns} columns, the table has {len(columns)} "
                "(Parquet COPY maps columns by position and needs the same count)"
            )
        if data.num_rows == 0:
            continue
        # CSV through COPY FROM STDIN is the fast path; every valid value quoted, NULL unquoted
        # and empty, so an empty string stays distinct from NULL.
        buffer = io.BytesIO()
        pacsv.write_csv(
            data, buffer, write_options=pacsv.WriteOptions(include_header=False, quoting_style="all_valid")
        )
        column_list = ", ".join(columns)
        with cur.copy(f"COPY {table} ({column_list}) FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())
        loaded += data.num_rows
    return loaded


def _unload_parquet(cur: Any, select_sql: str, out_dir: Path) -> tuple[int, list[str]]:
    """Run the UNLOAD's SELECT and write its rows as one Parquet file (PARALLEL OFF)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    cur.execute(select_sql)
    names = [d.name for d in cur.description]
    rows = cur.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in names]
    arrays = []
    for name, values, desc in zip(names, columns, cur.description, strict=True):
        arrays.append(_arrow_array(name, list(values), desc, pa))
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "part_000.parquet"
    pq.write_table(pa.Table.from_arrays(arrays, names=names), target)
    return len(rows), [target.name]


def _arrow_array(name: str, values: list[Any], desc: Any, pa: Any) -> Any:
    """Typed Arrow column from PostgreSQL values, keeping decimal(12,2) exact (as UNLOAD does)."""
    oid = desc.type_code
    if oid == 1700:  # numeric
        precision = desc.precision or 38
        scale = desc.scale or 0
        quant = decimal.Decimal(1).scaleb(-scale)
        return pa.array(
            [None if v is None else v.quantize(quant) for v in values], type=pa.decimal128(precision, scale)
        )
    return pa.array(values)


def execute_batch(request: Mapping[str, Any]) -> dict[str, Any]:
    """Run the request's statements in one transaction (the Data API batch semantics)."""
    import psycopg

    from xetl_sql_tools.to_postgres import copy_spec, statement_to_postgres, unload_spec

    statements: Sequence[str] = request["statements"]
    mirrors: Mapping[str, str] = request.get("copy_mirrors") or {}
    unload_dir = request.get("unload_dir")
    results: list[dict[str, Any]] = []
    with psycopg.connect(request.get("dsn") or os.environ[DSN_ENV]) as conn:
        conn.add_notice_handler(lambda diag: results.append({"notice": diag.message_primary}))
        with conn.cursor() as cur:
            for index, statement in enumerate(statements, start=1):
                # The templates' comments travel with their statements, as they do to Redshift.
                body = strip_comments(statement).strip()
                head = body.split(None, 1)[0].upper() if body else ""
                try:
                    if head == "COPY":
                        spec = copy_spec(statement)
                        if spec.file_format != "PARQUET":
                            raise WarehouseError(f"only FORMAT AS PARQUET is emulated, got {spec.file_format}")
                        rows = _copy_parquet(cur, spec.table, _local_dir_for(spec.source_uri, mirrors))
                        results.append({"statement": index, "kind": "copy", "rowcount": rows, "source": spec.source_uri})
                    elif head == "UNLOAD":
                        spec = unload_spec(statement)
                        if not unload_dir:
                            raise WarehouseError("UNLOAD needs unload_dir (where to write the Parquet)")
                        rows, files = _unload_parquet(cur, spec.select_sql, Path(unload_dir))
                        results.append(
                            {
                                "statement": index,
                                "kind": "unload",
                                "rowcount": rows,
                                "files": files,
                                "target_uri": spec.target_uri,
                                "options": spec.options,
                            }
                        )
                    else:
                        cur.execute(statement_to_postgres(statement))
                        result: dict[str, Any] = {"statement": index, "kind": "sql", "rowcount": cur.rowcount}
                        if cur.description is not None:
                            names = [d.name for d in cur.description]
                            result["rows"] = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
                        results.append(result)
                except (psycopg.Error, WarehouseError, ValueError) as err:
                    conn.rollback()
                    first_line = (body or statement.strip()).splitlines()[0][:120]
                    raise WarehouseError(
                        f"statement {index} of {len(statements)} failed, batch rolled back: "
                        f"{str(err).strip()} [{first_line}]"
                    ) from err
        conn.commit()
    return {"results": results}


def _json_default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)


def migrate(dsn: str) -> int:
    """Set the stand-in up as the migrations set Redshift up: the prelude, then every migration in
    PostgreSQL form, one transaction per file (as `xetl bootstrap` applies them on Redshift). Returns
    the number of statements run. Run as a superuser: the migrations create the pipeline's role."""
    import psycopg

    from xetl_sql_tools.migrations import list_migrations
    from xetl_sql_tools.to_postgres import migrations_for_postgres

    count = 0
    with psycopg.connect(dsn, autocommit=True) as conn:
        for batch in migrations_for_postgres(list_migrations()):
            with conn.transaction():
                for statement in batch:
                    conn.execute(statement)
                    count += 1
    return count


_scratch_numbers = itertools.count()


@contextlib.contextmanager
def scratch_database(admin_dsn: str, template: str = "template0") -> Iterator[str]:
    """A new database, a copy of `template`, on the server `admin_dsn` (a superuser's) points at;
    yields its name and drops it on exit, even while a test still holds a connection. Copying a
    migrated template (CREATE DATABASE ... TEMPLATE) is much faster than migrating each time."""
    import psycopg
    from psycopg import sql

    name = f"xetl_scratch_{os.getpid()}_{next(_scratch_numbers)}"
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
    try:
        yield name
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def main() -> int:
    if sys.argv[1:2] == ["--migrate"]:
        print(json.dumps({"statements": migrate(sys.argv[2])}))
        return 0
    try:
        response: dict[str, Any] = execute_batch(json.loads(sys.stdin.read()))
    except WarehouseError as err:
        response = {"error": str(err)}
    print(json.dumps(response, default=_json_default))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
