"""The local run of the xetl pipeline (`npm run local`): no AWS account, real engines.

`stack.LocalStack` starts moto and PostgreSQL, deploys account A's stack with Terraform and stands
in for account B; `pipeline.run_partition` generates, drops and runs one partition through the real
DAG with `airflow dags test` and reads back what every engine holds. `cli` is the command line.
"""
