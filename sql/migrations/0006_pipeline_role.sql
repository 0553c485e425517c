-- xetl_pipeline: the database role the pipeline runs as, with exactly the grants its statements need
-- (docs/security.md, "The pipeline's database identity").
--
-- The DAG calls the Redshift Data API with MWAA's execution role and no secret: Redshift Serverless
-- logs it in as the IAM identity's own user (IAMR:<role name>) and grants it the database roles
-- named in the role's `RedshiftDbRoles` principal tag, which the analytics stack sets to this
-- role. So the pipeline never holds the admin password; only `xetl bootstrap` (migrations) uses
-- the managed admin secret. The local run logs in as an equivalent member of this role.
--
-- What the pipeline does, and the grants it needs:
--   stage_partition.sql      DELETE, COPY (INSERT) on xetl.products_staging
--   dq_*.sql                 SELECT on xetl.products_staging (and xetl.products)
--   publish_partition.sql    EXECUTE on the load procedure, which runs with the caller's rights
--                            (SECURITY INVOKER, Redshift's default): SELECT, DELETE on staging,
--                            SELECT, INSERT, DELETE on xetl.products, and on xetl.pipeline_runs
--                            SELECT, INSERT, UPDATE, DELETE
--   unload_partition.sql     SELECT on xetl.products
--   record_run_failure.sql   SELECT, INSERT, UPDATE on xetl.pipeline_runs
-- Nothing else: no CREATE on the schema, no DROP, no TRUNCATE, no other schema.
--
-- CREATE ROLE has no IF NOT EXISTS in Redshift, so a procedure creates it when missing (the
-- migration stays re-runnable); it reads svv_roles, Redshift's view of roles (the PostgreSQL
-- stand-in provides a view of the same name, xetl_sql_tools.to_postgres.POSTGRES_PRELUDE).
CREATE OR REPLACE PROCEDURE xetl.sp_ensure_pipeline_role()
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM svv_roles WHERE role_name = 'xetl_pipeline') THEN
        EXECUTE 'CREATE ROLE xetl_pipeline';
    END IF;
END;
$$ LANGUAGE plpgsql;

CALL xetl.sp_ensure_pipeline_role();

GRANT USAGE ON SCHEMA xetl TO ROLE xetl_pipeline;

GRANT SELECT, INSERT, DELETE ON TABLE xetl.products_staging TO ROLE xetl_pipeline;

GRANT SELECT, INSERT, DELETE ON TABLE xetl.products TO ROLE xetl_pipeline;

GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE xetl.pipeline_runs TO ROLE xetl_pipeline;

GRANT EXECUTE ON PROCEDURE xetl.sp_load_products_partition(DATE, VARCHAR, BIGINT, BIGINT, VARCHAR) TO ROLE xetl_pipeline;

GRANT EXECUTE ON PROCEDURE xetl.sp_load_products_partition(DATE, VARCHAR) TO ROLE xetl_pipeline;
