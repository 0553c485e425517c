#!/usr/bin/env bash
# `npm run local` (and `nx run local:run`): the whole pipeline on this machine. Builds the Python
# environments it uses on first use (a few minutes, once), packages the dbt project when its
# sources changed (dbt parse, a few seconds), builds the Glue transform's jar when its sources
# changed (javac, a few seconds), then runs the local pipeline in the Airflow venv.
# Arguments go to xetl_local.cli (`npm run local -- --help`).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
for env in tools glue dbt airflow; do
  bash "$repo/scripts/python-env.sh" "$env" >/dev/null
done
manifest="$repo/dist/dbt/project/target/manifest.json"
if [ ! -f "$manifest" ] || [ -n "$(find "$repo/sql/dbt" -path "$repo/sql/dbt/tests" -prune -o -type f -newer "$manifest" -print -quit)" ]; then
  echo "packaging the dbt project (dbt parse) ..." >&2
  "$repo/.venvs/dbt/bin/python" -m xetl_dbt.package >/dev/null
fi
jar="$repo/dist/glue-scripts/xetl-transform.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$repo/glue-scripts/jvm" -type f -newer "$jar" -print -quit)" ]; then
  echo "building the Glue transform's jar (javac) ..." >&2
  "$repo/.venvs/glue/bin/python" "$repo/glue-scripts/jvm/build.py" >/dev/null
fi
PYTHONUNBUFFERED=1 exec "$repo/.venvs/airflow/bin/python" -m xetl_local.cli "$@"
