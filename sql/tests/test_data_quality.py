"""The data-quality queries: one row each, passed or not, with the numbers a failure message needs."""

from __future__ import annotations

import pytest
from support import CURATED_COLUMNS, P, Q, Warehouse, product, products

REQUIRED_COLUMNS = tuple(c for c in CURATED_COLUMNS if c not in ("category", "partition_date"))


def test_every_check_passes_on_a_good_load(warehouse: Warehouse):
    warehouse.load(P, products("P-1", "P-2", "P-3"), rows_quarantined=2)

    reconciliation = warehouse.check(
        "dq_row_count_reconciliation", table="xetl.products", partition=P, rows_read=5, rows_quarantined=2
    )
    uniqueness = warehouse.check("dq_key_uniqueness", table="xetl.products", partition=P)
    not_null = warehouse.check("dq_required_not_null", table="xetl.products", partition=P)

    assert [reconciliation["passed"], uniqueness["passed"], not_null["passed"]] == [True, True, True]
    assert (reconciliation["rows_read"], reconciliation["rows_loaded"], reconciliation["rows_quarantined"]) == (5, 3, 2)
    assert (uniqueness["rows_checked"], uniqueness["distinct_keys"], uniqueness["duplicated_keys"]) == (3, 3, 0)
    assert (not_null["rows_checked"], not_null["rows_with_nulls"]) == (3, 0)
    assert reconciliation["detail"] == (
        "row_count_reconciliation passed for partition 2026-11-21 in xetl.products: "
        "rows_read 5, rows_loaded 3, rows_quarantined 2, unaccounted 0"
    )


def test_a_count_mismatch_fails_with_the_manifest_and_table_numbers(warehouse: Warehouse):
    warehouse.load(P, products("P-1", "P-2", "P-3"), rows_quarantined=2)

    result = warehouse.check(
        "dq_row_count_reconciliation", table="xetl.products", partition=P, rows_read=10, rows_quarantined=2
    )

    assert result["passed"] is False
    assert (result["rows_read"], result["rows_loaded"], result["rows_quarantined"], result["rows_unaccounted"]) == (
        10, 3, 2, 5,
    )
    assert result["detail"] == (
        "row_count_reconciliation FAILED for partition 2026-11-21 in xetl.products: "
        "rows_read 10, rows_loaded 3, rows_quarantined 2, unaccounted 5"
    )


def test_duplicate_keys_fail_with_how_many_keys_and_rows_and_an_example(warehouse: Warehouse):
    # Possible in Redshift, which does not enforce primary keys (e.g. after a manual INSERT): P-1 and
    # P-2 twice each, P-3 once.
    warehouse.stage(products("P-1", "P-2", "P-3"))
    warehouse.conn.execute(
        """
        INSERT INTO xetl.products (product_id, product_name, category, price, quantity, updated_at,
                                   source_file, partition_date, run_id)
        SELECT product_id, product_name, category, price, quantity, updated_at, source_file, partition_date, 'manual'
        FROM xetl.products_staging, generate_series(1, 2) AS copies(n)
        WHERE product_id <> 'P-3' OR n = 1
        """
    )

    result = warehouse.check("dq_key_uniqueness", table="xetl.products", partition=P)

    assert result["passed"] is False
    assert (
        result["rows_checked"], result["distinct_keys"], result["duplicated_keys"], result["surplus_rows"],
        result["example_key"],
    ) == (5, 3, 2, 2, "P-1")
    assert result["detail"] == (
        "key_uniqueness FAILED for partition 2026-11-21 in xetl.products: "
        "2 duplicated keys (2 surplus rows) among 5 rows, for example P-1"
    )


def test_nulls_in_required_columns_fail_with_a_count_per_column(warehouse: Warehouse):
    warehouse.stage(
        [
            product("P-1"),
            product("P-2", product_name=None, price=None),
            product(None),
            product("P-4", category=None),  # optional: not a failure
        ]
    )

    result = warehouse.check("dq_required_not_null", table="xetl.products_staging", partition=P)

    assert result["passed"] is False
    assert (result["rows_checked"], result["rows_with_nulls"]) == (4, 2)
    assert (
        result["null_product_id"], result["null_product_name"], result["null_price"], result["null_quantity"],
        result["null_updated_at"], result["null_source_file"],
    ) == (1, 1, 1, 0, 0, 0)
    assert result["detail"] == (
        "required_not_null FAILED for partition 2026-11-21 in xetl.products_staging: 2 of 4 rows have a NULL "
        "required column (product_id 1, product_name 1, price 1, quantity 0, updated_at 0, source_file 0)"
    )


@pytest.mark.parametrize("column", REQUIRED_COLUMNS)
def test_a_null_in_any_single_required_column_fails_the_check(warehouse: Warehouse, column: str):
    broken = product("P-2")
    broken[column] = None
    warehouse.stage([product("P-1"), broken])

    result = warehouse.check("dq_required_not_null", table="xetl.products_staging", partition=P)

    assert (result["passed"], result["rows_with_nulls"], result[f"null_{column}"]) == (False, 1, 1)
    assert sum(result[f"null_{other}"] for other in REQUIRED_COLUMNS) == 1


def test_the_checks_look_only_at_their_own_partition(warehouse: Warehouse):
    warehouse.stage(products("Q-1", "Q-1", partition=Q) + [product(None, partition=Q)] + products("P-1"))

    uniqueness = warehouse.check("dq_key_uniqueness", table="xetl.products_staging", partition=P)
    not_null = warehouse.check("dq_required_not_null", table="xetl.products_staging", partition=P)
    reconciliation = warehouse.check(
        "dq_row_count_reconciliation", table="xetl.products_staging", partition=P, rows_read=1, rows_quarantined=0
    )

    assert (uniqueness["passed"], not_null["passed"], reconciliation["passed"]) == (True, True, True)


def test_the_checks_return_one_row_for_an_empty_partition(warehouse: Warehouse):
    uniqueness = warehouse.check("dq_key_uniqueness", table="xetl.products", partition=P)
    not_null = warehouse.check("dq_required_not_null", table="xetl.products", partition=P)
    all_quarantined = warehouse.check(
        "dq_row_count_reconciliation", table="xetl.products", partition=P, rows_read=4, rows_quarantined=4
    )
    nothing_loaded = warehouse.check(
        "dq_row_count_reconciliation", table="xetl.products", partition=P, rows_read=4, rows_quarantined=1
    )

    assert (uniqueness["passed"], uniqueness["rows_checked"], uniqueness["example_key"]) == (True, 0, None)
    assert (not_null["passed"], not_null["rows_checked"]) == (True, 0)
    assert all_quarantined["passed"] is True
    assert (nothing_loaded["passed"], nothing_loaded["rows_unaccounted"]) == (False, 3)
