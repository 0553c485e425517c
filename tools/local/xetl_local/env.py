"""The environment variables the local run hands its Airflow processes, and their values' meaning.

One place, read by the runtime and the warehouse client (in the Airflow processes) and set by the
stack (`LocalStack.airflow_env`).
"""

from __future__ import annotations

# The DAG's runtime, by import path (xetl_tasks.get_runtime reads XETL_RUNTIME).
LOCAL_RUNTIME = "xetl_local.runtime:LocalRuntime"
# Working directory of the run (mirrors of S3 prefixes for the engines, failure notes).
WORK_ENV = "XETL_LOCAL_WORK"
# libpq connection string of the pipeline's login on the PostgreSQL stand-in.
DSN_ENV = "XETL_LOCAL_PG_DSN"
# Interpreters of the tools venv (the warehouse engine) and the glue venv (the Glue job).
TOOLS_PYTHON_ENV = "XETL_TOOLS_PYTHON"
GLUE_PYTHON_ENV = "XETL_GLUE_PYTHON"
