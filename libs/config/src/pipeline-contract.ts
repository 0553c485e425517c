import type { Naming } from './naming';
import type { EnvironmentConfig } from './types';

/**
 * The contract between the infrastructure and the DAG, defined once: the DAG's id, the one Airflow
 * variable the analytics stack writes (key, fields, types), the marker file whose arrival starts a
 * run and the EventBridge pattern that matches it, the partition layout of every bucket, and the
 * staging prefix the dbt docs site is published under.
 *
 * The stack builds the variable with `pipelineVariable`; the local runner calls the same builder;
 * the Python side reads `dags/xetl_tasks/pipeline_contract.json`, generated from this module by
 * `npx nx run config:contract` (a test fails while the checked-in file differs).
 */

/** The DAG's id, as `dags/xetl_products_pipeline.py` declares it. Not per environment. */
export const PIPELINE_DAG_ID = 'xetl_products_pipeline';

/** Key of the Airflow variable (JSON) holding every name the DAG needs (docs/data-contract.md). */
export const PIPELINE_VARIABLE_KEY = 'xetl_pipeline';

/** The object a producer writes last in a partition folder; its arrival starts the run. */
export const MARKER_FILE_NAME = '_SUCCESS';

/**
 * The Airflow pool every task of the DAG takes: one slot, deferred tasks counted, so runs of several
 * partitions (a backfill with several active runs) never overlap on the crawler, the Glue job or the
 * staging table. `xetl bootstrap` creates it on MWAA; the local run creates it in its Airflow.
 */
export const PIPELINE_POOL = { name: 'xetl_pipeline', slots: 1, include_deferred: true } as const;

/**
 * Where the DAG publishes the dbt docs site (index.html, manifest.json, catalog.json) in the staging
 * bucket, and where `xetl docs` reads it. Private: only MWAA's role writes there, nothing reads it
 * but callers of account B with staging-bucket read access.
 */
export const DBT_DOCS_PREFIX = 'dbt-docs/';

/** How a partition is named in run parameters: an ISO calendar date. */
export const PARTITION_FORMAT = 'YYYY-MM-DD';
/** The folder of one partition under a feed prefix, in every bucket (source, staging, target). */
export const PARTITION_PATH_TEMPLATE = '{prefix}/year={yyyy}/month={mm}/day={dd}/';

/** One field of the variable: its JSON type and, where cheap, the pattern a value must match. */
interface FieldSpec {
  readonly type: 'string' | 'integer' | 'number';
  readonly description: string;
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
}

const ARN = (service: string, resource: string) => `^arn:aws[a-z-]*:${service}:${resource}`;
const ROLE_ARN = 'arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+';
const S3_BUCKET = '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$';
const S3_PREFIX = '^[A-Za-z0-9!_.*\'()-]+(/[A-Za-z0-9!_.*\'()-]+)*$';
const NAME = '^[A-Za-z0-9_.-]{1,255}$';

/** The fields of the `xetl_pipeline` variable, in the order the stack writes them. */
export const PIPELINE_VARIABLE_FIELDS = {
  environment: { type: 'string', description: 'xetl environment name', pattern: '^[a-z][a-z0-9]{1,9}$' },
  region: { type: 'string', description: 'AWS region of both accounts', pattern: '^[a-z]{2}(-gov)?-[a-z]+-\\d$' },
  source_bucket: { type: 'string', description: "account A's bucket the feed lands in", pattern: S3_BUCKET },
  source_prefix: { type: 'string', description: 'top folder of the feed in the source bucket', pattern: S3_PREFIX },
  staging_bucket: { type: 'string', description: "account B's bucket for curated, quarantined and manifest files", pattern: S3_BUCKET },
  target_bucket: { type: 'string', description: "account A's bucket UNLOAD writes to", pattern: S3_BUCKET },
  target_prefix: { type: 'string', description: 'top folder of the results in the target bucket', pattern: S3_PREFIX },
  glue_database: { type: 'string', description: 'Glue Data Catalog database the crawler writes', pattern: '^[a-z0-9_]{1,255}$' },
  glue_crawler: { type: 'string', description: 'crawler over the source prefix', pattern: NAME },
  glue_job: { type: 'string', description: 'the Glue ETL job', pattern: NAME },
  redshift_workgroup: { type: 'string', description: 'Redshift Serverless workgroup the Data API runs on', pattern: '^[a-z0-9-]{3,64}$' },
  redshift_database: { type: 'string', description: 'database the pipeline loads into', pattern: '^[a-z_][a-z0-9_]{0,62}$' },
  redshift_endpoint: { type: 'string', description: "the workgroup endpoint's host name (dbt connects to it with IAM)", pattern: '^[a-z0-9][a-z0-9.-]{1,252}$' },
  redshift_port: { type: 'integer', description: "the workgroup endpoint's port", minimum: 1150, maximum: 65535 },
  redshift_copy_role_arn: { type: 'string', description: "IAM role COPY reads staging with (account B)", pattern: `^${ROLE_ARN}$` },
  unload_role_chain: { type: 'string', description: "UNLOAD's IAM_ROLE: B's Redshift role, then A's unload role", pattern: `^${ROLE_ARN},${ROLE_ARN}$` },
  target_kms_key_arn: {
    type: 'string',
    // S3 needs the key ARN for a key of another account (an alias resolves in the caller's account).
    // The stack writes the alias ARN until it is deployed with the key's ARN; the DAG's first task
    // checks the variable against this schema and stops such a run before anything is read or written.
    description: "account A's data key ARN UNLOAD encrypts with (deploy with --var source_data_key_arn=<data_key_arn of the source stack>)",
    pattern: ARN('kms', '[a-z0-9-]+:\\d{12}:key/'),
  },
  sns_topic_arn: { type: 'string', description: 'topic for success and failure notices', pattern: ARN('sns', '[a-z0-9-]+:\\d{12}:[\\w-]+$') },
  chat_topic_arn: {
    type: 'string',
    // Chatbot renders only its custom-notification JSON, which e-mail subscribers should not get:
    // the chat channels have a topic of their own. Empty: no chat channel, nothing is published.
    description: 'topic of the chat channels (notifications.chat), empty when there are none',
    pattern: `^$|${ARN('sns', '[a-z0-9-]+:\\d{12}:[\\w-]+$')}`,
  },
  airflow_url: {
    type: 'string',
    description: "base URL of the Airflow UI that notices link runs to (MWAA's webserver); empty where there is none",
    pattern: '^$|^https?://[A-Za-z0-9.-]+(:\\d+)?$',
  },
  sensor_timeout_seconds: { type: 'integer', description: "how long the DAG waits for a partition's marker", minimum: 60, maximum: 7 * 24 * 3600 },
  max_quarantine_ratio: { type: 'number', description: 'largest share of quarantined rows the quality gate publishes', minimum: 0, maximum: 1 },
  unload_template: { type: 'string', description: 'the query template (sql/xetl_sql/queries) that unloads the partition to the target bucket', pattern: '^unload_[a-z_]+$' },
} as const satisfies Readonly<Record<string, FieldSpec>>;

type Fields = typeof PIPELINE_VARIABLE_FIELDS;
/** The value of the `xetl_pipeline` variable. */
export type PipelineVariable = {
  readonly [K in keyof Fields]: Fields[K]['type'] extends 'integer' | 'number' ? number : string;
};

/** Values only known once resources exist: Terraform references at deploy time, emulator values locally. */
export interface PipelineRuntimeValues {
  /** The pipeline topic's ARN. */
  readonly snsTopicArn: string;
  /** Host name of the Redshift Serverless workgroup's endpoint. */
  readonly redshiftEndpoint: string;
  /** Account A's data key (key ARN, or its alias ARN when the key ID is not known yet). */
  readonly targetKmsKeyArn: string;
  /** The chat channels' topic, or '' when the environment has none. */
  readonly chatTopicArn: string;
  /** Base URL of the Airflow UI (`https://<MWAA webserver host>`), or '' where there is none. */
  readonly airflowUrl: string;
}

/** Builds the `xetl_pipeline` variable of one environment: names from `Naming`, the rest from `runtime`. */
export function pipelineVariable(names: Naming, env: EnvironmentConfig, runtime: PipelineRuntimeValues): PipelineVariable {
  if (names.env.name !== env.name) throw new Error(`pipelineVariable: names are for ${names.env.name}, env is ${env.name}`);
  return {
    environment: env.name,
    region: env.region,
    source_bucket: names.sourceBucket,
    source_prefix: names.productsPrefix,
    staging_bucket: names.stagingBucket,
    target_bucket: names.targetBucket,
    target_prefix: names.productsPrefix,
    glue_database: names.glueDatabase,
    glue_crawler: names.glueCrawler,
    glue_job: names.glueJob,
    redshift_workgroup: names.redshiftWorkgroup,
    redshift_database: env.redshift.databaseName,
    redshift_endpoint: runtime.redshiftEndpoint,
    redshift_port: names.redshiftPort,
    redshift_copy_role_arn: names.redshiftRoleArn,
    unload_role_chain: names.unloadRoleChain,
    target_kms_key_arn: runtime.targetKmsKeyArn,
    sns_topic_arn: runtime.snsTopicArn,
    chat_topic_arn: runtime.chatTopicArn,
    airflow_url: runtime.airflowUrl,
    sensor_timeout_seconds: env.airflow.sensorTimeoutSeconds,
    max_quarantine_ratio: env.airflow.maxQuarantineRatio,
    unload_template: env.airflow.unloadTemplate,
  };
}

/** The variable's JSON Schema (2020-12): every field required, nothing else allowed. */
export function pipelineVariableSchema(): Record<string, unknown> {
  const properties = Object.fromEntries(Object.entries(PIPELINE_VARIABLE_FIELDS).map(([key, spec]) => [key, { ...spec }]));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: PIPELINE_VARIABLE_KEY,
    type: 'object',
    properties,
    required: Object.keys(PIPELINE_VARIABLE_FIELDS),
    additionalProperties: false,
  };
}

/** A parsed JSON value's type, in JSON's words. */
const jsonType = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/**
 * What is wrong with a value of the `xetl_pipeline` variable, by its schema: missing fields first,
 * then per field an unknown name, a wrong type, a pattern or a bound it misses (the keywords the
 * schema uses). Empty when the value is good. The DAG applies the same checks to the same schema,
 * from the generated JSON, in `dags/xetl_tasks/contract.py` (`variable_problems`).
 */
export function pipelineVariableProblems(value: unknown): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`the value is ${jsonType(value)}, not a JSON object`];
  const fields: Readonly<Record<string, FieldSpec>> = PIPELINE_VARIABLE_FIELDS;
  const problems = Object.keys(fields).filter((name) => !(name in value)).map((name) => `missing ${name}`);
  for (const [name, item] of Object.entries(value)) {
    const spec = fields[name];
    if (!spec) {
      problems.push(`unknown field ${name}`);
      continue;
    }
    const typed = spec.type === 'string' ? typeof item === 'string' : spec.type === 'integer' ? Number.isInteger(item) : typeof item === 'number' && Number.isFinite(item);
    if (!typed) problems.push(`${name} must be ${spec.type}, got ${jsonType(item)}`);
    else if (spec.pattern !== undefined && !new RegExp(spec.pattern).test(item as string)) problems.push(`${name} ${JSON.stringify(item)} does not match ${spec.pattern}`);
    else if ((spec.minimum !== undefined && (item as number) < spec.minimum) || (spec.maximum !== undefined && (item as number) > spec.maximum)) {
      problems.push(`${name} ${item} is outside ${spec.minimum}..${spec.maximum}`);
    }
  }
  return problems;
}

/** The `source` and `detail-type` of the events the trigger path carries (S3's EventBridge events). */
export const MARKER_EVENT_SOURCE = 'aws.s3';
export const MARKER_EVENT_DETAIL_TYPE = 'Object Created';

/** Where the marker pattern applies: the source bucket and the feed's top folder. */
export interface MarkerPatternOptions {
  /** Source bucket name (account A). */
  readonly bucketName: string;
  /** Top folder of the feed, e.g. "products". */
  readonly prefix: string;
}

/**
 * The one EventBridge pattern of the trigger path, used by account A's forwarding rule and again by
 * account B's rule: S3 `Object Created` for a marker key (`<prefix>/…/_SUCCESS`) of the source bucket.
 * A wildcard is the only way to require a prefix AND a suffix on one field (values in one list OR).
 * The trigger handler re-checks the exact layout `<prefix>/year=YYYY/month=MM/day=DD/_SUCCESS`.
 */
export function markerEventPattern(o: MarkerPatternOptions): Record<string, unknown> {
  return {
    source: [MARKER_EVENT_SOURCE],
    'detail-type': [MARKER_EVENT_DETAIL_TYPE],
    detail: {
      bucket: { name: [o.bucketName] },
      object: { key: [{ wildcard: `${o.prefix}/*/${MARKER_FILE_NAME}` }] },
    },
  };
}

/** The folder of one partition (`YYYY-MM-DD`) under `prefix`, e.g. `products/year=2026/month=11/day=20/`. */
export function partitionPath(prefix: string, partition: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(partition);
  if (!m) throw new Error(`partition "${partition}" is not a ${PARTITION_FORMAT} date`);
  return PARTITION_PATH_TEMPLATE.replace('{prefix}', prefix).replace('{yyyy}', m[1]).replace('{mm}', m[2]).replace('{dd}', m[3]);
}

/** The command that regenerates the checked-in contract file. */
export const PIPELINE_CONTRACT_COMMAND = 'npx nx run config:contract';
/** Where the contract file lives, relative to the repository root. */
export const PIPELINE_CONTRACT_FILE = 'dags/xetl_tasks/pipeline_contract.json';

/** The contract as the Python side reads it: `dags/xetl_tasks/pipeline_contract.json`'s exact text. */
export function pipelineContractJson(): string {
  const contract = {
    $comment: `generated from libs/config/src/pipeline-contract.ts by ${PIPELINE_CONTRACT_COMMAND}; do not edit`,
    dag_id: PIPELINE_DAG_ID,
    pool: PIPELINE_POOL,
    variable: { key: PIPELINE_VARIABLE_KEY, schema: pipelineVariableSchema() },
    marker: {
      file_name: MARKER_FILE_NAME,
      event_pattern: markerEventPattern({ bucketName: '{source_bucket}', prefix: '{source_prefix}' }),
    },
    partition: { format: PARTITION_FORMAT, path: PARTITION_PATH_TEMPLATE },
    dbt_docs: { prefix: DBT_DOCS_PREFIX },
  };
  return `${JSON.stringify(contract, null, 2)}\n`;
}

/** The document whose variable table is generated from the fields above (between the two markers). */
export const PIPELINE_CONTRACT_DOC = 'docs/data-contract.md';
const TABLE_BEGIN = `<!-- xetl_pipeline fields: generated by ${PIPELINE_CONTRACT_COMMAND}; do not edit -->`;
const TABLE_END = '<!-- end of xetl_pipeline fields -->';

/** The variable's fields as a Markdown table: name, type with its bounds or pattern, meaning. */
export function pipelineVariableTable(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = Object.entries(PIPELINE_VARIABLE_FIELDS).map(([key, spec]: [string, FieldSpec]) => {
    const rule = spec.pattern !== undefined
      ? `matches \`${cell(spec.pattern)}\``
      : `${spec.minimum} to ${spec.maximum}`;
    return `| \`${key}\` | ${spec.type} | ${rule} | ${cell(spec.description)} |`;
  });
  return ['| field | type | rule | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

/** `doc` with the text between the table markers replaced by the current table. */
export function withPipelineVariableTable(doc: string): string {
  const begin = doc.indexOf(TABLE_BEGIN);
  const end = doc.indexOf(TABLE_END);
  if (begin < 0 || end < begin) {
    throw new Error(`${PIPELINE_CONTRACT_DOC} lacks the markers "${TABLE_BEGIN}" ... "${TABLE_END}"`);
  }
  return `${doc.slice(0, begin + TABLE_BEGIN.length)}\n${pipelineVariableTable()}\n${doc.slice(end)}`;
}
