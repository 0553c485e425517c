#!/usr/bin/env bash
# `npm run local` (and `nx run local:run`): the whole pipeline on this machine. Builds the three
# Python environments it uses on first use (a few minutes, once), then runs the local pipeline in
# the Airflow one. Arguments go to xetl_local.cli (`npm run local -- --help`).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
for env in tools glue airflow; do
  bash "$repo/scripts/python-env.sh" "$env" >/dev/null
done
PYTHONUNBUFFERED=1 exec "$repo/.venvs/airflow/bin/python" -m xetl_local.cli "$@"
