{#-
  The median of a numeric column, as an aggregate. The dialects differ: Redshift has MEDIAN()
  (a shorthand for PERCENTILE_CONT(0.5)), PostgreSQL has only the ordered-set aggregate
  PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY ...). Both interpolate between the two middle values.
  Dispatched, so each adapter gets its own form from one model (dbt-redshift looks for redshift__,
  then postgres__, then default__).
-#}
{% macro xetl_median(column) %}
  {{ return(adapter.dispatch('xetl_median', 'xetl')(column)) }}
{% endmacro %}

{% macro default__xetl_median(column) -%}
  percentile_cont(0.5) within group (order by {{ column }})
{%- endmacro %}

{% macro redshift__xetl_median(column) -%}
  median({{ column }})
{%- endmacro %}
