"""xetl's warehouse SQL as a library: the migrations, the query templates and their renderer, and the
mechanical Redshift -> PostgreSQL adaptation used by local runs and tests.

`migrations`, `render` and `sqltext` use the standard library only (the Airflow environment imports
them); `to_postgres` and `check` need sqlglot. Python >= 3.11.
"""
