import type { OpsContext } from './context';
import { explainAwsError } from './errors';
import { parsePartition } from './partition';
import { formatDuration, table } from './text';
import { DAG_ID, DAG_RUNS_PATH, airflowError } from './trigger';

/** One DAG run, as `xetl runs` and `xetl status` print it with `--json`. */
export interface DagRunRow {
  readonly run_id: string;
  /** Airflow's state: queued, running, success or failed. */
  readonly state: string;
  /** The run's `conf.partition`; null for a run without one (a scheduled run derives its day). */
  readonly partition: string | null;
  readonly run_type: string | null;
  /** Null for manual and event runs (they name the partition in conf); set for scheduled ones. */
  readonly logical_date: string | null;
  readonly queued_at: string | null;
  readonly start_date: string | null;
  readonly end_date: string | null;
  /** From start to end, or to now while running; null before it starts. */
  readonly duration_seconds: number | null;
  readonly note: string | null;
}

export interface RunsResult {
  readonly environment: string;
  readonly dag_id: string;
  /** Where the runs were read: MWAA's REST API or the local run's Airflow. */
  readonly source: 'mwaa' | 'local-airflow';
  readonly partition: string | null;
  readonly runs: readonly DagRunRow[];
  /** Runs looked at to find these (a partition filter reads pages until it has enough). */
  readonly scanned: number;
}

/** Airflow's page size ceiling for list endpoints. */
const PAGE_SIZE = 100;
/** How far back a partition filter looks: the most recent runs, at most this many. */
export const PARTITION_SCAN_LIMIT = 1000;

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

export function toDagRunRow(r: Record<string, unknown>, now: Date): DagRunRow {
  const start = str(r.start_date);
  const end = str(r.end_date);
  const partition = (r.conf as { partition?: unknown } | null | undefined)?.partition;
  const duration = start ? Math.round(((end ? Date.parse(end) : now.getTime()) - Date.parse(start)) / 1000) : null;
  return {
    run_id: String(r.dag_run_id ?? r.run_id ?? '?'),
    state: String(r.state ?? 'unknown'),
    partition: typeof partition === 'string' ? partition : null,
    run_type: str(r.run_type),
    logical_date: str(r.logical_date),
    queued_at: str(r.queued_at),
    start_date: start,
    end_date: end,
    duration_seconds: duration !== null && Number.isFinite(duration) ? Math.max(0, duration) : null,
    note: str(r.note),
  };
}

export interface ListRunsOptions {
  readonly limit: number;
  /** Only runs whose conf names this partition. */
  readonly partition?: string;
  /** Only runs created at or after this time (ISO 8601). */
  readonly runAfterGte?: string;
}

/**
 * The most recent runs of the DAG, newest first (`GET /dags/<dag_id>/dagRuns`, ordered by
 * `-run_after`: manual runs have no logical date). Airflow cannot filter on conf, so a partition
 * filter reads pages of 100 until it has `limit` runs or has looked at 1,000.
 */
export async function listDagRuns(ctx: OpsContext, options: ListRunsOptions): Promise<{ runs: DagRunRow[]; scanned: number }> {
  const found: DagRunRow[] = [];
  let offset = 0;
  const pageSize = options.partition ? PAGE_SIZE : Math.min(options.limit, PAGE_SIZE);
  for (;;) {
    let res;
    try {
      res = await ctx.airflow().invoke({
        path: DAG_RUNS_PATH,
        method: 'GET',
        query: { limit: pageSize, offset, order_by: '-run_after', ...(options.runAfterGte ? { run_after_gte: options.runAfterGte } : {}) },
      });
    } catch (err) {
      throw explainAwsError(err, 'airflow:InvokeRestApi', `MWAA environment ${ctx.names.mwaaEnvironment}`, 'deploy the analytics stack first');
    }
    if (res.status !== 200) throw airflowError(ctx, res.status, res.body, `GET ${DAG_RUNS_PATH}`);
    const body = res.body as { dag_runs?: Array<Record<string, unknown>>; total_entries?: number } | undefined;
    const page = body?.dag_runs ?? [];
    offset += page.length;
    for (const r of page.map((x) => toDagRunRow(x, ctx.now()))) {
      if (!options.partition || r.partition === options.partition) found.push(r);
    }
    const exhausted = page.length < pageSize || (typeof body?.total_entries === 'number' && offset >= body.total_entries);
    if (found.length >= options.limit || exhausted || offset >= PARTITION_SCAN_LIMIT) break;
  }
  return { runs: found.slice(0, options.limit), scanned: offset };
}

/** `xetl runs`: recent DAG runs with state and duration, optionally of one partition. */
export async function runs(ctx: OpsContext, options: { limit?: number; partition?: string } = {}): Promise<RunsResult> {
  const partition = options.partition === undefined ? undefined : parsePartition(options.partition, '--partition').date;
  const listed = await listDagRuns(ctx, { limit: options.limit ?? 10, partition });
  return {
    environment: ctx.env.name,
    dag_id: DAG_ID,
    source: ctx.env.localOnly ? 'local-airflow' : 'mwaa',
    partition: partition ?? null,
    runs: listed.runs,
    scanned: listed.scanned,
  };
}

export function renderRuns(r: RunsResult): string[] {
  const where = r.source === 'mwaa' ? `MWAA environment of ${r.environment}` : 'the local Airflow (npm run local)';
  const head = `${r.dag_id} runs in ${where}${r.partition ? ` for partition ${r.partition}` : ''}`;
  if (r.runs.length === 0) {
    return [head, r.partition ? `  none among the last ${r.scanned} run(s)` : '  no runs yet'];
  }
  return [head, ...table([
    ['RUN ID', 'STATE', 'PARTITION', 'STARTED', 'DURATION'],
    ...r.runs.map((d) => [d.run_id, d.state, d.partition ?? '-', d.start_date ?? '-', formatDuration(d.duration_seconds)]),
  ])];
}
