import { GetCrawlerCommand, GetJobRunsCommand } from '@aws-sdk/client-glue';
import { GetWorkgroupCommand } from '@aws-sdk/client-redshift-serverless';
import type { OpsContext } from './context';
import { explainAwsError } from './errors';
import { queueDepth, type QueueDepth } from './queues';
import { DAG_ID, DAG_RUNS_PATH, airflowError } from './trigger';

/** Each part of the report stands alone: a failing part carries its error, the others still show. */
export type Part<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export interface CrawlerStatus {
  readonly name: string;
  readonly state: string;
  readonly lastCrawl?: { readonly status: string; readonly startTime?: string; readonly error?: string };
}
export interface JobRunStatus {
  readonly id: string;
  readonly state: string;
  readonly startedOn?: string;
  readonly completedOn?: string;
  readonly durationSeconds?: number;
  readonly partition?: string;
  readonly error?: string;
}
export interface WorkgroupStatus {
  readonly name: string;
  readonly status: string;
  readonly endpoint?: string;
}
export interface DagRunStatus {
  readonly runId: string;
  readonly state: string;
  readonly partition?: string;
  readonly logicalDate?: string | null;
  readonly startDate?: string | null;
  readonly endDate?: string | null;
}
export interface StatusReport {
  readonly environment: string;
  readonly crawler: Part<CrawlerStatus>;
  readonly job: Part<{ readonly name: string; readonly runs: readonly JobRunStatus[] }>;
  readonly workgroup: Part<WorkgroupStatus>;
  readonly dagRuns: Part<{ readonly dagId: string; readonly runs: readonly DagRunStatus[] }>;
  /** The event-driven trigger's queue and dead-letter queue (docs/event-trigger.md). */
  readonly triggerQueues: Part<{ readonly queue: QueueDepth; readonly dlq: QueueDepth }>;
}

/** Runs started by the event trigger carry this run-id prefix (apps/trigger/xetl_trigger/handler.py). */
export const EVENT_RUN_PREFIX = 'event__';

async function part<T>(f: () => Promise<T>): Promise<Part<T>> {
  try {
    return { ok: true, value: await f() };
  } catch (err) {
    return { ok: false, error: (err as Error).message.split('\n')[0] };
  }
}

const iso = (d?: Date) => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined);

/** Reads crawler, job runs, workgroup and DAG runs; never throws for one failing part. */
export async function status(ctx: OpsContext, options: { limit?: number } = {}): Promise<StatusReport> {
  const { names, clients } = ctx;
  const limit = options.limit ?? 5;
  const [crawler, job, workgroup, dagRuns, triggerQueues] = await Promise.all([
    part(async (): Promise<CrawlerStatus> => {
      try {
        const c = (await clients.glue.send(new GetCrawlerCommand({ Name: names.glueCrawler }))).Crawler;
        const last = c?.LastCrawl;
        return {
          name: names.glueCrawler,
          state: c?.State ?? 'UNKNOWN',
          ...(last ? { lastCrawl: { status: last.Status ?? 'UNKNOWN', startTime: iso(last.StartTime), ...(last.ErrorMessage ? { error: last.ErrorMessage } : {}) } } : {}),
        };
      } catch (err) {
        throw explainAwsError(err, 'glue:GetCrawler', `crawler ${names.glueCrawler}`, 'deploy the analytics stack first');
      }
    }),
    part(async () => {
      try {
        const out = await clients.glue.send(new GetJobRunsCommand({ JobName: names.glueJob, MaxResults: limit }));
        const runs: JobRunStatus[] = (out.JobRuns ?? []).slice(0, limit).map((r) => {
          const duration = r.ExecutionTime ?? (r.StartedOn && r.CompletedOn ? Math.round((r.CompletedOn.getTime() - r.StartedOn.getTime()) / 1000) : undefined);
          const partition = r.Arguments?.['--partition'];
          return {
            id: r.Id ?? '?',
            state: r.JobRunState ?? 'UNKNOWN',
            startedOn: iso(r.StartedOn),
            completedOn: iso(r.CompletedOn),
            ...(duration !== undefined ? { durationSeconds: duration } : {}),
            ...(partition ? { partition } : {}),
            ...(r.ErrorMessage ? { error: r.ErrorMessage } : {}),
          };
        });
        return { name: names.glueJob, runs };
      } catch (err) {
        throw explainAwsError(err, 'glue:GetJobRuns', `job ${names.glueJob}`, 'deploy the analytics stack first');
      }
    }),
    part(async (): Promise<WorkgroupStatus> => {
      try {
        const wg = (await clients.redshiftServerless.send(new GetWorkgroupCommand({ workgroupName: names.redshiftWorkgroup }))).workgroup;
        const ep = wg?.endpoint?.address ? `${wg.endpoint.address}:${wg.endpoint.port ?? 5439}` : undefined;
        return { name: names.redshiftWorkgroup, status: wg?.status ?? 'UNKNOWN', ...(ep ? { endpoint: ep } : {}) };
      } catch (err) {
        throw explainAwsError(err, 'redshift-serverless:GetWorkgroup', `workgroup ${names.redshiftWorkgroup}`, 'deploy the analytics stack first');
      }
    }),
    part(async () => {
      let res;
      try {
        res = await clients.airflow(names.mwaaEnvironment).invoke({
          path: DAG_RUNS_PATH, method: 'GET', query: { limit, order_by: '-logical_date' },
        });
      } catch (err) {
        throw explainAwsError(err, 'airflow:InvokeRestApi', `MWAA environment ${names.mwaaEnvironment}`, 'deploy the analytics stack first');
      }
      if (res.status !== 200) throw airflowError(ctx, res.status, res.body, `GET ${DAG_RUNS_PATH}`);
      const list = ((res.body as { dag_runs?: unknown[] })?.dag_runs ?? []) as Array<Record<string, unknown>>;
      const runs = list.slice(0, limit).map((r): DagRunStatus => ({
        runId: String(r.dag_run_id ?? '?'),
        state: String(r.state ?? 'unknown'),
        partition: (r.conf as { partition?: string } | undefined)?.partition,
        logicalDate: (r.logical_date as string | null | undefined) ?? null,
        startDate: (r.start_date as string | null | undefined) ?? null,
        endDate: (r.end_date as string | null | undefined) ?? null,
      }));
      return { dagId: DAG_ID, runs };
    }),
    part(async () => {
      const [queue, dlq] = await Promise.all([queueDepth(ctx, names.triggerQueue), queueDepth(ctx, names.triggerDlq)]);
      return { queue, dlq };
    }),
  ]);
  return { environment: ctx.env.name, crawler, job, workgroup, dagRuns, triggerQueues };
}

/** True when every part was read; the CLI exits 4 otherwise. */
export function statusComplete(r: StatusReport): boolean {
  return r.crawler.ok && r.job.ok && r.workgroup.ok && r.dagRuns.ok && r.triggerQueues.ok;
}

function duration(seconds?: number): string {
  if (seconds === undefined) return '-';
  const m = Math.floor(seconds / 60);
  return m ? `${m}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => '  ' + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd());
}

/** The human view; pure, so tests pin it exactly. */
export function renderStatus(r: StatusReport): string[] {
  const lines = [`xetl status: environment ${r.environment}`, ''];
  lines.push('crawler');
  if (r.crawler.ok) {
    const c = r.crawler.value;
    const last = c.lastCrawl ? `last crawl ${c.lastCrawl.status}${c.lastCrawl.startTime ? ` at ${c.lastCrawl.startTime}` : ''}${c.lastCrawl.error ? ` (${c.lastCrawl.error})` : ''}` : 'never crawled';
    lines.push(`  ${c.name}  ${c.state}  ${last}`);
  } else lines.push(`  ERROR ${r.crawler.error}`);

  lines.push('', 'job runs');
  if (r.job.ok) {
    if (r.job.value.runs.length === 0) lines.push(`  ${r.job.value.name}: no runs yet`);
    else lines.push(...table([
      ['RUN', 'STATE', 'PARTITION', 'STARTED', 'DURATION'],
      ...r.job.value.runs.map((j) => [j.id, j.state, j.partition ?? '-', j.startedOn ?? '-', duration(j.durationSeconds)]),
    ]));
  } else lines.push(`  ERROR ${r.job.error}`);

  lines.push('', 'workgroup');
  if (r.workgroup.ok) lines.push(`  ${r.workgroup.value.name}  ${r.workgroup.value.status}  ${r.workgroup.value.endpoint ?? '(no endpoint yet)'}`);
  else lines.push(`  ERROR ${r.workgroup.error}`);

  lines.push('', 'dag runs');
  if (r.dagRuns.ok) {
    if (r.dagRuns.value.runs.length === 0) lines.push(`  ${r.dagRuns.value.dagId}: no runs yet`);
    else lines.push(...table([
      ['RUN ID', 'STATE', 'PARTITION', 'STARTED', 'ENDED'],
      ...r.dagRuns.value.runs.map((d) => [d.runId, d.state, d.partition ?? '-', d.startDate ?? '-', d.endDate ?? '-']),
    ]));
  } else lines.push(`  ERROR ${r.dagRuns.error}`);

  lines.push('', 'event trigger');
  if (r.triggerQueues.ok) {
    const { queue, dlq } = r.triggerQueues.value;
    lines.push(`  queue ${queue.name}: ${queue.visible} waiting, ${queue.inFlight} in flight`);
    lines.push(`  dead letters ${dlq.name}: ${dlq.visible}${dlq.visible ? ' (inspect, fix, then `xetl redrive`)' : ''}`);
  } else lines.push(`  ERROR ${r.triggerQueues.error}`);
  if (r.dagRuns.ok) {
    const triggered = r.dagRuns.value.runs.filter((d) => d.runId.startsWith(EVENT_RUN_PREFIX));
    lines.push(`  last triggered runs: ${triggered.length ? triggered.map((d) => `${d.runId} ${d.state}`).join(', ') : 'none among the runs shown'}`);
  }
  return lines;
}
