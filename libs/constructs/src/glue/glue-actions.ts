/**
 * Glue action lists, sorted. The orchestrator's lists are exactly what the Amazon provider 9.12.0
 * operators the DAG uses call (deferrable mode), read from the provider source (docs/security.md):
 * `GlueCrawlerOperator` GetCrawler (has_crawler, then update_crawler's read), StartCrawler, and the
 * trigger's `crawler_ready` waiter GetCrawler; `GlueJobOperator` GetJob (get_or_create_glue_job),
 * StartJobRun, the trigger's `job_complete` waiter GetJobRun, and BatchStopJobRun on kill.
 */
export const GLUE_CRAWLER_RUN_ACTIONS = ['glue:GetCrawler', 'glue:StartCrawler'] as const;
export const GLUE_JOB_RUN_ACTIONS = ['glue:BatchStopJobRun', 'glue:GetJob', 'glue:GetJobRun', 'glue:StartJobRun'] as const;
/** What the crawler and job do in the Data Catalog. */
export const GLUE_CATALOG_ACTIONS = [
  'glue:BatchCreatePartition', 'glue:BatchGetPartition', 'glue:BatchUpdatePartition', 'glue:CreatePartition',
  'glue:CreateTable', 'glue:GetDatabase', 'glue:GetPartition', 'glue:GetPartitions', 'glue:GetTable', 'glue:GetTables',
  'glue:UpdatePartition', 'glue:UpdateTable',
] as const;
/** Glue writing its own (KMS-encrypted) logs. */
export const GLUE_LOG_ACTIONS = ['logs:AssociateKmsKey', 'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'] as const;
