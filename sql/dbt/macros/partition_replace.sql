{#-
  Incremental strategy `partition_replace`: the model's rows for this run's partition replace
  that partition of the target, and nothing else is touched.

      {{ config(materialized='incremental', incremental_strategy='partition_replace') }}

  dbt's built-in delete+insert deletes the keys present in the new rows, so a partition that shrank
  (a category gone) would keep stale rows; this deletes by the partition itself, then inserts. dbt
  runs both statements in the incremental materialization's one transaction, so readers see the
  old partition or the new one, never a mix, and a failure leaves the old one. The partition column
  is the model's `partition_column` config (default partition_date). The model must select only
  this partition when is_incremental(); the strategy inserts what it selects.

  Adapter-neutral SQL (DELETE + INSERT ... SELECT), the same on Redshift and PostgreSQL.
-#}
{% macro get_incremental_partition_replace_sql(arg_dict) %}
  {%- set target = arg_dict['target_relation'] -%}
  {%- set source = arg_dict['temp_relation'] -%}
  {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
  delete from {{ target }}
  where partition_date = {{ xetl_partition_date() }};
  insert into {{ target }} ({{ columns }})
  select {{ columns }}
  from {{ source }}
{% endmacro %}
