"""xetl.sp_load_products_partition, driven as the DAG drives it: queries/stage_partition.sql (one
transaction of DELETE staging partition; COPY, here: insert the rows), then queries/publish_partition.sql
(the CALL, in its own transaction)."""

from __future__ import annotations

import psycopg
import pytest
from support import MARKER, RUN_A, RUN_B, P, Q, Warehouse, curated, product, products, without


def test_loading_a_partition_publishes_the_staged_rows_and_clears_them_from_staging(warehouse: Warehouse):
    rows = products("P-1", "P-2", "P-3")

    warehouse.load(P, rows)

    published = warehouse.products(P)
    assert curated(published) == curated(rows)
    assert {r["run_id"] for r in published} == {RUN_A}
    assert warehouse.staged(P) == []


def test_the_audit_row_records_counts_status_marker_and_times(warehouse: Warehouse):
    warehouse.load(P, products("P-1", "P-2", "P-3"), rows_quarantined=2, marker=MARKER)

    [run] = warehouse.runs()
    assert without([run], "started_at", "finished_at") == [{
        "run_id": RUN_A,
        "partition_date": product("x")["partition_date"],
        "status": "succeeded",
        "marker": MARKER,
        "rows_read": 5,
        "rows_loaded": 3,
        "rows_quarantined": 2,
        "rows_replaced": 0,
        "error_message": None,
    }]
    assert run["finished_at"] >= run["started_at"]
    # Every row of one load carries the audit row's start time.
    assert {r["loaded_at"] for r in warehouse.products(P)} == {run["started_at"]}


def test_running_the_load_twice_leaves_identical_rows(warehouse: Warehouse):
    rows = products("P-1", "P-2", "P-3")
    warehouse.load(P, rows, run_id=RUN_A)
    first = warehouse.products(P)

    warehouse.load(P, rows, run_id=RUN_A)

    assert without(warehouse.products(P), "loaded_at") == without(first, "loaded_at")
    assert len(warehouse.runs()) == 1  # one audit row per (run_id, partition)


def test_a_rerun_by_another_run_replaces_the_partition_without_duplicates(warehouse: Warehouse):
    warehouse.load(P, products("P-1", "P-2", "P-3"), run_id=RUN_A)

    warehouse.load(P, products("P-1", "P-2", "P-3"), run_id=RUN_B)

    published = warehouse.products(P)
    assert curated(published) == curated(products("P-1", "P-2", "P-3"))
    assert {r["run_id"] for r in published} == {RUN_B}
    assert [(r["run_id"], r["rows_loaded"], r["rows_replaced"]) for r in warehouse.runs()] == [
        (RUN_A, 3, 0),
        (RUN_B, 3, 3),
    ]


def test_a_reload_with_fewer_rows_removes_the_rows_that_disappeared(warehouse: Warehouse):
    warehouse.load(P, products("P-1", "P-2", "P-3"), run_id=RUN_A)

    warehouse.load(P, products("P-2"), run_id=RUN_B)

    assert [r["product_id"] for r in warehouse.products(P)] == ["P-2"]


def test_a_partition_with_no_staged_rows_is_refused_and_the_previous_version_stays(warehouse: Warehouse):
    # An empty or all-quarantined drop must never replace a published partition with nothing.
    warehouse.load(P, products("P-1", "P-2"), run_id=RUN_A)
    before_products, before_runs = warehouse.products(P), warehouse.runs()

    with pytest.raises(psycopg.errors.RaiseException, match="no rows staged for partition 2026-11-21"):
        warehouse.load(P, [], run_id=RUN_B, rows_read=4, rows_quarantined=4)

    assert warehouse.products(P) == before_products
    assert warehouse.runs() == before_runs


def test_loading_partition_p_does_not_touch_partition_q(warehouse: Warehouse):
    warehouse.load(Q, products("Q-1", "Q-2", partition=Q), run_id=RUN_A)
    q_before = warehouse.products(Q)
    q_run_before = [r for r in warehouse.runs() if str(r["partition_date"]) == Q]
    # Rows of Q staged by another, not yet finished load must survive P's load as well.
    warehouse.stage(products("Q-9", partition=Q))

    warehouse.load(P, products("P-1"), run_id=RUN_B)
    warehouse.load(P, products("P-1", "P-2"), run_id=RUN_B)

    assert warehouse.products(Q) == q_before
    assert [r for r in warehouse.runs() if str(r["partition_date"]) == Q] == q_run_before
    assert [r["product_id"] for r in warehouse.staged(Q)] == ["Q-9"]


def test_a_failure_inside_the_procedure_leaves_the_previous_partition_and_audit_untouched(warehouse: Warehouse):
    warehouse.load(P, products("P-1", "P-2"), run_id=RUN_A)
    before_products, before_runs = warehouse.products(P), warehouse.runs()
    # Test-only instrumentation: make the procedure fail after it has deleted the partition.
    warehouse.conn.execute(
        """
        CREATE FUNCTION public.fail_on_poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.product_id = 'POISON' THEN RAISE EXCEPTION 'injected failure'; END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER fail_on_poison BEFORE INSERT ON xetl.products
            FOR EACH ROW EXECUTE FUNCTION public.fail_on_poison();
        """
    )

    with pytest.raises(psycopg.errors.RaiseException, match="injected failure"):
        warehouse.load(P, products("P-1", "P-2", "P-3", "POISON"), run_id=RUN_B)

    assert warehouse.products(P) == before_products
    assert warehouse.runs() == before_runs
    # The publish rolled back; the staged rows stay for inspection until the next stage replaces them.
    assert [r["product_id"] for r in warehouse.staged(P)] == ["P-1", "P-2", "P-3", "POISON"]


def test_a_staged_row_missing_a_required_value_fails_the_load_and_keeps_the_previous_partition(
    warehouse: Warehouse,
):
    warehouse.load(P, products("P-1", "P-2"), run_id=RUN_A)
    before_products, before_runs = warehouse.products(P), warehouse.runs()

    with pytest.raises(psycopg.errors.NotNullViolation, match="product_name"):
        warehouse.load(P, [product("P-1"), product("P-3", product_name=None)], run_id=RUN_B)

    assert warehouse.products(P) == before_products
    assert warehouse.runs() == before_runs


def test_duplicate_keys_in_staging_fail_the_load_with_the_numbers(warehouse: Warehouse):
    warehouse.load(P, products("P-1"), run_id=RUN_A)
    before = warehouse.products(P)

    with pytest.raises(psycopg.errors.RaiseException, match=r"2 product_id values occur more than once.*P-1"):
        warehouse.load(P, products("P-1", "P-1", "P-2", "P-2", "P-3"), run_id=RUN_B)

    assert warehouse.products(P) == before


def test_rows_that_do_not_reconcile_with_the_manifest_fail_the_load(warehouse: Warehouse):
    warehouse.load(P, products("P-1"), run_id=RUN_A)
    before = warehouse.products(P)

    with pytest.raises(
        psycopg.errors.RaiseException, match=r"rows_read 10 <> rows_loaded 3 \+ rows_quarantined 2"
    ):
        warehouse.load(P, products("P-1", "P-2", "P-3"), run_id=RUN_B, rows_read=10, rows_quarantined=2)

    assert warehouse.products(P) == before


def test_the_contract_signature_loads_without_manifest_counts_or_marker(warehouse: Warehouse):
    warehouse.stage(products("P-1", "P-2"))

    warehouse.run_redshift(f"CALL xetl.sp_load_products_partition('{P}'::DATE, '{RUN_A}')")

    assert [r["product_id"] for r in warehouse.products(P)] == ["P-1", "P-2"]
    [run] = warehouse.runs()
    assert (run["status"], run["rows_loaded"], run["rows_read"], run["rows_quarantined"], run["marker"]) == (
        "succeeded", 2, None, None, None,
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("NULL::DATE, 'run-1', NULL::BIGINT, NULL::BIGINT, NULL::VARCHAR", "partition_date and run_id are required"),
        (f"'{P}'::DATE, '', NULL::BIGINT, NULL::BIGINT, NULL::VARCHAR", "partition_date and run_id are required"),
        (f"'{P}'::DATE, 'run-1', 5::BIGINT, NULL::BIGINT, NULL::VARCHAR", "together, or neither"),
        (f"'{P}'::DATE, 'run-1', -1::BIGINT, 0::BIGINT, NULL::VARCHAR", "cannot be negative"),
    ],
)
def test_the_procedure_refuses_invalid_arguments(warehouse: Warehouse, arguments: str, message: str):
    with pytest.raises(psycopg.errors.RaiseException, match=message):
        warehouse.run_redshift(f"CALL xetl.sp_load_products_partition({arguments})")
    assert warehouse.runs() == []


def test_a_recorded_failure_is_replaced_by_a_later_successful_attempt_of_the_same_run(warehouse: Warehouse):
    warehouse.run_template(
        "record_run_failure", partition=P, run_id=RUN_A, marker=MARKER, error_message="COPY failed: 'access denied'"
    )
    [failed] = warehouse.runs()
    assert (failed["status"], failed["error_message"], failed["marker"]) == (
        "failed", "COPY failed: 'access denied'", MARKER,
    )

    warehouse.load(P, products("P-1"), run_id=RUN_A)

    [run] = warehouse.runs()
    assert (run["status"], run["error_message"], run["rows_loaded"]) == ("succeeded", None, 1)


def test_a_failure_after_a_successful_load_marks_the_run_failed_and_keeps_its_counts(warehouse: Warehouse):
    warehouse.load(P, products("P-1", "P-2"), run_id=RUN_A)

    warehouse.run_template(
        "record_run_failure", partition=P, run_id=RUN_A, marker=None, error_message="UNLOAD failed"
    )
    warehouse.run_template(
        "record_run_failure", partition=P, run_id=RUN_A, marker=None, error_message="UNLOAD failed again"
    )

    [run] = warehouse.runs()
    assert (run["status"], run["error_message"], run["rows_loaded"], run["marker"]) == (
        "failed", "UNLOAD failed again", 2, MARKER,
    )
