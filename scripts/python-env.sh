#!/usr/bin/env bash
# Creates (or refreshes) one of the project's Python virtual environments under .venvs/<name>
# and prints its path. Idempotent and safe to call from parallel Nx targets: a lock serialises
# creation, and a stamp of the inputs' hashes skips work when nothing changed.
#
# Each environment has a Python version, ONE pinned third-party requirement file (its constraints
# included by it), and the repository's own Python projects it needs, installed editable (no copy:
# the environment imports the checkout's code) with --no-deps (their first-party dependencies are
# all listed here; tools/nx/check-python-deps.mjs checks the lists against each pyproject.toml and the
# imports). This file is where an environment's contents are decided.
#
#   scripts/python-env.sh airflow   # Python 3.12, Airflow 3.0.6 as MWAA runs it: the DAGs and the local run
#   scripts/python-env.sh glue      # Python 3.11, PySpark 3.5 as Glue 5.0 runs it (glue-scripts/)
#   scripts/python-env.sh tools     # Python 3.11, moto server, sqlglot, psycopg, pyarrow, ruff, pytest (harnesses)
#   scripts/python-env.sh security  # Python 3.11, checkov (policy scan of synthesized stacks)
#   scripts/python-env.sh dbt       # Python 3.12, dbt-core + Redshift/Postgres adapters + sqlfluff (sql/dbt/)
set -euo pipefail

name="${1:?usage: scripts/python-env.sh airflow|glue|tools|security|dbt}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
case "$name" in
  airflow)
    want_python="3.12"; requirements="dags/requirements-dev.txt"; hashed=("dags/constraints-3.0.6-3.12.txt")
    projects=(sql dags tools/python tools/sample_data apps/trigger tools/local) ;;
  glue)
    want_python="3.11"; requirements="glue-scripts/requirements-dev.txt"; hashed=()
    projects=(glue-scripts tools/sample_data) ;;
  tools)
    want_python="3.11"; requirements="tools/python/requirements.txt"; hashed=()
    projects=(sql tools/python apps/trigger) ;;
  security)
    want_python="3.11"; requirements="tools/python/requirements-security.txt"; hashed=(); projects=() ;;
  dbt)
    want_python="3.12"; requirements="sql/dbt/requirements-dev.txt"; hashed=("sql/dbt/requirements.txt")
    projects=(sql dags tools/python tools/sample_data sql/dbt) ;;
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

pyprojects=()
for project in "${projects[@]}"; do pyprojects+=("$project/pyproject.toml"); done
# Two stamps: the third-party packages (slow to install) and the first-party projects (seconds):
# a changed pyproject.toml re-installs the projects only.
packages_now="$(cd "$repo" && cat "$requirements" "${hashed[@]}" scripts/python-env.sh | sha256sum | cut -c1-64)"
projects_now="$(cd "$repo" && cat /dev/null "${pyprojects[@]}" | sha256sum | cut -c1-64)"
if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.stamp" 2>/dev/null)" = "$packages_now" ] &&
   [ "$(cat "$venv/.stamp-projects" 2>/dev/null)" = "$projects_now" ]; then
  echo "$venv"; exit 0
fi

# A machine's pip configuration may list local index folders that do not exist; pip warns once per
# package about each, which is noise. pip colours warnings when it thinks it writes to a terminal
# (it does under Nx's pseudo-terminal), so colour is turned off and any colour codes stripped
# before the filter; every other line (real errors included) goes through.
quiet_pip() {
  PIP_NO_COLOR=1 "$venv/bin/python" -m pip "$@" --quiet --disable-pip-version-check 2>&1 \
    | sed -u 's/\x1b\[[0-9;]*m//g' | { grep -v "^WARNING: Location 'file:" || true; } >&2
  return "${PIPESTATUS[0]}"
}

# Every wheel an environment installs is kept in the user's cache, shared by every clone on the
# machine (as npm's and Nx's caches are): environments are installed from there with --no-index, and
# only what is missing is fetched from PyPI first (pip wheel: downloaded, or built once from an
# sdist). So the first clone on a machine needs PyPI and every later one builds offline; pip's own
# cache cannot do that, it still asks the index. Readers share the lock, a fetch takes it alone.
wheelhouse="${XETL_WHEELHOUSE:-${XDG_CACHE_HOME:-$HOME/.cache}/xetl/wheels}"
mkdir -p "$wheelhouse"
from_wheelhouse() {  # pip install arguments
  flock -s 8; quiet_pip install --no-index --find-links "$wheelhouse" "$@"
} 8>"$wheelhouse/.lock"
ensure_wheels() {  # requirement arguments (names, -r files)
  if { flock -s 8; PIP_NO_COLOR=1 "$venv/bin/python" -m pip install --dry-run --ignore-installed --quiet --disable-pip-version-check \
         --no-index --find-links "$wheelhouse" "$@" >/dev/null 2>&1; } 8>"$wheelhouse/.lock"; then
    return 0
  fi
  echo "python-env: fetching wheels for .venvs/$name ($*) into $wheelhouse (once per machine; needs PyPI)" >&2
  { flock 8; quiet_pip wheel --wheel-dir "$wheelhouse" --find-links "$wheelhouse" "$@"; } 8>"$wheelhouse/.lock" || {
    echo "python-env: could not fetch the wheels for .venvs/$name (is PyPI reachable? pip's message is above)" >&2
    exit 2
  }
}

if ! [ -x "$venv/bin/python" ] || [ "$(cat "$venv/.stamp" 2>/dev/null)" != "$packages_now" ]; then
  python_bin="$(find_python "$want_python")" || {
    echo "python-env: Python $want_python is required for the '$name' environment; install it (e.g. 'pyenv install $want_python', or 'apt-get install python$want_python-venv') and retry" >&2
    exit 2
  }
  echo "python-env: building .venvs/$name with $python_bin (one-time, a few minutes)" >&2
  rm -rf "$venv"
  "$python_bin" -m venv "$venv"
  ensure_wheels pip==25.3
  from_wheelhouse --upgrade pip==25.3
  (cd "$repo" && ensure_wheels -r "$requirements" && from_wheelhouse -r "$requirements")
  echo "$packages_now" > "$venv/.stamp"
  rm -f "$venv/.stamp-projects"
fi
if [ "${#projects[@]}" -gt 0 ]; then
  editable=()
  for project in "${projects[@]}"; do editable+=(-e "./$project"); done
  # Their build backend (pyproject.toml's build-system) comes from the wheelhouse too.
  ensure_wheels "setuptools>=75"
  (cd "$repo" && from_wheelhouse --no-deps "${editable[@]}")
fi
echo "$projects_now" > "$venv/.stamp-projects"
echo "$venv"
