"""The query renderer: whole-literal placeholders, validated parameters, no way to inject SQL."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from support import COPY_ROLE, MARKER, RUN_A, STAGING_BUCKET, P
from xetl_sql import render
from xetl_sql.render import RenderError
from xetl_sql.sqltext import strip_comments

ROLE_B = "arn:aws:iam::222222222222:role/xetl-dev-redshift-unload"
ROLE_A = "arn:aws:iam::111111111111:role/xetl-dev-target-writer"
KMS_KEY = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def stage(**overrides: object) -> list[str]:
    params: dict[str, object] = {"partition": P, "staging_bucket": STAGING_BUCKET, "copy_role_arn": COPY_ROLE}
    params.update(overrides)
    return [strip_comments(s).strip() for s in render.render_statements("stage_partition", **params)]


def publish(**overrides: object) -> str:
    params: dict[str, object] = {
        "partition": P, "run_id": RUN_A, "rows_read": 1000, "rows_quarantined": 43, "marker": MARKER,
    }
    params.update(overrides)
    [statement] = render.render_statements("publish_partition", **params)
    return strip_comments(statement).strip()


def unload(**overrides: object) -> str:
    params: dict[str, object] = {
        "partition": P, "target_bucket": "xetl-dev-target-111111111111", "target_prefix": "products",
        "unload_role_chain": f"{ROLE_B},{ROLE_A}", "target_kms_key_arn": KMS_KEY,
    }
    params.update(overrides)
    [statement] = render.render_statements("unload_partition", **params)
    return strip_comments(statement).strip()


def test_staging_renders_as_delete_then_copy_and_publishing_as_the_call():
    delete, copy = stage()
    call = publish()

    assert delete.startswith("DELETE FROM xetl.products_staging") and "CAST('2026-11-21' AS DATE)" in delete
    assert copy.startswith("COPY xetl.products_staging")
    assert (
        "FROM 's3://xetl-dev-staging-222222222222/curated/products/year=2026/month=11/day=21/'" in copy
    )
    assert f"IAM_ROLE '{COPY_ROLE}'" in copy and "FORMAT AS PARQUET" in copy
    assert call.startswith("CALL xetl.sp_load_products_partition(")
    assert f"'{RUN_A}'" in call and "CAST(1000 AS BIGINT)" in call and f"CAST('{MARKER}' AS VARCHAR)" in call


def test_a_run_without_a_marker_passes_null():
    assert "CAST(NULL AS VARCHAR)" in publish(marker=None)


def test_a_partition_may_be_given_as_a_date():
    assert stage(partition=dt.date(2026, 11, 21)) == stage()
    assert publish(partition=dt.date(2026, 11, 21)) == publish()


def test_the_unload_quotes_the_partition_inside_its_query_and_chains_the_roles():
    statement = unload()

    assert "WHERE partition_date = CAST(''2026-11-21'' AS DATE)" in statement
    assert "TO 's3://xetl-dev-target-111111111111/products/year=2026/month=11/day=21/part_'" in statement
    assert f"IAM_ROLE '{ROLE_B},{ROLE_A}'" in statement
    assert "FORMAT AS PARQUET" in statement and "CLEANPATH" in statement
    assert f"KMS_KEY_ID '{KMS_KEY}'" in statement and statement.endswith("ENCRYPTED")


def test_every_unload_writes_through_the_one_shared_clause():
    """Both unload templates include partials/unload_to_target.sql: the same target folder, role
    chain, CLEANPATH and key, whatever they select."""
    params = {
        "partition": P, "target_bucket": "xetl-dev-target-111111111111", "target_prefix": "products",
        "unload_role_chain": f"{ROLE_B},{ROLE_A}", "target_kms_key_arn": KMS_KEY,
    }
    tails = set()
    for name in ("unload_partition", "unload_daily_category_summary"):
        [statement] = render.render_statements(name, **params)
        text = strip_comments(statement).strip()
        tails.add(text[text.index("TO 's3://"):])
    assert len(tails) == 1
    assert "CLEANPATH" in next(iter(tails)) and f"KMS_KEY_ID '{KMS_KEY}'" in next(iter(tails))


def test_an_include_of_a_missing_partial_is_refused(tmp_path):
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "broken.sql").write_text("SELECT 1\n-- xetl:include nowhere\n")
    with pytest.raises(RenderError, match="includes 'nowhere', but queries/partials/nowhere.sql does not exist"):
        render.template_text("broken", root=tmp_path)


def test_a_role_chain_may_be_given_as_a_list():
    assert unload(unload_role_chain=[ROLE_B, ROLE_A]) == unload()


@pytest.mark.parametrize(
    "partition",
    ["2026-1-21", "2026-02-30", "21-11-2026", "2026/11/21", "2026-11-21 ", "2026-11-21'; DROP TABLE x; --", "",
     None, 20261121, dt.datetime(2026, 11, 21, 10, 0)],
)
def test_a_malformed_partition_is_refused(partition: object):
    with pytest.raises(RenderError, match="partition"):
        stage(partition=partition)
    with pytest.raises(RenderError, match="partition"):
        publish(partition=partition)


@pytest.mark.parametrize(
    "role",
    [
        "arn:aws:iam::22222222222:role/short-account",
        "arn:aws:s3:::xetl-bucket",
        "arn:aws:iam::222222222222:user/someone",
        "arn:aws:iam::222222222222:role/x' IAM_ROLE 'arn:aws:iam::999999999999:role/evil",
        "arn:aws:iam::222222222222:role/with space",
        "arn:aws:iam::222222222222:role/with,comma",
        "",
    ],
)
def test_a_malformed_copy_role_is_refused(role: str):
    with pytest.raises(RenderError, match="copy_role_arn"):
        stage(copy_role_arn=role)


@pytest.mark.parametrize(
    "chain",
    [
        f"{ROLE_B}, {ROLE_A}",
        f"{ROLE_B},",
        ",".join([ROLE_B] * 11),
        f"{ROLE_B};{ROLE_A}",
        f"{ROLE_B},arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    ],
)
def test_a_malformed_role_chain_is_refused(chain: str):
    with pytest.raises(RenderError, match="unload_role_chain"):
        unload(unload_role_chain=chain)


@pytest.mark.parametrize(
    "key",
    [
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:eu-west-1:111111111111:alias/xetl-target",
        "arn:aws:kms:eu-west-1:111111111111:key/not-a-key-id",
        KMS_KEY + "' ENCRYPTED --",
    ],
)
def test_a_malformed_kms_key_is_refused(key: str):
    with pytest.raises(RenderError, match="target_kms_key_arn"):
        unload(target_kms_key_arn=key)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("staging_bucket", "Xetl_Staging"),
        ("staging_bucket", "xetl..staging"),
        ("staging_bucket", "xetl-staging/curated"),
        ("run_id", "manual__2026-11-21'); DROP TABLE xetl.products; --"),
        ("run_id", "run id with spaces"),
        ("run_id", "x" * 251),
        ("marker", "s3://bucket/key'--"),
        ("marker", "https://bucket/key"),
        ("marker", "s3://bucket/"),
        ("rows_read", -1),
        ("rows_read", "1000"),
        ("rows_read", True),
        ("rows_quarantined", 2**63),
    ],
)
def test_a_malformed_parameter_is_refused_with_its_name(name: str, value: object):
    with pytest.raises(RenderError, match=name):
        (stage if name == "staging_bucket" else publish)(**{name: value})


@pytest.mark.parametrize(
    "run_id",
    ["manual__2026-11-21T10:00:00+00:00", "scheduled__2026-11-21T01:00:00+00:00",
     "event__2026-11-21__0123456789abcdef", "backfill__2026-11-21T01:00:00+00:00", "_leading-underscore", "x" * 250],
)
def test_every_run_id_airflow_accepts_is_accepted(run_id: str):
    # One validator for run ids: Airflow's default allowed_run_id_pattern, at most 250 characters.
    assert f"'{run_id}'" in publish(run_id=run_id)


def test_a_target_prefix_cannot_escape_its_folder():
    for prefix in ("products/../other", "/products", "products/", "prod'ucts"):
        with pytest.raises(RenderError, match="target_prefix"):
            unload(target_prefix=prefix)


def test_a_table_outside_the_allow_list_is_refused():
    with pytest.raises(RenderError, match="table"):
        render.render("dq_key_uniqueness", table="xetl.products; DROP TABLE xetl.products", partition=P)


def test_missing_and_unexpected_parameters_are_named():
    with pytest.raises(RenderError, match="missing rows_quarantined; unexpected rows_curated"):
        render.render(
            "dq_row_count_reconciliation", table="xetl.products", partition=P, rows_read=1, rows_curated=1
        )


def test_free_text_is_sanitised_into_one_safe_literal():
    message = "COPY failed:\n  it's {{ broken }} C:\\path " + "x" * 2000
    [update, _insert] = render.render_statements(
        "record_run_failure", partition=P, run_id=RUN_A, marker=None, error_message=message
    )
    literal = update.split("error_message = ", 1)[1].split(",\n", 1)[0]
    assert literal.startswith("'COPY failed: it''s (( broken )) C:/path xxx")
    assert literal.endswith("...'") and len(literal) <= render.ERROR_MESSAGE_LIMIT + 2 + 1
    assert "\n" not in literal and "{" not in literal and "\\" not in literal


def test_a_quoted_placeholder_is_refused_because_values_render_as_whole_literals():
    with pytest.raises(RenderError, match="quoted placeholder"):
        render.render_text("SELECT * FROM t WHERE d = '{{ partition }}'", {"partition": P})


def test_a_placeholder_in_a_comment_is_refused():
    with pytest.raises(RenderError, match="line comment"):
        render.render_text("-- for {{ partition }}\nSELECT 1", {"partition": P})


def test_an_undeclared_placeholder_is_refused():
    with pytest.raises(RenderError, match="unknown placeholder"):
        render.render_text("SELECT {{ password }}", {})


def test_no_rendered_template_leaves_anything_for_airflow_to_template_again():
    for name in render.template_names():
        rendered = render.render(name, **render.example_parameters(name))
        assert "{{" not in rendered and "{%" not in rendered and "{#" not in rendered, name


def test_the_shipped_package_imports_with_the_standard_library_alone():
    # xetl_sql ships to MWAA beside the DAGs: every module must import in a bare interpreter
    # (-S: no site-packages at all), and load its templates from inside the package.
    sql_folder = Path(render.__file__).resolve().parent.parent
    modules = sorted(p.stem for p in (sql_folder / "xetl_sql").glob("*.py") if p.stem != "__init__")
    probe = (
        f"import sys; sys.path.insert(0, {str(sql_folder)!r}); "
        + "; ".join(f"import xetl_sql.{m}" for m in modules)
        + "; from xetl_sql import render; print(len(render.template_names()))"
    )
    result = subprocess.run([sys.executable, "-S", "-c", probe], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == len(list((sql_folder / "xetl_sql" / "queries").glob("*.sql"))) > 0
