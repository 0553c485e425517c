from __future__ import annotations

import os

from pipeline_contract import dag_id

# Tests never reach AWS: fake credentials, a fixed region.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
# The Lambda's DAG id as the analytics stack sets it: the pipeline contract's dag_id.
os.environ["XETL_DAG_ID"] = dag_id()
