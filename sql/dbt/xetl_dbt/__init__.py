"""Tooling around the xetl dbt project (sql/dbt): the local PostgreSQL warehouse it is tested and
benchmarked on, the SQL lint, the Cosmos manifest package, the offline MWAA bundle and the bench.

Runs in the dbt environment (``scripts/python-env.sh dbt``, Python 3.12) with ``sql/dbt``, ``sql``
and ``tools/python`` on the path; nothing here is shipped to MWAA except what it builds.
"""
