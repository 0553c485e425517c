"""Test support: product rows, and a `Warehouse` that drives the PostgreSQL stand-in exactly the way
the pipeline drives Redshift - rendered templates, adapted by `xetl_sql.to_postgres`, with COPY
replaced by inserting rows (the local run's stand-in for COPY)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.rows import dict_row
from xetl_sql import render
from xetl_sql_tools import to_postgres

CURATED_COLUMNS = (
    "product_id",
    "product_name",
    "category",
    "price",
    "quantity",
    "updated_at",
    "source_file",
    "partition_date",
)
PUBLISHED_COLUMNS = (*CURATED_COLUMNS, "run_id", "loaded_at")

P = "2026-11-21"  # the partition most tests load
Q = "2026-11-22"  # its neighbour, which must never be touched
RUN_A = "manual__2026-11-21T10:00:00+00:00"
RUN_B = "manual__2026-11-21T11:00:00+00:00"
MARKER = "s3://xetl-dev-source-111111111111/products/year=2026/month=11/day=21/_SUCCESS"
STAGING_BUCKET = "xetl-dev-staging-222222222222"
COPY_ROLE = "arn:aws:iam::222222222222:role/xetl-dev-redshift-copy"


def product(product_id: str, partition: str = P, **overrides: Any) -> dict[str, Any]:
    """One curated row; any column can be overridden (None for a NULL)."""
    day = dt.date.fromisoformat(partition)
    row: dict[str, Any] = {
        "product_id": product_id,
        "product_name": f"Product {product_id}, oak ‘deluxe’",
        "category": "furniture",
        "price": Decimal("19.99"),
        "quantity": 3,
        "updated_at": dt.datetime(day.year, day.month, day.day, 8, 30, 0),
        "source_file": f"s3://xetl-dev-source-111111111111/products/{render.hive_partition(partition)}/feed-1.csv",
        "partition_date": day,
    }
    row.update(overrides)
    return row


def products(*ids: str, partition: str = P, **overrides: Any) -> list[dict[str, Any]]:
    return [product(product_id, partition, **overrides) for product_id in ids]


class Warehouse:
    """A connection to one migrated test database, in autocommit mode: every `with
    self.conn.transaction()` is a real top-level transaction, like one Data API batch."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.conn = psycopg.connect(dsn, autocommit=True, row_factory=dict_row)

    def close(self) -> None:
        self.conn.close()

    # --- writing ------------------------------------------------------------------------------

    def stage(self, rows: list[dict[str, Any]]) -> None:
        """Insert rows into xetl.products_staging, as COPY would (one row per dict, curated columns)."""
        columns = ", ".join(CURATED_COLUMNS)
        placeholders = ", ".join(["%s"] * len(CURATED_COLUMNS))
        with self.conn.cursor() as cur:
            cur.executemany(
                f"INSERT INTO xetl.products_staging ({columns}) VALUES ({placeholders})",
                [tuple(row[c] for c in CURATED_COLUMNS) for row in rows],
            )

    def load(
        self,
        partition: str,
        rows: list[dict[str, Any]],
        *,
        run_id: str = RUN_A,
        rows_read: int | None = None,
        rows_quarantined: int = 0,
        marker: str | None = MARKER,
    ) -> None:
        """Stage `rows` (queries/stage_partition.sql), then publish them (queries/publish_partition.sql),
        each in its own transaction, as the DAG does (with its quality checks in between).

        rows_read defaults to what reconciles: len(rows) + rows_quarantined.
        """
        self.stage_partition(partition, rows)
        self.publish(
            partition,
            run_id=run_id,
            rows_read=len(rows) + rows_quarantined if rows_read is None else rows_read,
            rows_quarantined=rows_quarantined,
            marker=marker,
        )

    def stage_partition(self, partition: str, rows: list[dict[str, Any]]) -> None:
        """Run queries/stage_partition.sql in ONE transaction; its COPY becomes `stage(rows)`."""
        statements = render.render_statements(
            "stage_partition", partition=partition, staging_bucket=STAGING_BUCKET, copy_role_arn=COPY_ROLE
        )
        with self.conn.transaction():
            for statement in statements:
                try:
                    self.conn.execute(to_postgres.statement_to_postgres(statement))
                except to_postgres.RedshiftOnlyStatementError:
                    spec = to_postgres.copy_spec(statement)
                    assert spec.table == "xetl.products_staging"
                    assert spec.source_uri.endswith(f"/{render.hive_partition(partition)}/")
                    self.stage(rows)

    def publish(
        self, partition: str, *, run_id: str = RUN_A, rows_read: int, rows_quarantined: int, marker: str | None = MARKER
    ) -> None:
        """Run queries/publish_partition.sql (the load procedure's CALL) in its own transaction."""
        self.run_template(
            "publish_partition",
            partition=partition,
            run_id=run_id,
            rows_read=rows_read,
            rows_quarantined=rows_quarantined,
            marker=marker,
        )

    def run_template(self, name: str, **params: Any) -> None:
        """Render a template and run all its statements in one transaction."""
        with self.conn.transaction():
            for statement in render.render_statements(name, **params):
                self.conn.execute(to_postgres.statement_to_postgres(statement))

    def run_redshift(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        """Run one statement written in Redshift's dialect, adapted, in its own transaction."""
        with self.conn.transaction():
            self.conn.execute(to_postgres.statement_to_postgres(sql), params or None)

    # --- reading ------------------------------------------------------------------------------

    def products(self, partition: str | None = None) -> list[dict[str, Any]]:
        where, params = ("WHERE partition_date = %s", (partition,)) if partition else ("", ())
        return self.conn.execute(
            f"SELECT {', '.join(PUBLISHED_COLUMNS)} FROM xetl.products {where} "
            "ORDER BY partition_date, product_id, run_id",
            params,
        ).fetchall()

    def staged(self, partition: str | None = None) -> list[dict[str, Any]]:
        where, params = ("WHERE partition_date = %s", (partition,)) if partition else ("", ())
        return self.conn.execute(
            f"SELECT {', '.join(CURATED_COLUMNS)} FROM xetl.products_staging {where} "
            "ORDER BY partition_date, product_id",
            params,
        ).fetchall()

    def runs(self) -> list[dict[str, Any]]:
        return self.conn.execute("SELECT * FROM xetl.pipeline_runs ORDER BY partition_date, run_id").fetchall()

    def check(self, name: str, **params: Any) -> dict[str, Any]:
        """Run a data-quality template; it must return exactly one row."""
        statement = to_postgres.statement_to_postgres(render.render(name, **params))
        rows = self.conn.execute(statement).fetchall()
        assert len(rows) == 1, f"{name} returned {len(rows)} rows"
        return rows[0]


def without(rows: list[dict[str, Any]], *columns: str) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k not in columns} for row in rows]


def curated(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The curated columns of rows, ordered by key: what a re-run must reproduce exactly."""
    return sorted(
        ({c: row[c] for c in CURATED_COLUMNS} for row in rows), key=lambda r: (r["partition_date"], r["product_id"])
    )
