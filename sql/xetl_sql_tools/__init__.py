"""Development-time companions of `xetl_sql`, never shipped to MWAA: the migrations (`migrations`),
the mechanical Redshift -> PostgreSQL adaptation the local run and the tests use (`to_postgres`,
needs sqlglot) and the SQL linter (`check`, `python -m xetl_sql_tools.check`).
"""
