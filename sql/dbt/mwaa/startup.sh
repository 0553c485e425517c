#!/bin/sh
# MWAA startup script (startup_script_s3_path): builds dbt's own virtual environment from the wheels
# shipped in plugins.zip, before the Airflow components start. No network: `--no-index` with
# `--find-links` to the unpacked plugins folder, and the lock shipped beside the wheels.
#
# dbt gets its own environment because its pins (click >= 8.3, protobuf >= 6) conflict with the
# Airflow 3.0.6 constraints; Cosmos runs this environment's `dbt` as a subprocess
# (xetl_tasks.dbt, XETL_DBT_EXECUTABLE). MWAA runs the script on every container start, with a
# time limit, so an environment already built from the same lock is kept.
#
# Test: sql/dbt/tests/test_mwaa_bundle.py runs this file with AIRFLOW_HOME in a temporary folder.
set -eu

airflow_home="${AIRFLOW_HOME:-/usr/local/airflow}"
plugins="$airflow_home/plugins"
venv="$airflow_home/dbt-venv"
lock="$plugins/dbt/requirements.txt"

stamp="$(sha256sum "$lock" | cut -c1-64)"
if [ -x "$venv/bin/dbt" ] && [ "$(cat "$venv/.xetl-lock-sha256" 2>/dev/null)" = "$stamp" ]; then
  echo "xetl startup: dbt environment $venv is current"
else
  echo "xetl startup: building dbt environment $venv from $plugins/wheels/dbt"
  rm -rf "$venv"
  # MWAA installs its own requirements with --user (PIP_USER=true); a venv must not.
  PIP_USER=false python3 -m venv "$venv"
  PIP_USER=false "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-index --find-links "$plugins/wheels/dbt" --requirement "$lock"
  echo "$stamp" > "$venv/.xetl-lock-sha256"
fi

# Seen by the Airflow processes MWAA starts after this script.
export XETL_DBT_EXECUTABLE="$venv/bin/dbt"
