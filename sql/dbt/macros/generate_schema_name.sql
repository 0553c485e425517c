{#-
  Schemas by their configured names (xetl_stg, xetl_marts), not dbt's default
  "<target schema>_<custom schema>": the names in the warehouse, the grants and the docs stay the
  same on Redshift and PostgreSQL and in every environment (each environment has its own warehouse).
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
  {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}
