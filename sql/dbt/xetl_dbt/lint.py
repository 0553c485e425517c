"""SQL lint of the models and data tests: sqlfluff, Redshift dialect, dbt templater (``nx run dbt:lint``).

    python -m xetl_dbt.lint [sqlfluff lint options...]

sqlfluff's dbt templater compiles every model with dbt itself, and dbt >= 1.8 fills its relation
cache from the warehouse before compiling, so the templater needs a database to talk to even
though the lint reads nothing from it. This starts a throwaway PostgreSQL for that (no tables are
needed) and points the profile's postgres target at it. The SQL is compiled as on that target
(dispatched macros take their default branch) and linted in Redshift's dialect (.sqlfluff).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from xetl_harness import postgres_server

from xetl_dbt.warehouse import PROJECT_DIR

# Models and singular tests; macros and generic tests are templates sqlfluff cannot render alone.
LINTED = ("models", "data-tests")


def main(argv: list[str] | None = None) -> int:
    extra = sys.argv[1:] if argv is None else argv
    sqlfluff = str(Path(sys.executable).with_name("sqlfluff"))
    with postgres_server() as server:
        env = {
            **os.environ,
            "XETL_DBT_TARGET": "postgres",
            "XETL_DBT_PG_HOST": server.host,
            "XETL_DBT_PG_PORT": str(server.port),
            "XETL_DBT_PG_USER": server.user,
            "XETL_DBT_PG_DATABASE": "postgres",
        }
        return subprocess.run([sqlfluff, "lint", *LINTED, *extra], cwd=PROJECT_DIR, env=env, check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main())
