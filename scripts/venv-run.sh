#!/usr/bin/env bash
# Runs a command from one of the project's virtual environments, creating it first if needed:
#   scripts/venv-run.sh tools ruff check dags
#   scripts/venv-run.sh glue python -m pytest glue-scripts/tests
set -euo pipefail
name="${1:?usage: scripts/venv-run.sh <airflow|glue|tools> <command> [args...]}"; shift
venv="$(bash "$(dirname "${BASH_SOURCE[0]}")/python-env.sh" "$name")"
cmd="${1:?missing command}"; shift
if [ -x "$venv/bin/$cmd" ]; then exec "$venv/bin/$cmd" "$@"; fi
exec "$cmd" "$@"
