"""The dbt models (sql/dbt) as Airflow tasks: a Cosmos ``DbtTaskGroup`` with one task per model.

Called inside ``with DAG(...)``, after the quality gate and before the unload::

    from xetl_tasks.dbt import DbtSettings, add_dbt_task_group

    transform_with_dbt = add_dbt_task_group(DbtSettings.from_env())
    check_data_quality >> transform_with_dbt >> unload_to_target

What the group does (docs/dbt.md):

* **One task per model**, ``dbt build --select <model>``: the model, then its tests (and unit
  tests); a failing test fails that task, and every task downstream of it ends upstream_failed,
  so nothing after it publishes. Tests that read two models (relationships, the singular tests)
  run in their own tasks once both models are built (Cosmos ``should_detach_multiple_parents_tests``).
* **Parse time**: the graph comes from the pre-built ``target/manifest.json`` inside the shipped
  project (``LoadMode.DBT_MANIFEST``; built by ``nx run dbt:package``), so parsing the DAG file
  runs no dbt command and reads one JSON file.
* **Partition**: every dbt command gets ``--vars {"partition": "<the run's partition>"}``, the
  same ``xetl_partition()`` template the other tasks render, so the incremental marts replace
  exactly the run's partition.
* **Where dbt runs**: dbt lives in its own virtual environment (its pins conflict with Airflow's
  constraints); Cosmos runs its ``dbt`` executable as a subprocess (``ExecutionMode.LOCAL``,
  ``InvocationMode.SUBPROCESS``). On MWAA the startup script builds it from the wheels shipped in
  plugins.zip.
* **Profile**: ``warehouse="redshift"`` (AWS) uses the project's ``profiles.yml`` target
  ``redshift`` with IAM authentication (the worker's role, no password anywhere); its host, port,
  database and region are rendered from the ``xetl_pipeline`` variable that every other task reads.
  ``warehouse="postgres"`` (the local stand-in) builds the profile from the Airflow connection
  ``xetl_warehouse`` (Cosmos's Postgres user/password mapping).

The docs site: ``add_dbt_docs_task`` adds ``dbt docs generate`` with the same settings and uploads
the static site (index.html, manifest.json, catalog.json) to a bucket prefix (docs/dbt.md, "Docs").

Import cost: Cosmos is imported only inside ``add_dbt_task_group`` and ``add_dbt_docs_task``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xetl_tasks.templates import PARTITION, var

if TYPE_CHECKING:
    from airflow.sdk import BaseOperator, TaskGroup

GROUP_ID = "transform_with_dbt"
DOCS_TASK_ID = "publish_dbt_docs"
PROFILE_NAME = "xetl"  # profiles.yml and dbt_project.yml
MARTS_SCHEMA = "xetl_marts"
# The local warehouse (PostgreSQL) connection; on AWS no connection is needed (IAM + the variable).
LOCAL_WAREHOUSE_CONN_ID = "xetl_warehouse"
WAREHOUSES = ("redshift", "postgres")

# Environment variables that configure the group (read once per parse; no I/O).
PROJECT_DIR_ENV = "XETL_DBT_PROJECT_DIR"
EXECUTABLE_ENV = "XETL_DBT_EXECUTABLE"
WAREHOUSE_ENV = "XETL_DBT_WAREHOUSE"

# Defaults for MWAA: the packaged project is uploaded beside the DAGs (dags/dbt/), and the startup
# script builds dbt's virtual environment under AIRFLOW_HOME.
DEFAULT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt"
DEFAULT_DBT_EXECUTABLE = "/usr/local/airflow/dbt-venv/bin/dbt"
MANIFEST = Path("target") / "manifest.json"

# profiles.yml's redshift target reads these; each is rendered from the xetl_pipeline variable.
REDSHIFT_PROFILE_ENV = {
    "XETL_DBT_REDSHIFT_HOST": var("redshift_endpoint"),
    "XETL_DBT_REDSHIFT_PORT": var("redshift_port"),
    "XETL_DBT_REDSHIFT_DATABASE": var("redshift_database"),
    "XETL_DBT_REDSHIFT_REGION": var("region"),
}


class DbtConfigError(ValueError):
    """The dbt settings are unusable (unknown warehouse, no project or manifest where expected)."""


@dataclass(frozen=True)
class DbtSettings:
    """Where the dbt project and executable are, and which warehouse profile to use."""

    project_dir: Path = DEFAULT_PROJECT_DIR
    dbt_executable: str = DEFAULT_DBT_EXECUTABLE
    warehouse: str = "redshift"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DbtSettings:
        """Settings from ``XETL_DBT_PROJECT_DIR``, ``XETL_DBT_EXECUTABLE`` and ``XETL_DBT_WAREHOUSE``
        (``redshift`` or ``postgres``), each defaulting to what MWAA has."""
        env = os.environ if environ is None else environ
        return cls(
            project_dir=Path(env.get(PROJECT_DIR_ENV) or DEFAULT_PROJECT_DIR),
            dbt_executable=env.get(EXECUTABLE_ENV) or DEFAULT_DBT_EXECUTABLE,
            warehouse=(env.get(WAREHOUSE_ENV) or "redshift").strip().lower(),
        )

    @property
    def manifest_path(self) -> Path:
        return self.project_dir / MANIFEST

    def check(self) -> None:
        """Raise DbtConfigError with the fix when the settings cannot work."""
        if self.warehouse not in WAREHOUSES:
            raise DbtConfigError(f"{WAREHOUSE_ENV}={self.warehouse!r} is not a known warehouse; expected one of {WAREHOUSES}")
        if not (self.project_dir / "dbt_project.yml").is_file():
            raise DbtConfigError(
                f"no dbt project at {self.project_dir} (dbt_project.yml missing); ship the packaged project "
                f"(nx run dbt:package) there or point {PROJECT_DIR_ENV} at it"
            )
        if not self.manifest_path.is_file():
            raise DbtConfigError(
                f"no pre-built manifest at {self.manifest_path}; build it with `nx run dbt:package` "
                "(the DAG reads it instead of running dbt at parse time)"
            )


def _profile_config(settings: DbtSettings) -> Any:
    from cosmos import ProfileConfig

    if settings.warehouse == "redshift":
        return ProfileConfig(
            profile_name=PROFILE_NAME,
            target_name="redshift",
            profiles_yml_filepath=settings.project_dir / "profiles.yml",
        )
    from cosmos.profiles import PostgresUserPasswordProfileMapping

    return ProfileConfig(
        profile_name=PROFILE_NAME,
        target_name="postgres",
        profile_mapping=PostgresUserPasswordProfileMapping(
            conn_id=LOCAL_WAREHOUSE_CONN_ID, profile_args={"schema": MARTS_SCHEMA}
        ),
    )


def profile_env(settings: DbtSettings) -> dict[str, str]:
    """Environment of every dbt command: the profiles.yml target, and for Redshift its connection
    values as templates of the ``xetl_pipeline`` variable (rendered when the task runs)."""
    env = {"XETL_DBT_TARGET": settings.warehouse}
    if settings.warehouse == "redshift":
        env.update(REDSHIFT_PROFILE_ENV)
    return env


def operator_args() -> dict[str, Any]:
    """Arguments every dbt task gets: the partition var, the worker's environment, no retries."""
    return {
        "vars": {"partition": PARTITION},
        # Keep the worker's environment (PATH, AWS credentials of the execution role) under ours.
        "append_env": True,
        # A dbt failure is a failed test or a SQL error: retrying repeats it minutes later. Network
        # blips on connect are retried by dbt-redshift itself (profiles.yml `retries`).
        "retries": 0,
    }


def add_dbt_task_group(settings: DbtSettings | None = None, *, group_id: str = GROUP_ID) -> TaskGroup:
    """Add the dbt task group to the DAG being defined and return it (to chain with ``>>``)."""
    from cosmos import DbtTaskGroup, ExecutionConfig, ProjectConfig, RenderConfig
    from cosmos.constants import ExecutionMode, InvocationMode, LoadMode, TestBehavior

    chosen = settings or DbtSettings.from_env()
    chosen.check()
    return DbtTaskGroup(
        group_id=group_id,
        project_config=ProjectConfig(
            dbt_project_path=chosen.project_dir,
            manifest_path=chosen.manifest_path,
            project_name=PROFILE_NAME,
            env_vars=profile_env(chosen),
            # The project has no packages; MWAA could not download them anyway.
            install_dbt_deps=False,
        ),
        profile_config=_profile_config(chosen),
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.LOCAL,
            invocation_mode=InvocationMode.SUBPROCESS,
            dbt_executable_path=chosen.dbt_executable,
        ),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            test_behavior=TestBehavior.BUILD,
            should_detach_multiple_parents_tests=True,
            # No Airflow assets per model: nothing consumes them, and emitting them needs lineage
            # extraction on every task.
            emit_datasets=False,
            enable_mock_profile=False,
        ),
        operator_args=operator_args(),
    )


def add_dbt_docs_task(
    settings: DbtSettings | None = None, *, bucket: str, prefix: str, conn_id: str, task_id: str = DOCS_TASK_ID
) -> BaseOperator:
    """Add ``dbt docs generate`` + upload of the site to ``s3://<bucket>/<prefix>`` (``bucket`` may be a template).

    Same project, profile, executable, environment and partition var as the task group, so the
    catalog describes the tables the run just built; no retries, like the group's tasks.
    """
    from cosmos.constants import InvocationMode

    from xetl_tasks.dbt_docs import PublishDbtDocsOperator

    chosen = settings or DbtSettings.from_env()
    chosen.check()
    return PublishDbtDocsOperator(
        task_id=task_id,
        project_dir=str(chosen.project_dir),
        profile_config=_profile_config(chosen),
        dbt_executable_path=chosen.dbt_executable,
        invocation_mode=InvocationMode.SUBPROCESS,
        install_deps=False,
        env=profile_env(chosen),
        connection_id=conn_id,
        bucket_name=bucket,
        # Cosmos joins folder and file name with "/".
        folder_dir=prefix.strip("/"),
        **operator_args(),
    )
