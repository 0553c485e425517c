{#-
  dbt's is_incremental(), unchanged, except under the SQL linter: sqlfluff's dbt templater compiles
  every model for Redshift without a warehouse to ask whether the model's table exists, so the lint
  (var xetl_lint, set only in .sqlfluff) answers "yes", which also puts the incremental branch, the
  partition filter, under the lint.
-#}
{% macro is_incremental() %}
  {%- if var('xetl_lint', false) -%}
    {{ return(true) }}
  {%- endif -%}
  {{ return(dbt.is_incremental()) }}
{% endmacro %}
