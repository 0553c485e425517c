"""xetl's warehouse SQL, as the pipeline sends it: the query templates (`queries/*.sql`, Redshift's
dialect) and their renderer (`render`), with the lexical helpers it needs (`sqltext`).

Standard library only: this package ships to MWAA beside the DAGs (uploaded as `dags/xetl_sql/`),
and the DAG renders every statement it sends through it. The migrations, the PostgreSQL adaptation
and the linter live in `xetl_sql_tools`, which never ships. Python >= 3.11.
"""
