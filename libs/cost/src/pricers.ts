/**
 * What each resource type costs, read from its synthesized attributes. A pricer returns drafts
 * (quantity × price key) or says why the resource is free, counted in another resource, or not
 * priceable; the estimator turns drafts into line items with the snapshot's prices.
 */
import { PARKED_ENABLED } from '@xetl/config';
import type { AssumptionName, Assumptions } from './assumptions';
import type { Part } from './model';
import type { Attributes, DataBuckets, StackInput } from './stacks';

/** AWS bills always-on resources for 730 hours a month (8,760 / 12). */
export const HOURS_PER_MONTH = 730;

export interface ResourceRef {
  readonly stack: StackInput;
  readonly type: string;
  readonly name: string;
  readonly attrs: Attributes;
  readonly address: string;
}

export interface Draft {
  readonly component: string;
  readonly part: Part;
  readonly quantity: number;
  readonly priceKey: string;
  /** Assumptions the quantity depends on. */
  readonly uses?: readonly AssumptionName[];
}

export type Outcome =
  | { readonly kind: 'priced'; readonly drafts: readonly Draft[]; readonly parkable?: boolean }
  | { readonly kind: 'free'; readonly reason: string }
  | { readonly kind: 'counted-in'; readonly reason: string }
  | { readonly kind: 'unpriced'; readonly reason: string };

export interface PricingContext {
  readonly a: Assumptions;
  readonly dataBuckets: DataBuckets;
  /** Bytes of a file of the stack's folder (`aws_s3_object.source`), or undefined when absent. */
  readonly fileSize: (stack: StackInput, relativePath: string) => number | undefined;
  /** Pricing the stacks as parked: what the park switch turns off is off. */
  readonly parked: boolean;
}

type Pricer = (r: ResourceRef, ctx: PricingContext) => Outcome;

const GB = 1024 ** 3;
const MB_PER_GB = 1024;
const priced = (drafts: Draft[], parkable = false): Outcome => ({ kind: 'priced', drafts, parkable });
const free = (reason: string): Outcome => ({ kind: 'free', reason });
const countedIn = (reason: string): Outcome => ({ kind: 'counted-in', reason });
const unpriced = (reason: string): Outcome => ({ kind: 'unpriced', reason });

/** cdktf writes single nested blocks either as an object or as a one-element list. */
function block(value: unknown): Attributes | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v && typeof v === 'object' ? (v as Attributes) : undefined;
}
function num(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
/** Whether `attrs` holds a reference such as `${aws_kms_key.Key.arn}` to the resource. */
function refersTo(attrs: Attributes, type: string, name: string): boolean {
  return JSON.stringify(attrs).includes(`\${${type}.${name}.`);
}
function resourcesOf(stack: StackInput, type: string): [string, Attributes][] {
  return Object.entries(stack.resources[type] ?? {});
}
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Kept one month: the per-run storage lines price a run's output for one month. */
function logLines(gb: number, what: string, part: Part, months: number, uses: AssumptionName[], monthsNote: string): Draft[] {
  return [
    { component: `${what} ingestion`, part, quantity: gb, priceKey: 'logs.ingest.gb', uses },
    { component: `${what} storage, ${monthsNote}`, part, quantity: gb * months, priceKey: 'logs.storage.gb-month', uses },
  ];
}

// ---- MWAA ----------------------------------------------------------------------------------

const MWAA_LOG_TYPES = ['dag_processing_logs', 'scheduler_logs', 'task_logs', 'webserver_logs', 'worker_logs'] as const;

/** The log groups MWAA writes (`airflow-<environment>-<Type>`), when the stack creates them itself. */
const mwaaLogGroups = (stack: StackInput, environment: string) =>
  resourcesOf(stack, 'aws_cloudwatch_log_group').filter(([, g]) => String(g.name ?? '').startsWith(`airflow-${environment}-`));

const mwaaEnvironment: Pricer = ({ stack, attrs }, { a }) => {
  const cls = String(attrs.environment_class ?? 'mw1.small');
  const micro = cls === 'mw1.micro';
  const drafts: Draft[] = [{ component: `environment ${cls}`, part: 'idle', quantity: HOURS_PER_MONTH, priceKey: `mwaa.environment.${cls}` }];
  // The environment fee includes one worker and the default schedulers (2; 1 on mw1.micro).
  const extraWorkers = num(attrs.min_workers, 1) - 1;
  if (extraWorkers > 0) drafts.push({ component: `${plural(extraWorkers, 'worker')} above the included one (min_workers)`, part: 'idle', quantity: extraWorkers * HOURS_PER_MONTH, priceKey: `mwaa.worker.${cls}` });
  const includedSchedulers = micro ? 1 : 2;
  const extraSchedulers = num(attrs.schedulers, includedSchedulers) - includedSchedulers;
  if (extraSchedulers > 0) drafts.push({ component: `${plural(extraSchedulers, 'scheduler')} above the included ${includedSchedulers}`, part: 'idle', quantity: extraSchedulers * HOURS_PER_MONTH, priceKey: `mwaa.scheduler.${cls}` });
  const includedWebservers = micro ? 1 : 2;
  const extraWebservers = num(attrs.min_webservers, includedWebservers) - includedWebservers;
  if (extraWebservers > 0) drafts.push({ component: `${plural(extraWebservers, 'web server')} above the included ${includedWebservers}`, part: 'idle', quantity: extraWebservers * HOURS_PER_MONTH, priceKey: `mwaa.webserver.${cls}` });
  drafts.push({ component: 'metadata database storage', part: 'idle', quantity: a.mwaaMetaDatabaseGb, priceKey: 'mwaa.metadb.gb-month', uses: ['mwaaMetaDatabaseGb'] });

  const logging = block(attrs.logging_configuration) ?? {};
  const levels: string[] = [];
  for (const t of MWAA_LOG_TYPES) {
    const cfg = block(logging[t]);
    if (cfg?.enabled === true) levels.push(String(cfg.log_level ?? 'INFO'));
  }
  if (levels.length) {
    const verbose = levels.filter((l) => l === 'INFO' || l === 'DEBUG').length;
    const quiet = levels.length - verbose;
    const gb = verbose * a.mwaaLogGbAtInfo + quiet * a.mwaaLogGbAtWarning;
    const what = `Airflow logs (${verbose} INFO, ${quiet} WARNING)`;
    // Kept as long as the log groups the stack creates for MWAA keep them; MWAA's own never expire.
    const days = Math.max(0, ...mwaaLogGroups(stack, String(attrs.name)).map(([, g]) => num(g.retention_in_days, 0)));
    if (days) drafts.push(...logLines(gb, what, 'idle', days / 30, ['mwaaLogGbAtInfo', 'mwaaLogGbAtWarning'], `kept ${days} days`));
    else drafts.push(...logLines(gb, what, 'idle', a.unsetRetentionMonths, ['mwaaLogGbAtInfo', 'mwaaLogGbAtWarning', 'unsetRetentionMonths'], `no expiry: ${a.unsetRetentionMonths} months`));
  }
  drafts.push({ component: 'S3 requests re-syncing the DAG folder', part: 'idle', quantity: a.mwaaDagBucketRequestsPerMonth, priceKey: 's3.request.put', uses: ['mwaaDagBucketRequestsPerMonth'] });
  const options = (attrs.airflow_configuration_options ?? {}) as Attributes;
  if (String(options['secrets.backend'] ?? '').includes('SecretsManagerBackend')) {
    drafts.push({ component: 'Secrets Manager calls of the secrets backend', part: 'run', quantity: a.secretsCallsPerRun, priceKey: 'secretsmanager.request', uses: ['secretsCallsPerRun'] });
  }
  return priced(drafts, true);
};

// ---- network -------------------------------------------------------------------------------

const vpcEndpoint: Pricer = ({ attrs }) => {
  const kind = String(attrs.vpc_endpoint_type ?? 'Gateway');
  if (kind === 'Gateway') return free('gateway endpoints (S3, DynamoDB) have no charge');
  if (kind !== 'Interface') return unpriced(`${kind} endpoints are not in the price catalog`);
  const subnets = attrs.subnet_ids;
  if (!Array.isArray(subnets) || subnets.length === 0) return unpriced('interface endpoint without a literal subnet_ids list: its AZ count is unknown');
  const service = String(attrs.service_name ?? '?').split('.').slice(3).join('.');
  return priced([{ component: `interface endpoint ${service}, ${plural(subnets.length, 'AZ')}`, part: 'idle', quantity: HOURS_PER_MONTH * subnets.length, priceKey: 'vpc.interface-endpoint.hour' }], true);
};

const natGateway: Pricer = (_r, { a }) => priced([
  { component: 'NAT gateway', part: 'idle', quantity: HOURS_PER_MONTH, priceKey: 'vpc.nat-gateway.hour' },
  { component: 'NAT data processed', part: 'idle', quantity: a.natGbPerMonth, priceKey: 'vpc.nat-gateway.gb', uses: ['natGbPerMonth'] },
]);

const elasticIp: Pricer = () => priced([{ component: 'public IPv4 address', part: 'idle', quantity: HOURS_PER_MONTH, priceKey: 'vpc.public-ipv4.hour' }]);

const flowLog: Pricer = ({ stack, attrs }) => {
  const group = resourcesOf(stack, 'aws_cloudwatch_log_group').find(([name]) => refersTo(attrs, 'aws_cloudwatch_log_group', name));
  if (group) return countedIn(`its records are priced on aws_cloudwatch_log_group.${group[0]}`);
  return unpriced(`flow logs to ${String(attrs.log_destination_type ?? 'a destination outside this stack')} are not in the price catalog`);
};

// ---- keys and secrets ----------------------------------------------------------------------

const kmsKey: Pricer = (_r, { a }) => priced([
  { component: 'customer managed key', part: 'idle', quantity: 1, priceKey: 'kms.key.month' },
  { component: 'key requests', part: 'idle', quantity: a.kmsRequestsPerKeyMonth, priceKey: 'kms.request', uses: ['kmsRequestsPerKeyMonth'] },
]);

const secret: Pricer = () => priced([{ component: 'secret', part: 'idle', quantity: 1, priceKey: 'secretsmanager.secret.month' }]);

// ---- Redshift Serverless -------------------------------------------------------------------

const workgroup: Pricer = ({ attrs }, { a }) => {
  const base = num(attrs.base_capacity, 128); // AWS's default base capacity
  const seconds = Math.max(60, a.redshiftActiveSeconds);
  return priced([
    { component: `compute while no query runs (${base} RPU base)`, part: 'idle', quantity: 0, priceKey: 'redshift-serverless.rpu-hour' },
    { component: `${base} RPU base capacity × ${seconds} s of queries`, part: 'run', quantity: (base * seconds) / 3600, priceKey: 'redshift-serverless.rpu-hour', uses: ['redshiftActiveSeconds'] },
    { component: 'managed storage of one partition, one month', part: 'run', quantity: a.warehouseMbPerPartition / MB_PER_GB, priceKey: 'redshift.managed-storage.gb-month', uses: ['warehouseMbPerPartition'] },
  ]);
};

const namespace: Pricer = ({ attrs }, { a }) => {
  const drafts: Draft[] = [];
  if (attrs.manage_admin_password === true) drafts.push({ component: 'admin password secret (managed by Redshift)', part: 'idle', quantity: 1, priceKey: 'secretsmanager.secret.month' });
  const exports = Array.isArray(attrs.log_exports) ? attrs.log_exports.length : 0;
  if (exports) drafts.push(...logLines((exports * a.redshiftLogMbPerExport) / MB_PER_GB, `${plural(exports, 'log export')}:`, 'run', 1, ['redshiftLogMbPerExport'], 'one month'));
  return drafts.length ? priced(drafts) : free('the namespace has no charge of its own; compute and storage are priced on the workgroup');
};

// ---- Glue ----------------------------------------------------------------------------------

/** DPUs per worker of each Glue worker type. */
export const GLUE_DPU_PER_WORKER: Readonly<Record<string, number>> = { 'G.025X': 0.25, 'G.1X': 1, 'G.2X': 2, 'G.4X': 4, 'G.8X': 8, 'Z.2X': 2 };

const glueJob: Pricer = ({ attrs }, { a }) => {
  const workerType = attrs.worker_type as string | undefined;
  const workers = num(attrs.number_of_workers, 0);
  const dpus = workerType ? (GLUE_DPU_PER_WORKER[workerType] ?? NaN) * workers : num(attrs.max_capacity, 0);
  if (!(dpus > 0)) return unpriced(workerType && !GLUE_DPU_PER_WORKER[workerType] ? `worker type ${workerType} is not in the DPU table` : 'no worker_type/number_of_workers or max_capacity');
  const flex = attrs.execution_class === 'FLEX';
  const minutes = Math.max(1, a.glueJobMinutes);
  const size = workerType ? `${workers} × ${workerType}` : `max_capacity ${dpus}`;
  const drafts: Draft[] = [{ component: `${size} = ${dpus} DPU × ${minutes} min, ${flex ? 'flex' : 'standard'} execution`, part: 'run', quantity: (dpus * minutes) / 60, priceKey: flex ? 'glue.etl-flex.dpu-hour' : 'glue.etl.dpu-hour', uses: ['glueJobMinutes'] }];
  const args = (attrs.default_arguments ?? {}) as Attributes;
  if (args['--enable-continuous-cloudwatch-log'] === 'true') drafts.push(...logLines(a.glueLogMbPerRun / MB_PER_GB, 'job logs', 'run', 1, ['glueLogMbPerRun'], 'one month'));
  return priced(drafts);
};

const glueCrawler: Pricer = (_r, { a }) => {
  const minutes = Math.max(10, a.crawlerMinutes);
  return priced([{ component: `${a.crawlerDpus} DPU × ${minutes} min (10-minute minimum)`, part: 'run', quantity: (a.crawlerDpus * minutes) / 60, priceKey: 'glue.crawler.dpu-hour', uses: ['crawlerDpus', 'crawlerMinutes'] }]);
};

// ---- logs ----------------------------------------------------------------------------------

const logGroup: Pricer = ({ stack, name, attrs }, { a }) => {
  const days = num(attrs.retention_in_days, 0);
  const months = days ? days / 30 : a.unsetRetentionMonths;
  const kept = days ? `kept ${days} days` : `never expires: ${a.unsetRetentionMonths} months counted`;
  const flowLogs = resourcesOf(stack, 'aws_flow_log').filter(([, f]) => refersTo(f, 'aws_cloudwatch_log_group', name));
  if (flowLogs.length) {
    const gb = flowLogs.length * a.flowLogGbPerMonth;
    const uses: AssumptionName[] = ['flowLogGbPerMonth', ...(days ? [] : ['unsetRetentionMonths' as const])];
    return priced([
      { component: `flow logs of ${plural(flowLogs.length, 'VPC')} ingestion (vended)`, part: 'idle', quantity: gb, priceKey: 'logs.vended-ingest.gb', uses },
      { component: `flow logs storage, ${kept}`, part: 'idle', quantity: gb * months, priceKey: 'logs.storage.gb-month', uses },
    ]);
  }
  const lambda = resourcesOf(stack, 'aws_lambda_function').find(([fnName, fn]) =>
    refersTo(fn, 'aws_cloudwatch_log_group', name) || attrs.name === `/aws/lambda/${String(fn.function_name)}` || refersTo(attrs, 'aws_lambda_function', fnName));
  if (lambda) return countedIn(`its log lines are priced per run on aws_lambda_function.${lambda[0]}`);
  const groupName = String(attrs.name ?? '');
  const mwaa = resourcesOf(stack, 'aws_mwaa_environment').find(([, env]) => groupName.startsWith(`airflow-${String(env.name)}-`));
  if (mwaa) return countedIn(`Airflow's logs are priced on aws_mwaa_environment.${mwaa[0]} (per log level)`);
  if (groupName.startsWith('/aws-glue/')) return countedIn('the Glue job\'s and crawler\'s logs are priced per run on aws_glue_job (glueLogMbPerRun)');
  if (groupName.startsWith('/aws/redshift/serverless/') && resourcesOf(stack, 'aws_redshiftserverless_namespace').length) {
    return countedIn('Redshift Serverless exports into it: priced per run on aws_redshiftserverless_namespace (redshiftLogMbPerExport)');
  }
  return priced(logLines(a.logGroupGbPerMonth, 'logs of an unrecognised writer', 'idle', months, ['logGroupGbPerMonth', ...(days ? [] : ['unsetRetentionMonths' as const])], kept));
};

// ---- events, queues, functions -------------------------------------------------------------

const lambdaFunction: Pricer = ({ attrs }, { a }) => {
  const memoryGb = num(attrs.memory_size, 128) / 1024;
  const arch = Array.isArray(attrs.architectures) && attrs.architectures[0] === 'arm64' ? 'arm64' : 'x86_64';
  return priced([
    { component: 'invocation', part: 'run', quantity: 1, priceKey: 'lambda.request' },
    { component: `${num(attrs.memory_size, 128)} MB × ${a.lambdaSecondsPerRun} s, ${arch}`, part: 'run', quantity: memoryGb * a.lambdaSecondsPerRun, priceKey: `lambda.${arch}.gb-second`, uses: ['lambdaSecondsPerRun'] },
    ...logLines(a.lambdaLogKbPerRun / (1024 * 1024), 'function logs', 'run', 1, ['lambdaLogKbPerRun'], 'one month'),
  ]);
};

const eventSourceMapping: Pricer = ({ attrs }, { a, parked }) => {
  if (attrs.enabled === false || (parked && attrs.enabled === PARKED_ENABLED)) return free('disabled: it does not poll');
  if (!String(attrs.event_source_arn ?? '').includes('aws_sqs_queue.') && !String(attrs.event_source_arn ?? '').includes(':sqs:')) {
    return unpriced('only SQS event sources are in the price catalog');
  }
  // Parking disables the mapping (docs/cost.md), so its polls are part of what parking saves.
  return priced([{ component: 'long polls of its SQS queue', part: 'idle', quantity: a.sqsPollsPerMonth, priceKey: 'sqs.request', uses: ['sqsPollsPerMonth'] }], true);
};

/** Queues another resource names as its dead-letter target. */
function isDeadLetterQueue(stack: StackInput, name: string): boolean {
  for (const byName of Object.values(stack.resources)) {
    for (const attrs of Object.values(byName)) {
      const dlq = [block(attrs.dead_letter_config)?.target_arn, block(attrs.dead_letter_config)?.arn, attrs.redrive_policy];
      if (dlq.some((v) => typeof v === 'string' && v.includes(`\${aws_sqs_queue.${name}.`))) return true;
    }
  }
  return false;
}

const sqsQueue: Pricer = ({ stack, name }) => (isDeadLetterQueue(stack, name)
  ? priced([{ component: 'dead-letter queue: no requests in a successful run', part: 'run', quantity: 0, priceKey: 'sqs.request' }])
  : priced([{ component: 'send, receive and delete of one event', part: 'run', quantity: 3, priceKey: 'sqs.request' }]));

const snsTopic: Pricer = ({ stack, name }) => {
  const emails = resourcesOf(stack, 'aws_sns_topic_subscription').filter(([, s]) => s.protocol === 'email' && refersTo(s, 'aws_sns_topic', name)).length;
  const drafts: Draft[] = [{ component: 'one notification published', part: 'run', quantity: 1, priceKey: 'sns.publish' }];
  if (emails) drafts.push({ component: `e-mail to ${plural(emails, 'subscriber')}`, part: 'run', quantity: emails, priceKey: 'sns.email' });
  return priced(drafts);
};

const eventTarget: Pricer = ({ stack, attrs }) => {
  const m = /^arn:aws[\w-]*:events:[^:]+:(\d{12}):event-bus\//.exec(String(attrs.arn ?? ''));
  if (m && m[1] !== stack.account) return priced([{ component: `marker event put to account ${m[1]}'s bus`, part: 'run', quantity: 1, priceKey: 'events.custom-event' }]);
  return free('delivering a matched event to a target in the same account has no charge');
};

const dynamodbTable: Pricer = ({ attrs }, { a }) => {
  if (attrs.billing_mode !== 'PAY_PER_REQUEST') return unpriced('provisioned DynamoDB capacity is not in the price catalog');
  return priced([{ component: 'on-demand writes (Terraform state locks)', part: 'idle', quantity: a.stateLockWritesPerMonth, priceKey: 'dynamodb.on-demand.write', uses: ['stateLockWritesPerMonth'] }]);
};

// ---- S3 ------------------------------------------------------------------------------------

const s3Bucket: Pricer = ({ attrs }, { a, dataBuckets }) => {
  const bucket = String(attrs.bucket ?? '');
  const csvGb = (a.partitionRows * a.csvBytesPerRow) / GB;
  const parquetGb = csvGb * a.parquetRatio;
  const partition = ['partitionRows', 'csvBytesPerRow'] as AssumptionName[];
  const parquet = [...partition, 'parquetRatio', 'parquetFilesPerStage'] as AssumptionName[];
  const lines = (puts: number, gets: number, gb: number, what: string, uses: AssumptionName[]): Outcome => priced([
    { component: `${what}: PUT/LIST requests`, part: 'run', quantity: puts, priceKey: 's3.request.put', uses },
    ...(gets ? [{ component: `${what}: GET requests`, part: 'run' as const, quantity: gets, priceKey: 's3.request.get', uses }] : []),
    { component: `${what}: storage, one month`, part: 'run', quantity: gb, priceKey: 's3.standard.gb-month', uses },
  ]);
  // Source: the files and the marker written; listed by the sensor, crawler and job; read twice.
  if (bucket === dataBuckets.source) return lines(a.csvFilesPerPartition + 1 + 3, 2 * a.csvFilesPerPartition, csvGb, 'partition CSV', [...partition, 'csvFilesPerPartition']);
  // Staging: Parquet and its manifest written, listed twice, read by COPY with the manifest.
  if (bucket === dataBuckets.staging) return lines(a.parquetFilesPerStage + 1 + 2, a.parquetFilesPerStage + 1, parquetGb, 'staged Parquet', parquet);
  // Target: the UNLOAD writes Parquet; nothing reads it within the run.
  if (bucket === dataBuckets.target) return lines(a.parquetFilesPerStage, 0, parquetGb, 'unloaded Parquet', parquet);
  return free('a bucket has no charge of its own: objects the stack uploads are priced as aws_s3_object; service-written objects (access logs, Terraform state) are a few MB and not counted');
};

const s3Object: Pricer = ({ stack, attrs }, { fileSize }) => {
  let bytes: number | undefined;
  if (typeof attrs.content === 'string') bytes = Buffer.byteLength(attrs.content);
  else if (typeof attrs.source === 'string') bytes = fileSize(stack, attrs.source);
  if (bytes === undefined) return unpriced('object size unknown: no content and no readable source file');
  return priced([{ component: `stored object, ${(bytes / 1024).toFixed(1)} KB`, part: 'idle', quantity: bytes / GB, priceKey: 's3.standard.gb-month' }]);
};

export const PRICERS: Readonly<Record<string, Pricer>> = {
  aws_mwaa_environment: mwaaEnvironment,
  aws_vpc_endpoint: vpcEndpoint,
  aws_nat_gateway: natGateway,
  aws_eip: elasticIp,
  aws_flow_log: flowLog,
  aws_kms_key: kmsKey,
  aws_secretsmanager_secret: secret,
  aws_redshiftserverless_workgroup: workgroup,
  aws_redshiftserverless_namespace: namespace,
  aws_glue_job: glueJob,
  aws_glue_crawler: glueCrawler,
  aws_cloudwatch_log_group: logGroup,
  aws_lambda_function: lambdaFunction,
  aws_lambda_event_source_mapping: eventSourceMapping,
  aws_sqs_queue: sqsQueue,
  aws_sns_topic: snsTopic,
  aws_cloudwatch_event_target: eventTarget,
  aws_dynamodb_table: dynamodbTable,
  aws_s3_bucket: s3Bucket,
  aws_s3_object: s3Object,
};

const BUCKET_CONFIG = 'bucket configuration has no charge; storage and requests are priced on the bucket and its objects';
const VPC_PART = 'VPC building blocks have no charge';

/** Types with no charge of their own, with why; listed by type in every estimate. */
export const FREE_TYPES: Readonly<Record<string, string>> = {
  aws_iam_role: 'IAM has no charge',
  aws_iam_role_policy: 'IAM has no charge',
  aws_iam_policy: 'IAM has no charge',
  aws_iam_role_policy_attachment: 'IAM has no charge',
  aws_iam_openid_connect_provider: 'IAM has no charge',
  aws_kms_alias: 'aliases have no charge; the key is priced',
  aws_s3_bucket_lifecycle_configuration: BUCKET_CONFIG,
  aws_s3_bucket_logging: BUCKET_CONFIG,
  aws_s3_bucket_notification: BUCKET_CONFIG,
  aws_s3_bucket_ownership_controls: BUCKET_CONFIG,
  aws_s3_bucket_policy: BUCKET_CONFIG,
  aws_s3_bucket_public_access_block: BUCKET_CONFIG,
  aws_s3_bucket_server_side_encryption_configuration: BUCKET_CONFIG,
  aws_s3_bucket_versioning: BUCKET_CONFIG,
  aws_vpc: VPC_PART,
  aws_subnet: VPC_PART,
  aws_route: VPC_PART,
  aws_route_table: VPC_PART,
  aws_route_table_association: VPC_PART,
  aws_security_group: VPC_PART,
  aws_default_security_group: VPC_PART,
  aws_vpc_security_group_egress_rule: VPC_PART,
  aws_vpc_security_group_ingress_rule: VPC_PART,
  aws_vpc_peering_connection: 'peering has no hourly charge; data crossing AZs is data transfer, not counted',
  aws_cloudwatch_event_bus: 'a custom bus has no charge of its own; events are priced where they are put',
  aws_cloudwatch_event_bus_policy: 'bus policies have no charge',
  aws_cloudwatch_event_rule: 'rules have no charge; events are priced where they are put',
  aws_sqs_queue_policy: 'queue policies have no charge',
  aws_sns_topic_policy: 'topic policies have no charge',
  aws_glue_catalog_database: 'the Data Catalog\'s first million objects and requests a month are free',
  aws_glue_security_configuration: 'security configurations have no charge',
  aws_glue_data_catalog_encryption_settings: 'encrypting the Data Catalog has no charge of its own (KMS requests are counted on the key)',
  aws_lambda_permission: 'permissions have no charge',
  aws_redshiftserverless_usage_limit: 'a usage limit caps RPU-hours; it has no charge',
};

/** Types whose cost is part of another resource's lines. */
export const COUNTED_IN_TYPES: Readonly<Record<string, string>> = {
  aws_secretsmanager_secret_version: 'billed with its secret',
  aws_sns_topic_subscription: 'deliveries are priced on the topic',
};
