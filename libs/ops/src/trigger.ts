import { PIPELINE_DAG_ID } from '@xetl/config';
import type { OpsContext } from './context';
import { EXIT, XetlError, explainAwsError } from './errors';
import { parsePartition } from './partition';

/** The DAG's id, from the pipeline contract (libs/config/src/pipeline-contract.ts). */
export const DAG_ID = PIPELINE_DAG_ID;
export const DAG_RUNS_PATH = `/dags/${DAG_ID}/dagRuns`;

export interface TriggerResult {
  readonly dagId: string;
  readonly runId: string;
  readonly partition: string;
  readonly state?: string;
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
export async function trigger(ctx: OpsContext, partitionText: string): Promise<TriggerResult> {
  const partition = parsePartition(partitionText, '--partition').date;
  const runId = manualRunId(partition, ctx.now());
  let res;
  try {
    res = await ctx.clients.airflow(ctx.names.mwaaEnvironment).invoke({
      path: DAG_RUNS_PATH,
      method: 'POST',
      // logical_date must be present (Airflow 3.0) and null: the partition, not a date, names the data.
      body: { dag_run_id: runId, logical_date: null, conf: { partition } },
    });
  } catch (err) {
    throw explainAwsError(err, 'airflow:InvokeRestApi', `MWAA environment ${ctx.names.mwaaEnvironment}`, 'deploy the analytics stack first');
  }
  if (res.status === 409) {
    throw new XetlError(`a DAG run ${runId} already exists (Airflow 409: ${airflowDetail(res.body)}); wait a second and trigger again, or see xetl status`, EXIT.refused);
  }
  if (res.status < 200 || res.status >= 300) throw airflowError(ctx, res.status, res.body, `POST ${DAG_RUNS_PATH}`);
  const body = res.body as { dag_run_id?: string; state?: string };
  return { dagId: DAG_ID, runId: body?.dag_run_id ?? runId, partition, state: body?.state, environment: ctx.names.mwaaEnvironment };
}

export function renderTrigger(r: TriggerResult): string[] {
  return [`triggered ${r.dagId} for partition ${r.partition} in ${r.environment}`, `run id: ${r.runId}${r.state ? ` (${r.state})` : ''}`];
}
