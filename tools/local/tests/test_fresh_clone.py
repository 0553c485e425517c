"""The README's first command on a clone that has never run anything, where a new user would make it.

The clone goes into a fresh directory of mode 0700 (what `mktemp -d` makes, like root's home: other
users, the `postgres` one among them, cannot enter it), and `npm run local` runs there first, with
nothing built: no node_modules, no Python environments, no dist/. It clones the committed HEAD of
this checkout (uncommitted changes are not part of the test). The slowest test of the suite
(installs included, several minutes); the Nx cache does not apply to what it runs.

It runs with no network: every proxy variable points at a closed port (as on a CI runner whose
proxy is down) and NO_PROXY is unset. A clone on a machine that has built xetl before installs
from the user's caches (npm's, and ~/.cache/xetl's wheels and MWAA bundle cache, which the rest of
`npm test` has filled), and everything the run talks to is on loopback, reached past the proxy.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from xetl_harness.postgres import server_data_dir

REPO_ROOT = Path(__file__).resolve().parents[3]
# Lines a user would worry about: tracebacks, pip's location warnings, npm warnings, Nx Cloud
# advertisements, failed look-ups of HashiCorp's checkpoint service.
CLOSED_PORT = "http://127.0.0.1:9"
WORRYING = re.compile(r"Traceback|WARNING: Location|npm warn|Nx Cloud|nx\.app|checkpoint-api|ENOTFOUND", re.IGNORECASE)


def test_the_readme_first_command_runs_on_a_pristine_clone_in_a_private_directory():
    parent = Path(tempfile.mkdtemp(prefix="xetl-fresh-clone-"))
    try:
        assert parent.stat().st_mode & 0o777 == 0o700
        clone = parent / "repo"
        subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(clone)], check=True)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("NX_", "AIRFLOW", "VIRTUAL_ENV", "PYTHON")) and k.lower() != "no_proxy"}
        env.update({var: CLOSED_PORT for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")})
        proc = subprocess.run(
            ["npm", "run", "local", "--", "--rows", "200", "--files", "1"],
            cwd=clone, env=env, capture_output=True, text=True, timeout=1800, check=False,
        )  # fmt: skip
        output = proc.stdout + proc.stderr
        assert proc.returncode == 0, output[-5000:]
        assert re.search(r"xetl local run: partition \S+, run \S+: SUCCEEDED", output), output[-3000:]
        assert not [line for line in output.splitlines() if WORRYING.search(line)], output[-5000:]
    finally:
        shutil.rmtree(parent, ignore_errors=True)
        # As root, the clone's PostgreSQL data lived in the server user's own folder outside it.
        data = server_data_dir(parent / "repo" / ".work" / "local" / "postgres")
        if parent not in data.parents:
            shutil.rmtree(data.parent, ignore_errors=True)
