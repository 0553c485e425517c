{#-
  The partition an incremental run replaces, from the `partition` var (YYYY-MM-DD), as a DATE
  literal. The value is checked before it reaches any SQL: four, two and two digits forming a real
  calendar day, the rule of the DAG's partition resolver, so a malformed var stops the model at
  compile time with one line saying why, before anything is deleted.
-#}
{% macro xetl_partition_date() %}
  {%- set value = var('partition', none) -%}
  {%- if value is none or value == '' -%}
    {{ exceptions.raise_compiler_error(
        "xetl: " ~ this ~ " replaces one partition per run: pass it with --vars '{partition: YYYY-MM-DD}'"
        ~ " (or rebuild every partition with --full-refresh)") }}
  {%- endif -%}
  {%- set text = value | string -%}
  {{ return("cast('" ~ xetl_checked_day(text) ~ "' as date)") }}
{% endmacro %}

{#- `text` if it names a calendar day as YYYY-MM-DD, else a compiler error (no Python exception
    escapes: the day is rebuilt from its first of month and compared, so 2026-02-30 fails cleanly). -#}
{% macro xetl_checked_day(text) %}
  {%- set ok = modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', text) is not none -%}
  {%- if ok -%}
    {%- set year, month, day = text[0:4] | int, text[5:7] | int, text[8:10] | int -%}
    {%- set ok = month >= 1 and month <= 12 and day >= 1 and year >= 1 -%}
    {%- if ok -%}
      {%- set rebuilt = modules.datetime.date(year, month, 1) + modules.datetime.timedelta(days=day - 1) -%}
      {%- set ok = rebuilt.isoformat() == text -%}
    {%- endif -%}
  {%- endif -%}
  {%- if not ok -%}
    {{ exceptions.raise_compiler_error("xetl: partition '" ~ text ~ "' is not a calendar day in the form YYYY-MM-DD (e.g. 2026-11-21)") }}
  {%- endif -%}
  {{ return(text) }}
{% endmacro %}
