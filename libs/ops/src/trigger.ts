import { PIPELINE_DAG_ID } from '@xetl/config';
import type { OpsContext } from './context';
import { EXIT, XetlError, explainAwsError } from './errors';
import { parsePartition } from './partition';

/** The DAG's id, from the pipeline contract (libs/config/src/pipeline-contract.ts). */
export const DAG_ID = PIPELINE_DAG_ID;
export const DAG_RUNS_PATH = `/dags/${DAG_ID}/dagRuns`;
/** The DAG's Glue task and the job argument naming its run (dags/xetl_tasks: TaskIds, aws.py). */
export const GLUE_TASK_ID = 'start_glue_job';
export const GLUE_RUN_ID_ARGUMENT = '--run_id';

/** `xetl trigger --partition D --json` (libs/ops/schemas/trigger.schema.json). */
export interface TriggerResult {
  readonly dag_id: string;
  readonly run_id: string;
  readonly partition: string;
  readonly state: string | null;
  readonly environment: string;
}

/** `manual__<partition>__<UTC yyyymmddThhmmssZ>`: sortable, readable and unique per second. */
export function manualRunId(partition: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return `manual__${partition}__${stamp}`;
}

function airflowDetail(body: unknown): string {
  const b = body as { detail?: unknown; title?: unknown } | undefined;
  const detail = typeof b?.detail === 'string' ? b.detail : typeof b?.title === 'string' ? b.title : JSON.stringify(body ?? '');
  return detail.split('\n')[0].slice(0, 200);
}

/** Maps an Airflow status from InvokeRestApi to one operator line. */
export function airflowError(ctx: OpsContext, status: number, body: unknown, what: string): XetlError {
  const env = ctx.names.mwaaEnvironment;
  if (status === 401 || status === 403) {
    return new XetlError(`Airflow refused ${what} (${status}); grant airflow:InvokeRestApi on arn:${ctx.names.partition}:airflow:${ctx.env.region}:${ctx.names.accountId('analytics')}:role/${env}/Op (or User) to the caller`, EXIT.aws);
  }
  if (status === 404) {
    return new XetlError(`DAG ${DAG_ID} not found in MWAA environment ${env} (${airflowDetail(body)}); check that the DAGs are deployed and parse without errors`, EXIT.aws);
  }
  return new XetlError(`Airflow answered ${status} to ${what}: ${airflowDetail(body)}`, status >= 500 ? EXIT.unexpected : EXIT.refused);
}

/** Starts one DAG run for a partition through MWAA's InvokeRestApi (Airflow 3 body). */
export async function trigger(ctx: OpsContext, partitionText: string, options: { note?: string } = {}): Promise<TriggerResult> {
  const partition = parsePartition(partitionText, '--partition').date;
  const runId = manualRunId(partition, ctx.now());
  let res;
  try {
    res = await ctx.airflow().invoke({
      path: DAG_RUNS_PATH,
      method: 'POST',
      // logical_date must be present (Airflow 3.0) and null: the partition, not a date, names the data.
      body: { dag_run_id: runId, logical_date: null, conf: { partition }, note: options.note ?? 'xetl trigger' },
    });
  } catch (err) {
    throw explainAwsError(err, 'airflow:InvokeRestApi', `MWAA environment ${ctx.names.mwaaEnvironment}`, 'deploy the analytics stack first');
  }
  if (res.status === 409) {
    throw new XetlError(`a DAG run ${runId} already exists (Airflow 409: ${airflowDetail(res.body)}); wait a second and trigger again, or see xetl status`, EXIT.refused);
  }
  if (res.status < 200 || res.status >= 300) throw airflowError(ctx, res.status, res.body, `POST ${DAG_RUNS_PATH}`);
  const body = res.body as { dag_run_id?: string; state?: string };
  return { dag_id: DAG_ID, run_id: body?.dag_run_id ?? runId, partition, state: body?.state ?? null, environment: ctx.names.mwaaEnvironment };
}

export function renderTrigger(r: TriggerResult): string[] {
  return [`triggered ${r.dag_id} for partition ${r.partition} in ${r.environment}`, `run id: ${r.run_id}${r.state ? ` (${r.state})` : ''}`];
}
