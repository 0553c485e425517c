-- The schemas the dbt project builds into (sql/dbt: staging views in xetl_stg, marts in xetl_marts;
-- sql/dbt/macros/generate_schema_name.sql keeps these names in every environment), created here so
-- that the pipeline's role needs no CREATE on the database: it may create and replace relations in
-- these two schemas, and read the pipeline's tables (0006), nothing more.
CREATE SCHEMA IF NOT EXISTS xetl_stg;

CREATE SCHEMA IF NOT EXISTS xetl_marts;

GRANT USAGE, CREATE ON SCHEMA xetl_stg TO ROLE xetl_pipeline;

GRANT USAGE, CREATE ON SCHEMA xetl_marts TO ROLE xetl_pipeline;
