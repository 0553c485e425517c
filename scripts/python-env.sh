#!/usr/bin/env bash
# Creates (or refreshes) one of the project's Python virtual environments under .venvs/<name>
# and prints its path. Idempotent and safe to call from parallel Nx targets: a lock serialises
# creation, and a stamp of the requirement files' hashes skips work when nothing changed.
#
#   scripts/python-env.sh airflow   # Python 3.12, Airflow 3.0.6 as MWAA runs it (dags/)
#   scripts/python-env.sh glue      # Python 3.11, PySpark 3.5 as Glue 5.0 runs it (glue-scripts/)
#   scripts/python-env.sh tools     # Python 3.11, moto server, sqlglot, psycopg, pyarrow, ruff, pytest (harnesses)
#   scripts/python-env.sh security  # Python 3.11, checkov (policy scan of synthesized stacks)
#   scripts/python-env.sh dbt       # Python 3.12, dbt-core + Redshift/Postgres adapters + sqlfluff (sql/dbt/)
set -euo pipefail

name="${1:?usage: scripts/python-env.sh airflow|glue|tools|security|dbt}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
case "$name" in
  airflow) want_python="3.12"; req_files=("dags/requirements-dev.txt" "dags/constraints-3.0.6-3.12.txt") ;;
  glue)    want_python="3.11"; req_files=("glue-scripts/requirements-dev.txt") ;;
  tools)   want_python="3.11"; req_files=("tools/python/requirements.txt") ;;
  security) want_python="3.11"; req_files=("tools/python/requirements-security.txt") ;;
  dbt)     want_python="3.12"; req_files=("sql/dbt/requirements-dev.txt" "sql/dbt/requirements.txt") ;;
  *) echo "python-env: unknown environment '$name' (expected airflow, glue, tools, security or dbt)" >&2; exit 2 ;;
esac

find_python() {
  local v="$1" candidate
  if command -v pyenv >/dev/null 2>&1; then
    for candidate in "$(pyenv root)"/versions/"$v".*/bin/python"$v"; do
      [ -x "$candidate" ] && { echo "$candidate"; return 0; }
    done
  fi
  for candidate in "python$v" python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       [ "$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" = "$v" ]; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

venv="$repo/.venvs/$name"
mkdir -p "$repo/.venvs"
exec 9>"$repo/.venvs/.$name.lock"
flock 9

stamp_now="$(cd "$repo" && cat "${req_files[@]}" scripts/python-env.sh | sha256sum | cut -c1-64)"
if [ -f "$venv/.stamp" ] && [ "$(cat "$venv/.stamp")" = "$stamp_now" ] && [ -x "$venv/bin/python" ]; then
  echo "$venv"; exit 0
fi

python_bin="$(find_python "$want_python")" || {
  echo "python-env: Python $want_python is required for the '$name' environment; install it (e.g. 'pyenv install $want_python') and retry" >&2
  exit 1
}
echo "python-env: building .venvs/$name with $python_bin (one-time, a few minutes)" >&2
rm -rf "$venv"
"$python_bin" -m venv "$venv"
# The image's pip configuration lists local wheel folders that may be absent; its warnings are noise.
quiet_pip() { "$venv/bin/python" -m pip "$@" --quiet --disable-pip-version-check 2>&1 | { grep -v "^WARNING: Location 'file:" || true; } >&2; return "${PIPESTATUS[0]}"; }
quiet_pip install --upgrade pip==25.3
(cd "$repo" && quiet_pip install -r "${req_files[0]}")
echo "$stamp_now" > "$venv/.stamp"
echo "$venv"
