"""The offline MWAA bundle (dist/mwaa, built by `nx run dbt:package`, which this target depends on):
it is deterministic, and it installs with no index into a clean copy of an MWAA-like environment,
exactly as MWAA runs it: dags/requirements.txt for the Airflow side, startup.sh for dbt's own
environment. pip's index points at a dead loopback port and the machine's pip configuration is
ignored, so nothing can come from anywhere but plugins.zip."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from xetl_dbt import mwaa_bundle
from xetl_dbt.package import DEFAULT_OUT as PACKAGED_PROJECT
from xetl_dbt.warehouse import REPO_ROOT

BUNDLE = mwaa_bundle.DEFAULT_OUT
OFFLINE_PIP = {"PIP_CONFIG_FILE": os.devnull, "PIP_INDEX_URL": "http://127.0.0.1:9/simple", "PIP_NO_COLOR": "1"}


def run(command: list[str], env: dict[str, str] | None = None, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(command, env={**os.environ, **OFFLINE_PIP, **(env or {})}, capture_output=True, text=True,
                          timeout=timeout, check=False)  # fmt: skip
    assert proc.returncode == 0, f"{' '.join(command)} exited {proc.returncode}:\n{(proc.stdout + proc.stderr)[-4000:]}"
    return proc


@pytest.fixture(scope="module")
def plugins_zip() -> Path:
    path = BUNDLE / "plugins.zip"
    if not path.is_file():
        pytest.fail(f"{path} is missing: build it with `nx run dbt:package` (the test target depends on it)")
    return path


@pytest.fixture(scope="module")
def mwaa_home(plugins_zip: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An AIRFLOW_HOME laid out as MWAA lays it out: plugins.zip unpacked into plugins/, the DAGs
    folder's requirements and constraints files in dags/."""
    home = tmp_path_factory.mktemp("mwaa") / "airflow"
    with zipfile.ZipFile(plugins_zip) as archive:
        archive.extractall(home / "plugins")
    (home / "dags").mkdir()
    shutil.copy2(REPO_ROOT / "dags" / "constraints-3.0.6-3.12.txt", home / "dags")
    # The shipped requirements file, with MWAA's home mapped to this one; nothing else changes.
    text = (REPO_ROOT / "dags" / "requirements.txt").read_text()
    (home / "dags" / "requirements.txt").write_text(text.replace(mwaa_bundle.MWAA_AIRFLOW_HOME, str(home)))
    return home


def test_the_bundle_is_deterministic_and_holds_both_wheel_sets_and_the_dbt_lock(plugins_zip, tmp_path):
    rebuilt = mwaa_bundle.build(tmp_path / "out")
    assert rebuilt.read_bytes() == plugins_zip.read_bytes()
    names = zipfile.ZipFile(plugins_zip).namelist()
    assert names == sorted(names)
    assert any(n.startswith("wheels/airflow/astronomer_cosmos-1.15.1-") for n in names)
    assert any(n.startswith("wheels/dbt/dbt_core-1.11.16-") for n in names)
    assert "dbt/requirements.txt" in names
    assert (BUNDLE / "startup.sh").read_bytes() == mwaa_bundle.STARTUP_SCRIPT.read_bytes()


def test_dags_requirements_install_offline_into_a_clean_mwaa_like_environment(mwaa_home, tmp_path):
    image = mwaa_bundle.image_environment(mwaa_bundle.DEFAULT_CACHE)
    venv = tmp_path / "mwaa-python"
    shutil.copytree(image, venv, symlinks=True)  # a clean copy: the cached stand-in is never changed
    python = str(venv / "bin" / "python")

    run([python, "-m", "pip", "install", "--disable-pip-version-check", "-r", str(mwaa_home / "dags" / "requirements.txt")])

    run([python, "-m", "pip", "check"])
    freeze = run([python, "-m", "pip", "freeze"]).stdout
    assert "astronomer-cosmos==1.15.1" in freeze and "apache-airflow==3.0.6" in freeze
    # The installed Cosmos renders the shipped project's task group in that environment.
    dag_file = tmp_path / "dag_with_dbt.py"
    dag_file.write_text(
        textwrap.dedent(
            """
            import pendulum
            from airflow.sdk import DAG
            from xetl_tasks.dbt import DbtSettings, add_dbt_task_group
            from xetl_tasks.templates import macros

            with DAG(dag_id="bundle_check", schedule=None, start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
                     user_defined_macros=macros()):
                add_dbt_task_group(DbtSettings.from_env())
            """
        )
    )
    probe = (
        "from airflow.models.dagbag import DagBag; "
        f"bag = DagBag(dag_folder={str(dag_file)!r}, include_examples=False); "
        "assert not bag.import_errors, bag.import_errors; "
        "print(len(bag.dags['bundle_check'].tasks))"
    )
    env = {
        "AIRFLOW_HOME": str(tmp_path / "airflow-home"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "XETL_DBT_PROJECT_DIR": str(PACKAGED_PROJECT),
        # MWAA puts its dags folder on sys.path; xetl_tasks and xetl_sql ship in it.
        "PYTHONPATH": os.pathsep.join((str(REPO_ROOT / "dags"), str(REPO_ROOT / "sql"))),
    }
    tasks = int(run([python, "-c", probe], env=env).stdout.strip().splitlines()[-1])
    assert tasks >= 5


def test_the_startup_script_builds_dbt_offline_and_keeps_a_current_environment(mwaa_home, tmp_path):
    # MWAA's `python3` is its Python 3.12.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(getattr(sys, "_base_executable", sys.executable))
    env = {"AIRFLOW_HOME": str(mwaa_home), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    startup = str(BUNDLE / "startup.sh")

    first = run(["sh", startup], env=env)
    assert "building dbt environment" in first.stdout

    dbt = mwaa_home / "dbt-venv" / "bin" / "dbt"
    run([str(dbt.with_name("python")), "-m", "pip", "check"])
    run([str(dbt), "parse", "--project-dir", str(PACKAGED_PROJECT), "--profiles-dir", str(PACKAGED_PROJECT),
         "--target", "redshift", "--target-path", str(tmp_path / "target")], env={"XETL_DBT_TARGET": "redshift"})  # fmt: skip
    assert (tmp_path / "target" / "manifest.json").is_file()

    again = run(["sh", startup], env=env)
    assert "is current" in again.stdout


def test_the_dags_venv_pins_what_mwaa_installs():
    """dags/requirements-dev.txt builds the environment the DAG tests run in; it must hold every pin
    of dags/requirements.txt (MWAA's install) at the same version, or the tests would see another
    Cosmos or provider than MWAA runs."""
    shipped = set(mwaa_bundle.MwaaRequirements.parse().requirements)
    dev = set(mwaa_bundle.pins(mwaa_bundle.IMAGE_REQUIREMENTS))
    assert shipped <= dev, f"pinned for MWAA but not in the dags venv: {sorted(shipped - dev)}"
