"""A small, hand-checkable history of three partitions, what each mart must hold for it (computed
here in Python, independently of the models), and how to load it and read the marts back
(imported by the tests, not collected)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from xetl_dbt.warehouse import LocalWarehouse

D1, D2, D3 = "2026-11-01", "2026-11-02", "2026-11-03"
RUNS = {D1: "scheduled__2026-11-01T01:00:00+00:00", D2: "scheduled__2026-11-02T01:00:00+00:00",
        D3: "scheduled__2026-11-03T01:00:00+00:00"}  # fmt: skip
UNCATEGORIZED = "uncategorized"
SUMMARY_COLUMNS = ("product_count", "total_quantity", "stock_value", "min_price", "max_price", "avg_price", "median_price")


def product(product_id: str, category: str | None, price: str, quantity: int, day: str) -> dict[str, Any]:
    return {
        "product_id": product_id,
        "product_name": f"Product {product_id} ‘deluxe’",
        "category": category,
        "price": Decimal(price),
        "quantity": quantity,
        "updated_at": dt.datetime.fromisoformat(day) + dt.timedelta(hours=8),
    }


# A changes price and changes back; B has no category; C and D leave the feed; E arrives on D2.
PARTITIONS: dict[str, list[dict[str, Any]]] = {
    D1: [
        product("A", "furniture", "10.00", 3, D1),
        product("B", None, "3.00", 1, D1),
        product("C", "kitchen", "5.00", 10, D1),
        product("D", "kitchen", "7.00", 2, D1),
    ],
    D2: [
        product("A", "furniture", "12.50", 3, D2),
        product("B", None, "3.00", 4, D2),
        product("C", "kitchen", "5.00", 8, D2),
        product("E", "garden", "20.00", 1, D2),
    ],
    D3: [
        product("A", "furniture", "10.00", 2, D3),
        product("B", None, "3.50", 4, D3),
        product("E", "garden", "20.00", 0, D3),
    ],
}
# A corrected D2: the kitchen is gone (so its summary row must disappear), A's price differs, F is new.
D2_CORRECTED = [
    product("A", "furniture", "15.00", 3, D2),
    product("B", None, "3.00", 4, D2),
    product("E", "garden", "20.00", 1, D2),
    product("F", "toys", "2.25", 7, D2),
]


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def category_summary(partitions: Mapping[str, Iterable[Mapping[str, Any]]]) -> dict[tuple[str, str], dict[str, Any]]:
    """(partition, category) -> the figures daily_category_summary must hold."""
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for day, rows in partitions.items():
        for row in rows:
            groups[(day, row["category"] or UNCATEGORIZED)].append(row)
    out = {}
    for key, rows in groups.items():
        prices = [r["price"] for r in rows]
        out[key] = {
            "product_count": len(rows),
            "total_quantity": sum(r["quantity"] for r in rows),
            "stock_value": sum(r["price"] * r["quantity"] for r in rows),
            "min_price": min(prices),
            "max_price": max(prices),
            "avg_price": cents(sum(prices) / len(prices)),
            "median_price": Decimal(statistics.median(prices)).quantize(Decimal("0.001")),
        }
    return out


def price_history(partitions: Mapping[str, Iterable[Mapping[str, Any]]]) -> set[tuple[str, Decimal, str, str | None]]:
    """{(product_id, price, valid_from, valid_to)} of product_price_history."""
    by_product: dict[str, list[tuple[str, Decimal]]] = defaultdict(list)
    for day in sorted(partitions):
        for row in partitions[day]:
            by_product[row["product_id"]].append((day, row["price"]))
    periods = set()
    for product_id, days in by_product.items():
        starts = [(day, price) for i, (day, price) in enumerate(days) if i == 0 or days[i - 1][1] != price]
        for i, (start, price) in enumerate(starts):
            end = starts[i + 1][0] if i + 1 < len(starts) else None
            periods.add((product_id, price, start, end))
    return periods


def current_products(partitions: Mapping[str, Iterable[Mapping[str, Any]]]) -> dict[str, dict[str, Any]]:
    """product_id -> current price, first/last partition seen, whether the latest partition has it."""
    latest = max(partitions)
    out: dict[str, dict[str, Any]] = {}
    for day in sorted(partitions):
        for row in partitions[day]:
            seen = out.setdefault(row["product_id"], {"first_seen_partition": day, "partitions_seen": 0})
            seen.update(current_price=row["price"], last_seen_partition=day, in_latest_partition=day == latest)
            seen["partitions_seen"] += 1
    return out


def load(warehouse: LocalWarehouse, partitions: dict) -> None:
    for day, rows in sorted(partitions.items()):
        warehouse.load_partition(day, rows, RUNS[day])


def summary_rows(warehouse: LocalWarehouse) -> dict[tuple[str, str], tuple]:
    """(partition, category) -> every column of the row, as stored."""
    rows = warehouse.query("SELECT * FROM xetl_marts.daily_category_summary ORDER BY partition_date, category")
    return {(r[0].isoformat(), r[1]): r for r in rows}


def summary_figures(warehouse: LocalWarehouse) -> dict[tuple[str, str], dict]:
    columns = ", ".join(SUMMARY_COLUMNS)
    rows = warehouse.query(f"SELECT partition_date, category, {columns} FROM xetl_marts.daily_category_summary")
    return {(r[0].isoformat(), r[1]): dict(zip(SUMMARY_COLUMNS, r[2:], strict=True)) for r in rows}
