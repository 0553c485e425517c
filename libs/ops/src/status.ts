import { GetCrawlerCommand, GetJobRunsCommand } from '@aws-sdk/client-glue';
import { GetWorkgroupCommand } from '@aws-sdk/client-redshift-serverless';
import type { OpsContext } from './context';
import { explainAwsError } from './errors';
import { queueDepth, type QueueDepth } from './queues';
import { listDagRuns, type DagRunRow } from './runs';
import { formatDuration, table } from './text';
import { DAG_ID } from './trigger';

/** Each part of the report stands alone: a failing part carries its error, the others still show. */
export type Part<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export interface CrawlerStatus {
  readonly name: string;
  readonly state: string;
  readonly last_crawl: { readonly status: string; readonly start_time: string | null; readonly error: string | null } | null;
}
export interface JobRunStatus {
  readonly id: string;
  readonly state: string;
  readonly partition: string | null;
  readonly started_on: string | null;
  readonly completed_on: string | null;
  readonly duration_seconds: number | null;
  readonly error: string | null;
}
export interface WorkgroupStatus {
  readonly name: string;
  readonly status: string;
  readonly endpoint: string | null;
}
/** `xetl status --json` (libs/ops/schemas/status.schema.json). */
export interface StatusReport {
  readonly environment: string;
  readonly crawler: Part<CrawlerStatus>;
  readonly job: Part<{ readonly name: string; readonly runs: readonly JobRunStatus[] }>;
  readonly workgroup: Part<WorkgroupStatus>;
  readonly dag_runs: Part<{ readonly dag_id: string; readonly runs: readonly DagRunRow[] }>;
  /** The event-driven trigger's queue and dead-letter queue (docs/event-trigger.md). */
  readonly trigger_queues: Part<{ readonly queue: QueueDepth; readonly dlq: QueueDepth }>;
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

const iso = (d?: Date) => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : null);

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
          last_crawl: last ? { status: last.Status ?? 'UNKNOWN', start_time: iso(last.StartTime), error: last.ErrorMessage ?? null } : null,
        };
      } catch (err) {
        throw explainAwsError(err, 'glue:GetCrawler', `crawler ${names.glueCrawler}`, 'deploy the analytics stack first');
      }
    }),
    part(async () => {
      try {
        const out = await clients.glue.send(new GetJobRunsCommand({ JobName: names.glueJob, MaxResults: limit }));
        const runs: JobRunStatus[] = (out.JobRuns ?? []).slice(0, limit).map((r) => ({
          id: r.Id ?? '?',
          state: r.JobRunState ?? 'UNKNOWN',
          partition: r.Arguments?.['--partition'] ?? null,
          started_on: iso(r.StartedOn),
          completed_on: iso(r.CompletedOn),
          duration_seconds: r.ExecutionTime ?? (r.StartedOn && r.CompletedOn ? Math.round((r.CompletedOn.getTime() - r.StartedOn.getTime()) / 1000) : null),
          error: r.ErrorMessage ?? null,
        }));
        return { name: names.glueJob, runs };
      } catch (err) {
        throw explainAwsError(err, 'glue:GetJobRuns', `job ${names.glueJob}`, 'deploy the analytics stack first');
      }
    }),
    part(async (): Promise<WorkgroupStatus> => {
      try {
        const wg = (await clients.redshiftServerless.send(new GetWorkgroupCommand({ workgroupName: names.redshiftWorkgroup }))).workgroup;
        const ep = wg?.endpoint?.address ? `${wg.endpoint.address}:${wg.endpoint.port ?? 5439}` : null;
        return { name: names.redshiftWorkgroup, status: wg?.status ?? 'UNKNOWN', endpoint: ep };
      } catch (err) {
        throw explainAwsError(err, 'redshift-serverless:GetWorkgroup', `workgroup ${names.redshiftWorkgroup}`, 'deploy the analytics stack first');
      }
    }),
    part(async () => ({ dag_id: DAG_ID, runs: (await listDagRuns(ctx, { limit })).runs })),
    part(async () => {
      const [queue, dlq] = await Promise.all([queueDepth(ctx, names.triggerQueue), queueDepth(ctx, names.triggerDlq)]);
      return { queue, dlq };
    }),
  ]);
  return { environment: ctx.env.name, crawler, job, workgroup, dag_runs: dagRuns, trigger_queues: triggerQueues };
}

/** True when every part was read; the CLI exits 4 otherwise. */
export function statusComplete(r: StatusReport): boolean {
  return r.crawler.ok && r.job.ok && r.workgroup.ok && r.dag_runs.ok && r.trigger_queues.ok;
}

/** The human view; pure, so tests pin it exactly. */
export function renderStatus(r: StatusReport): string[] {
  const lines = [`xetl status: environment ${r.environment}`, ''];
  lines.push('crawler');
  if (r.crawler.ok) {
    const c = r.crawler.value;
    const l = c.last_crawl;
    const last = l ? `last crawl ${l.status}${l.start_time ? ` at ${l.start_time}` : ''}${l.error ? ` (${l.error})` : ''}` : 'never crawled';
    lines.push(`  ${c.name}  ${c.state}  ${last}`);
  } else lines.push(`  ERROR ${r.crawler.error}`);

  lines.push('', 'job runs');
  if (r.job.ok) {
    if (r.job.value.runs.length === 0) lines.push(`  ${r.job.value.name}: no runs yet`);
    else lines.push(...table([
      ['RUN', 'STATE', 'PARTITION', 'STARTED', 'DURATION'],
      ...r.job.value.runs.map((j) => [j.id, j.state, j.partition ?? '-', j.started_on ?? '-', formatDuration(j.duration_seconds)]),
    ]));
  } else lines.push(`  ERROR ${r.job.error}`);

  lines.push('', 'workgroup');
  if (r.workgroup.ok) lines.push(`  ${r.workgroup.value.name}  ${r.workgroup.value.status}  ${r.workgroup.value.endpoint ?? '(no endpoint yet)'}`);
  else lines.push(`  ERROR ${r.workgroup.error}`);

  lines.push('', 'dag runs');
  if (r.dag_runs.ok) {
    if (r.dag_runs.value.runs.length === 0) lines.push(`  ${r.dag_runs.value.dag_id}: no runs yet`);
    else lines.push(...table([
      ['RUN ID', 'STATE', 'PARTITION', 'STARTED', 'ENDED'],
      ...r.dag_runs.value.runs.map((d) => [d.run_id, d.state, d.partition ?? '-', d.start_date ?? '-', d.end_date ?? '-']),
    ]));
  } else lines.push(`  ERROR ${r.dag_runs.error}`);

  lines.push('', 'event trigger');
  if (r.trigger_queues.ok) {
    const { queue, dlq } = r.trigger_queues.value;
    lines.push(`  queue ${queue.name}: ${queue.visible} waiting, ${queue.in_flight} in flight`);
    lines.push(`  dead letters ${dlq.name}: ${dlq.visible}${dlq.visible ? ' (inspect, fix, then `xetl redrive`)' : ''}`);
  } else lines.push(`  ERROR ${r.trigger_queues.error}`);
  if (r.dag_runs.ok) {
    const triggered = r.dag_runs.value.runs.filter((d) => d.run_id.startsWith(EVENT_RUN_PREFIX));
    lines.push(`  last triggered runs: ${triggered.length ? triggered.map((d) => `${d.run_id} ${d.state}`).join(', ') : 'none among the runs shown'}`);
  }
  return lines;
}
