import { CostError } from './errors';

/**
 * The usage the estimate assumes: everything a synthesized stack cannot say (how long a Glue run
 * takes, how many log bytes MWAA writes). Each has a default with its reason, and
 * `xetl cost --assume name=value` changes it. Every estimate prints the values it used.
 */
export interface AssumptionDefinition {
  readonly default: number;
  readonly unit: string;
  readonly description: string;
  /** Why the default is what it is. */
  readonly basis: string;
  readonly integer?: boolean;
}

export const ASSUMPTIONS = {
  runsPerMonth: {
    default: 30, unit: 'runs/month', integer: true,
    description: 'partition runs a month, for the monthly total',
    basis: 'one partition a day',
  },
  partitionRows: {
    default: 1_000_000, unit: 'rows', integer: true,
    description: 'rows in one partition',
    basis: 'the size docs/cost.md prices',
  },
  csvBytesPerRow: {
    default: 74, unit: 'bytes/row',
    description: 'size of a row in the dropped CSV files',
    basis: '1M rows from tools/sample_data are 74 MB of CSV',
  },
  csvFilesPerPartition: {
    default: 4, unit: 'files', integer: true,
    description: 'CSV files dropped per partition (plus one _SUCCESS marker)',
    basis: 'a small feed split in a few files',
  },
  parquetRatio: {
    default: 0.3, unit: '× CSV size',
    description: 'size of the Parquet written to staging and target, relative to the CSV',
    basis: 'snappy Parquet of the products feed is about a third of its CSV',
  },
  parquetFilesPerStage: {
    default: 4, unit: 'files', integer: true,
    description: 'Parquet files the Glue job writes to staging and the UNLOAD writes to target',
    basis: 'one file per Spark task / Redshift slice on the smallest sizes',
  },
  warehouseMbPerPartition: {
    default: 30, unit: 'MB',
    description: 'Redshift managed storage one partition takes',
    basis: 'columnar compression of 1M rows, about the Parquet size',
  },
  glueJobMinutes: {
    default: 3, unit: 'minutes',
    description: 'billed duration of one Glue job run (billed per second, 1-minute minimum)',
    basis: 'a 1M-row partition on 2 × G.1X; replace with ExecutionTime from `xetl status`',
  },
  crawlerMinutes: {
    default: 2, unit: 'minutes',
    description: 'duration of one crawl (billed per second, 10-minute minimum)',
    basis: 'CRAWL_NEW_FOLDERS_ONLY over one new partition folder',
  },
  crawlerDpus: {
    default: 2, unit: 'DPU',
    description: 'DPUs a crawl uses (AWS picks it; the console shows it per crawl)',
    basis: 'AWS pricing examples use 2 DPUs for small crawls',
  },
  redshiftActiveSeconds: {
    default: 180, unit: 'seconds',
    description: 'seconds the workgroup runs queries in one run: load, quality checks, unload (60-second minimum)',
    basis: 'three short statement groups at base capacity',
  },
  lambdaSecondsPerRun: {
    default: 2, unit: 'seconds',
    description: 'trigger Lambda duration per run',
    basis: 'one MWAA InvokeRestApi call',
  },
  secretsCallsPerRun: {
    default: 20, unit: 'calls',
    description: 'Secrets Manager GetSecretValue calls in one run',
    basis: "Airflow's secrets backend looks up variables and connections per task",
  },
  kmsRequestsPerKeyMonth: {
    default: 10_000, unit: 'requests/month',
    description: 'KMS requests each customer managed key serves a month',
    basis: 'S3 bucket keys and SQS/secrets data-key reuse keep requests low',
  },
  mwaaMetaDatabaseGb: {
    default: 1, unit: 'GB',
    description: 'MWAA metadata database size',
    basis: 'one DAG with a few months of run history',
  },
  mwaaLogGbAtInfo: {
    default: 1, unit: 'GB/month',
    description: 'CloudWatch Logs one MWAA log type writes a month at INFO (or DEBUG)',
    basis: 'an idle scheduler logs every loop at INFO',
  },
  mwaaLogGbAtWarning: {
    default: 0.05, unit: 'GB/month',
    description: 'CloudWatch Logs one MWAA log type writes a month at WARNING, ERROR or CRITICAL',
    basis: 'a healthy environment warns rarely',
  },
  mwaaDagBucketRequestsPerMonth: {
    default: 100_000, unit: 'requests/month',
    description: "S3 LIST/GET requests MWAA makes on its DAG bucket while it re-syncs DAGs",
    basis: 'containers re-sync the DAG folder every few minutes; check S3 request metrics',
  },
  flowLogGbPerMonth: {
    default: 0.5, unit: 'GB/month',
    description: 'flow log records one VPC flow log (all traffic, 10-minute aggregation) delivers a month',
    basis: 'a few dozen ENIs talking to endpoints around the clock',
  },
  logGroupGbPerMonth: {
    default: 0.1, unit: 'GB/month',
    description: 'ingestion of a log group whose writer the estimator does not recognise',
    basis: 'a small application log',
  },
  unsetRetentionMonths: {
    default: 12, unit: 'months',
    description: 'months of logs kept by log groups with no retention (they never expire)',
    basis: 'the storage such a group reaches after a year',
  },
  glueLogMbPerRun: {
    default: 5, unit: 'MB',
    description: 'continuous CloudWatch logging of one Glue job run',
    basis: 'driver and executor logs at the default level',
  },
  redshiftLogMbPerExport: {
    default: 1, unit: 'MB/run',
    description: 'log records each Redshift log export writes per run',
    basis: 'a few dozen statements and connections',
  },
  lambdaLogKbPerRun: {
    default: 5, unit: 'KB',
    description: 'trigger Lambda log per run',
    basis: 'start/end/report lines and one result line',
  },
  sqsPollsPerMonth: {
    default: 657_000, unit: 'requests/month',
    description: "Lambda event source mapping's long polls of its queue while idle",
    basis: '5 pollers × 3 twenty-second long polls a minute × 43,800 minutes',
  },
  natGbPerMonth: {
    default: 10, unit: 'GB/month',
    description: 'data through each NAT gateway a month',
    basis: 'package and image pulls of a small environment',
  },
  stateLockWritesPerMonth: {
    default: 300, unit: 'writes/month',
    description: 'Terraform lock-table writes a month',
    basis: 'a plan or apply takes and releases the lock',
  },
} satisfies Record<string, AssumptionDefinition>;

export type AssumptionName = keyof typeof ASSUMPTIONS;
export type Assumptions = Readonly<Record<AssumptionName, number>>;

export const DEFAULT_ASSUMPTIONS: Assumptions = Object.fromEntries(
  Object.entries(ASSUMPTIONS).map(([k, d]) => [k, d.default]),
) as Assumptions;

/** Applies `name=value` overrides (from `--assume`) to the defaults; a bad one is a one-line error. */
export function parseAssumptions(overrides: readonly string[]): Assumptions {
  const out: Record<string, number> = { ...DEFAULT_ASSUMPTIONS };
  for (const o of overrides) {
    const m = /^([A-Za-z]+)=(.+)$/.exec(o.trim());
    if (!m) throw new CostError(`--assume takes name=value, got "${o}"; names: ${Object.keys(ASSUMPTIONS).join(', ')}`);
    const [, name, raw] = m;
    const def = (ASSUMPTIONS as Record<string, AssumptionDefinition>)[name];
    if (!def) throw new CostError(`unknown assumption "${name}"; names: ${Object.keys(ASSUMPTIONS).join(', ')}`);
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0 || (def.integer && !Number.isInteger(value))) {
      throw new CostError(`--assume ${name} must be ${def.integer ? 'a whole number' : 'a number'} >= 0 (${def.unit}), got "${raw}"`);
    }
    out[name] = value;
  }
  return out as Assumptions;
}
