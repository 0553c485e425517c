"""Test session set-up for dags/: a throw-away Airflow home, the test `xetl_pipeline` variable and
the dags folder on sys.path, all fixed before anything imports Airflow (its settings are read at
import time).

Most tests need no metadata database: DagBag parsing and the Task SDK's template rendering (the
path a worker takes) run without one; the backfill test (test_backfill_serialised.py) runs real
Airflow processes on its own PostgreSQL. AWS calls go only to moto, in-process; every other AWS call is
pointed at a closed loopback port so that a test can never reach a real endpoint by mistake.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

DAGS_DIR = Path(__file__).resolve().parents[1]
_AIRFLOW_HOME = tempfile.mkdtemp(prefix="xetl-dags-tests-airflow-home-")

sys.path.insert(0, str(DAGS_DIR))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from support import LOOPBACK_DEAD_ENDPOINT, TEST_PIPELINE  # noqa: E402

os.environ.update(
    {
        "AIRFLOW_HOME": _AIRFLOW_HOME,
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "AIRFLOW_VAR_XETL_PIPELINE": json.dumps(TEST_PIPELINE),
        # The hooks' connection: no credentials of its own, region from the extra.
        "AIRFLOW_CONN_AWS_DEFAULT": json.dumps({"conn_type": "aws", "extra": {"region_name": "eu-west-1"}}),
        # Fake credentials (moto accepts any) and a dead loopback endpoint for anything unmocked.
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ENDPOINT_URL": LOOPBACK_DEAD_ENDPOINT,
        "AWS_CONFIG_FILE": os.path.join(_AIRFLOW_HOME, "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(_AIRFLOW_HOME, "aws-credentials"),
        # The packaged dbt project with its manifest (nx run dbt:package; MWAA has it at dags/dbt).
        "XETL_DBT_PROJECT_DIR": str(DAGS_DIR.parent / "dist" / "dbt" / "project"),
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
    }
)
# The suite tests the default (AWS) targets unless a test selects another one itself.
os.environ.pop("XETL_TARGET", None)


def pytest_configure(config: pytest.Config) -> None:
    # botocore 1.39 (pinned by the constraints) still calls utcnow(); not ours to fix.
    config.addinivalue_line("filterwarnings", "ignore:datetime.datetime.utcnow:DeprecationWarning:botocore")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_AIRFLOW_HOME, ignore_errors=True)


@pytest.fixture
def moto_aws(monkeypatch: pytest.MonkeyPatch):
    """moto's in-process AWS (no network at all); the dead-endpoint override is lifted for it."""
    from moto import mock_aws

    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield
