import type { OpsContext } from './context';
import { EXIT, XetlError, usageError } from './errors';
import { parsePartition } from './partition';
import { listDagRuns } from './runs';
import { formatDuration, table } from './text';
import { DAG_ID, trigger } from './trigger';

/** Backfills longer than this need `--max-days` or `--yes`: each day is a full pipeline run. */
export const DEFAULT_MAX_BACKFILL_DAYS = 31;
/** Airflow's terminal DAG run states. */
const FINISHED = new Set(['success', 'failed']);

export interface BackfillOptions {
  readonly from: string;
  readonly to: string;
  readonly maxDays?: number;
  /** Poll each run's state until all have finished (default true). */
  readonly wait?: boolean;
  readonly pollSeconds?: number;
  readonly onProgress?: (p: BackfillProgress) => void;
  /** Injected by tests; default a timer. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface BackfillProgress {
  readonly phase: 'trigger' | 'wait';
  /** Runs triggered (phase trigger) or finished (phase wait). */
  readonly done: number;
  readonly total: number;
  /** The earliest partition not yet triggered / finished, and its run's state. */
  readonly partition: string | null;
  readonly state: string | null;
  readonly failed: number;
}

export interface BackfillRun {
  readonly partition: string;
  readonly run_id: string;
  readonly state: string;
  readonly start_date: string | null;
  readonly end_date: string | null;
  readonly duration_seconds: number | null;
}

/** `xetl trigger --from D1 --to D2 --json` (libs/ops/schemas/trigger-backfill.schema.json). */
export interface BackfillResult {
  readonly dag_id: string;
  readonly environment: string;
  readonly from: string;
  readonly to: string;
  readonly waited: boolean;
  readonly runs: readonly BackfillRun[];
  readonly succeeded: number;
  readonly failed: number;
}

/** Every day from `from` to `to`, both included, in date order. */
export function daysBetween(from: string, to: string): string[] {
  const first = parsePartition(from, '--from');
  const last = parsePartition(to, '--to');
  if (last.date < first.date) throw usageError(`--to ${last.date} is before --from ${first.date}`);
  const days: string[] = [];
  for (let t = Date.parse(`${first.date}T00:00:00Z`); t <= Date.parse(`${last.date}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/** The days of a backfill, refused (usage error) when there are more than `maxDays`. */
export function backfillDays(from: string, to: string, maxDays = DEFAULT_MAX_BACKFILL_DAYS): string[] {
  const days = daysBetween(from, to);
  if (days.length > maxDays) {
    throw usageError(`--from ${days[0]} --to ${days.at(-1)} is ${days.length} days, above the cap of ${maxDays}; pass --max-days ${days.length} (or --yes) to start ${days.length} runs`);
  }
  return days;
}

/**
 * A serialised backfill: one manual run per day, triggered in date order through the same call as
 * `xetl trigger --partition` (the DAG's `max_active_runs=1` and its one-slot pool queue them, so
 * they run one after another in that order), then, unless `wait` is false, each run's state polled
 * until all have finished.
 */
export async function backfill(ctx: OpsContext, options: BackfillOptions): Promise<BackfillResult> {
  const days = backfillDays(options.from, options.to, options.maxDays);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const report = (p: Omit<BackfillProgress, 'total'>) => options.onProgress?.({ ...p, total: days.length });
  // Runs are looked up by creation time; a minute of slack covers a clock that runs ahead of Airflow's.
  const since = new Date(ctx.now().getTime() - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

  const runs: BackfillRun[] = [];
  for (const [i, day] of days.entries()) {
    report({ phase: 'trigger', done: i, partition: day, state: null, failed: 0 });
    try {
      const t = await trigger(ctx, day, { note: `xetl backfill ${days[0]}..${days.at(-1)} (${i + 1}/${days.length})` });
      runs.push({ partition: day, run_id: t.run_id, state: t.state ?? 'queued', start_date: null, end_date: null, duration_seconds: null });
    } catch (err) {
      if (err instanceof XetlError && i > 0) {
        err.message += `; ${i} of ${days.length} run(s) were triggered before (${days[0]}..${days[i - 1]}); continue with --from ${day}`;
      }
      throw err;
    }
  }
  report({ phase: 'trigger', done: days.length, partition: null, state: null, failed: 0 });

  const wait = options.wait ?? true;
  const pollMs = (options.pollSeconds ?? 30) * 1000;
  const current = new Map(runs.map((r) => [r.run_id, r]));
  const snapshot = () => {
    const list = [...current.values()];
    const pending = list.find((r) => !FINISHED.has(r.state));
    return { list, pending, done: list.filter((r) => FINISHED.has(r.state)).length, failed: list.filter((r) => r.state === 'failed').length };
  };
  while (wait) {
    const s = snapshot();
    report({ phase: 'wait', done: s.done, partition: s.pending?.partition ?? null, state: s.pending?.state ?? null, failed: s.failed });
    if (!s.pending) break;
    await sleep(pollMs);
    const listed = await listDagRuns(ctx, { limit: days.length + 100, runAfterGte: since });
    for (const row of listed.runs) {
      const run = current.get(row.run_id);
      if (run) current.set(row.run_id, { ...run, state: row.state, start_date: row.start_date, end_date: row.end_date, duration_seconds: row.duration_seconds });
    }
  }
  const final = snapshot();
  return {
    dag_id: DAG_ID, environment: ctx.names.mwaaEnvironment, from: days[0], to: days.at(-1)!, waited: wait,
    runs: final.list, succeeded: final.list.filter((r) => r.state === 'success').length, failed: final.failed,
  };
}

/** One progress line: runs done of total, the partition in progress and its state. */
export function renderBackfillProgress(p: BackfillProgress): string {
  if (p.phase === 'trigger') return `triggering ${p.done}/${p.total} run(s)${p.partition ? `: ${p.partition}` : ''}`;
  const failed = p.failed ? `, ${p.failed} failed` : '';
  return `${p.done}/${p.total} run(s) finished${failed}${p.partition ? `; now ${p.partition} (${p.state})` : ''}`;
}

export function renderBackfill(r: BackfillResult): string[] {
  const head = `backfill ${r.from}..${r.to}: ${r.runs.length} run(s) of ${r.dag_id} in ${r.environment}, one at a time in date order`;
  const rows = table([
    ['PARTITION', 'RUN ID', 'STATE', 'DURATION'],
    ...r.runs.map((x) => [x.partition, x.run_id, x.state, formatDuration(x.duration_seconds)]),
  ]);
  const tail = r.waited
    ? `${r.succeeded} succeeded, ${r.failed} failed${r.failed ? `; see xetl logs --partition <day> for a failed one` : ''}`
    : 'not waiting (--no-wait); follow them with xetl runs';
  return [head, ...rows, tail];
}

/** Exit code of a backfill: 1 when a run failed, so scripts can tell. */
export function backfillExitCode(r: BackfillResult): number {
  return r.failed > 0 ? EXIT.unexpected : EXIT.ok;
}
