import * as fs from 'node:fs';
import * as path from 'node:path';
import { DescribeLogStreamsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetJobRunsCommand, type JobRun } from '@aws-sdk/client-glue';
import type { OpsContext } from './context';
import { EXIT, XetlError, explainAwsError } from './errors';
import { localAirflowPaths, localRunLogFile } from './local-airflow';
import { parsePartition } from './partition';
import { listDagRuns, PARTITION_SCAN_LIMIT, type DagRunRow } from './runs';
import { printable } from './text';
import { DAG_ID, GLUE_RUN_ID_ARGUMENT, GLUE_TASK_ID } from './trigger';

export interface LogsOptions {
  readonly partition: string;
  /** A run of that partition; default its newest run. */
  readonly runId?: string;
  /** One task; default every task of the run. */
  readonly task?: string;
  /** One attempt; default each task's latest. */
  readonly attempt?: number;
}

export interface LogLine {
  readonly time: string | null;
  readonly level: string | null;
  readonly text: string;
}

export interface TaskLog {
  readonly task_id: string;
  readonly attempt: number;
  readonly map_index: number | null;
  /** Every attempt with a log, so a reader knows there are others. */
  readonly attempts: readonly number[];
  /** The log group (MWAA) or folder (local Airflow), and the stream or file in it. */
  readonly source: string;
  readonly stream: string;
  readonly lines: readonly LogLine[];
}

export interface GlueDriverLog {
  readonly job_run_id: string;
  readonly state: string;
  readonly log_groups: readonly string[];
  readonly lines: readonly LogLine[];
}

/** `xetl logs --json` (libs/ops/schemas/logs.schema.json). */
export interface LogsResult {
  readonly environment: string;
  readonly dag_id: string;
  readonly partition: string;
  readonly run_id: string;
  readonly task: string | null;
  readonly tasks: readonly TaskLog[];
  readonly glue_driver: GlueDriverLog | null;
  /** Why there is no Glue driver log when one was asked for. */
  readonly glue_note: string | null;
}

/** MWAA's task log group (created by MWAA with the environment: `airflow-<env>-Task`). */
export function taskLogGroup(ctx: OpsContext): string {
  return `${ctx.names.mwaaLogGroupPrefix}Task`;
}

/**
 * The stream (MWAA) or relative file (local Airflow) of a task attempt: Airflow 3's default
 * `log_filename_template`, `dag_id=<d>/run_id=<r>/task_id=<t>/[map_index=<m>/]attempt=<n>.log`.
 * MWAA's task handler replaces ":" with "_" in stream names, which CloudWatch does not allow.
 */
const STREAM = /^dag_id=([^/]+)\/run_id=([^/]+)\/task_id=([^/]+)\/(?:map_index=(\d+)\/)?attempt=(\d+)\.log$/;

export function runLogPrefix(runId: string, task?: string, cloudwatch = true): string {
  const run = cloudwatch ? runId.replace(/:/g, '_') : runId;
  return `dag_id=${DAG_ID}/run_id=${run}/${task ? `task_id=${task}/` : ''}`;
}

/** One event of a log: Airflow 3 writes structlog JSON (`event`, `level`, `timestamp`), else plain text. */
export function parseLogLine(message: string, eventTime: number | null): LogLine {
  const time = eventTime !== null ? new Date(eventTime).toISOString() : null;
  const trimmed = message.trimEnd();
  if (trimmed.startsWith('{')) {
    try {
      const o = JSON.parse(trimmed) as Record<string, unknown>;
      if (typeof o.event === 'string') {
        const detail = o.error_detail ? `\n${JSON.stringify(o.error_detail)}` : '';
        return { time: typeof o.timestamp === 'string' ? o.timestamp : time, level: typeof o.level === 'string' ? o.level : null, text: o.event + detail };
      }
    } catch {
      // not JSON after all: print it as it came
    }
  }
  return { time, level: null, text: trimmed };
}

interface Stream {
  readonly name: string;
  readonly task: string;
  readonly mapIndex: number | null;
  readonly attempt: number;
  readonly first: number;
}

/** Where task logs are read from: CloudWatch for MWAA, the log folder for the local Airflow. */
interface TaskLogStore {
  readonly where: string;
  list(prefix: string): Promise<Array<{ name: string; first: number }>>;
  read(name: string): Promise<LogLine[]>;
}

async function cloudwatchStreams(ctx: OpsContext, group: string, prefix: string): Promise<Array<{ name: string; first: number }>> {
  const out: Array<{ name: string; first: number }> = [];
  let token: string | undefined;
  try {
    do {
      const page = await ctx.clients.logs.send(new DescribeLogStreamsCommand({ logGroupName: group, logStreamNamePrefix: prefix, nextToken: token }));
      for (const s of page.logStreams ?? []) out.push({ name: s.logStreamName as string, first: s.firstEventTimestamp ?? s.creationTime ?? 0 });
      token = page.nextToken;
    } while (token);
  } catch (err) {
    throw explainAwsError(err, 'logs:DescribeLogStreams', `log group ${group}`, 'its owner writes it on first use; check that logging is enabled and the run got that far');
  }
  return out;
}

async function cloudwatchEvents(ctx: OpsContext, group: string, stream: string): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  let token: string | undefined;
  try {
    for (;;) {
      const page = await ctx.clients.logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true, nextToken: token }));
      for (const e of page.events ?? []) lines.push(parseLogLine(e.message ?? '', e.timestamp ?? null));
      // The last page repeats its forward token.
      if (!page.nextForwardToken || page.nextForwardToken === token || (page.events ?? []).length === 0) break;
      token = page.nextForwardToken;
    }
  } catch (err) {
    throw explainAwsError(err, 'logs:GetLogEvents', `log group ${group} stream ${stream}`);
  }
  return lines;
}

function cloudwatchStore(ctx: OpsContext, group: string): TaskLogStore {
  return { where: group, list: (prefix) => cloudwatchStreams(ctx, group, prefix), read: (name) => cloudwatchEvents(ctx, group, name) };
}

function localStore(folder: string): TaskLogStore {
  return {
    where: folder,
    async list(prefix) {
      const base = path.join(folder, prefix);
      const out: Array<{ name: string; first: number }> = [];
      const walk = (dir: string) => {
        let entries: fs.Dirent[];
        try {
          entries = fs.readdirSync(dir, { withFileTypes: true });
        } catch {
          return;
        }
        for (const e of entries) {
          const full = path.join(dir, e.name);
          if (e.isDirectory()) walk(full);
          else out.push({ name: path.relative(folder, full).split(path.sep).join('/'), first: fs.statSync(full).birthtimeMs || fs.statSync(full).mtimeMs });
        }
      };
      walk(prefix.endsWith('/') ? base : path.dirname(base));
      return out.filter((s) => s.name.startsWith(prefix));
    },
    async read(name) {
      return fs.readFileSync(path.join(folder, name), 'utf8').split('\n').filter((l) => l.trim()).map((l) => parseLogLine(l, null));
    },
  };
}

/** The Glue job run the DAG run started: its `--run_id` argument is the DAG run's id. */
async function glueJobRun(ctx: OpsContext, runId: string): Promise<JobRun | undefined> {
  let token: string | undefined;
  let pages = 0;
  try {
    do {
      const page = await ctx.clients.glue.send(new GetJobRunsCommand({ JobName: ctx.names.glueJob, MaxResults: 200, NextToken: token }));
      const hit = (page.JobRuns ?? []).find((r) => r.Arguments?.[GLUE_RUN_ID_ARGUMENT] === runId);
      if (hit) return hit;
      token = page.NextToken;
    } while (token && ++pages < 5);
  } catch (err) {
    throw explainAwsError(err, 'glue:GetJobRuns', `job ${ctx.names.glueJob}`, 'deploy the analytics stack first');
  }
  return undefined;
}

/**
 * The driver's log of a Glue job run, as the Amazon provider's GlueJobHook reads it: the run's
 * `LogGroupName` (the security configuration's groups when one is attached, else /aws-glue/jobs)
 * with `/output` (stdout) and `/error` (Spark and the Glue logger), stream = the job run id
 * (Glue 5.0 may suffix the driver's stream with `-driver`; executors' streams are left out).
 */
async function glueDriverLog(ctx: OpsContext, run: JobRun): Promise<GlueDriverLog> {
  const id = run.Id as string;
  const prefix = (run.LogGroupName ?? '/aws-glue/jobs').replace(/\/+$/, '');
  const groups = [`${prefix}/output`, `${prefix}/error`];
  const lines: LogLine[] = [];
  for (const group of groups) {
    let streams: Array<{ name: string; first: number }>;
    try {
      streams = await cloudwatchStreams(ctx, group, id);
    } catch (err) {
      if (err instanceof XetlError && err.message.startsWith('not found:')) continue; // a group Glue has not written
      throw err;
    }
    const driver = streams.filter((s) => s.name === id || s.name === `${id}-driver`);
    for (const s of driver) lines.push(...(await cloudwatchEvents(ctx, group, s.name)).map((l) => ({ ...l, level: l.level ?? (group.endsWith('/error') ? 'stderr' : null) })));
  }
  return { job_run_id: id, state: run.JobRunState ?? 'UNKNOWN', log_groups: groups, lines };
}

/**
 * `xetl logs`: a run's task logs (MWAA: the environment's `airflow-<env>-Task` log group; local:
 * the local Airflow's log folder) and, for the Glue task, the Glue job run's driver log.
 */
export async function logs(ctx: OpsContext, options: LogsOptions): Promise<LogsResult> {
  const partition = parsePartition(options.partition, '--partition').date;
  const local = Boolean(ctx.env.localOnly);
  let run: DagRunRow | undefined;
  // A given run id is enough for MWAA's log names; the local run's log file needs its logical date.
  if (!options.runId || local) {
    const found = await listDagRuns(ctx, { limit: options.runId ? PARTITION_SCAN_LIMIT : 1, partition });
    run = options.runId ? found.runs.find((r) => r.run_id === options.runId) : found.runs[0];
    if (!run && !options.runId) {
      throw new XetlError(`no run of ${DAG_ID} for partition ${partition} among the last ${found.scanned} run(s); see xetl runs --env ${ctx.env.name}`, EXIT.aws);
    }
  }
  const runId = run?.run_id ?? options.runId!;
  if (local && run?.logical_date) {
    const consoleLog = localConsoleLog(localRunLogFile(localAirflowPaths(), partition, run.logical_date), options.task);
    if (consoleLog) {
      return {
        environment: ctx.env.name, dag_id: DAG_ID, partition, run_id: runId, task: options.task ?? null, tasks: consoleLog, glue_driver: null,
        glue_note: options.task && options.task !== GLUE_TASK_ID ? null : `the local run executes the Glue script with local PySpark inside ${GLUE_TASK_ID}; its output is in that task's log`,
      };
    }
  }
  const store = local ? localStore(localAirflowPaths().logs) : cloudwatchStore(ctx, taskLogGroup(ctx));
  const prefix = runLogPrefix(runId, options.task, !local);
  const streams: Stream[] = (await store.list(prefix)).flatMap((s) => {
    const m = STREAM.exec(s.name);
    return m ? [{ name: s.name, task: m[3], mapIndex: m[4] === undefined ? null : Number(m[4]), attempt: Number(m[5]), first: s.first }] : [];
  });
  if (streams.length === 0) {
    throw new XetlError(`no task log for run ${runId}${options.task ? ` task ${options.task}` : ''} in ${store.where} (prefix ${prefix}); the run may not have reached it yet${options.task ? ', or the task id is misspelt' : ''}`, EXIT.aws);
  }
  const byTask = new Map<string, Stream[]>();
  for (const s of streams) byTask.set(`${s.task}#${s.mapIndex ?? ''}`, [...(byTask.get(`${s.task}#${s.mapIndex ?? ''}`) ?? []), s]);
  const chosen: Array<{ stream: Stream; attempts: number[] }> = [];
  for (const list of byTask.values()) {
    const attempts = [...new Set(list.map((s) => s.attempt))].sort((a, b) => a - b);
    const pick = options.attempt === undefined ? list.find((s) => s.attempt === attempts.at(-1)) : list.find((s) => s.attempt === options.attempt);
    if (pick) chosen.push({ stream: pick, attempts });
    else if (options.task) {
      throw new XetlError(`task ${options.task} of run ${runId} has no attempt ${options.attempt} (attempts: ${attempts.join(', ')})`, EXIT.usage);
    }
  }
  chosen.sort((a, b) => a.stream.first - b.stream.first || a.stream.name.localeCompare(b.stream.name));
  const tasks: TaskLog[] = [];
  for (const { stream, attempts } of chosen) {
    tasks.push({
      task_id: stream.task, attempt: stream.attempt, map_index: stream.mapIndex, attempts,
      source: store.where, stream: stream.name, lines: await store.read(stream.name),
    });
  }

  let glueDriver: GlueDriverLog | null = null;
  let glueNote: string | null = null;
  if (!options.task || options.task === GLUE_TASK_ID) {
    if (local) glueNote = `the local run executes the Glue script with local PySpark inside ${GLUE_TASK_ID}; its output is in that task's log`;
    else {
      // The task logs are worth printing even when the Glue side cannot be read.
      try {
        const jobRun = await glueJobRun(ctx, runId);
        if (jobRun) glueDriver = await glueDriverLog(ctx, jobRun);
        else glueNote = `no run of Glue job ${ctx.names.glueJob} has ${GLUE_RUN_ID_ARGUMENT} ${runId}; the DAG run may not have reached ${GLUE_TASK_ID}`;
      } catch (err) {
        if (!(err instanceof XetlError)) throw err;
        glueNote = `the Glue driver log could not be read: ${err.message}`;
      }
    }
  }
  return { environment: ctx.env.name, dag_id: DAG_ID, partition, run_id: runId, task: options.task ?? null, tasks, glue_driver: glueDriver, glue_note: glueNote };
}

/** ANSI colour and cursor sequences, which `airflow dags test` writes into its console log. */
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
/** Where `airflow dags test` begins a task in its console log. */
const DAG_TEST_TASK = /\[DAG TEST\] starting task_id=(\S+)/;

/**
 * The local run's console log of one `airflow dags test`, cut into one section per task at the
 * lines where it starts each task (all its tasks run in that one process); undefined if absent.
 */
export function localConsoleLog(file: string, task?: string): TaskLog[] | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const sections: TaskLog[] = [];
  let current: { task_id: string; lines: LogLine[] } | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(ANSI, '').trimEnd();
    const start = DAG_TEST_TASK.exec(line);
    if (start) {
      current = { task_id: start[1], lines: [] };
      sections.push({ task_id: start[1], attempt: 1, map_index: null, attempts: [1], source: path.dirname(file), stream: path.basename(file), lines: current.lines });
    }
    if (current && line) current.lines.push({ time: null, level: null, text: line });
  }
  const chosen = task ? sections.filter((s) => s.task_id === task) : sections;
  if (task && chosen.length === 0) throw new XetlError(`task ${task} does not appear in ${file} (tasks: ${sections.map((s) => s.task_id).join(', ') || 'none'})`, EXIT.usage);
  return chosen;
}

function renderLines(lines: readonly LogLine[]): string[] {
  const out: string[] = [];
  for (const l of lines) {
    const head = [l.time, l.level?.toUpperCase()].filter(Boolean).join(' ');
    for (const [i, part] of l.text.split('\n').entries()) {
      const text = printable(part.replace(/\t/g, '    '));
      out.push(i === 0 && head ? `${head}  ${text}` : `  ${text}`);
    }
  }
  return out;
}

export function renderLogs(r: LogsResult): string[] {
  const lines = [`${r.dag_id} run ${r.run_id} (partition ${r.partition}) in ${r.environment}`];
  for (const t of r.tasks) {
    const others = t.attempts.length > 1 ? `; attempts ${t.attempts.join(', ')} (--attempt N)` : '';
    lines.push('', `== ${t.task_id}${t.map_index !== null ? `[${t.map_index}]` : ''}, attempt ${t.attempt}${others} (${t.source}: ${t.stream})`);
    lines.push(...(t.lines.length ? renderLines(t.lines) : ['  (empty)']));
    if (t.task_id === GLUE_TASK_ID && r.glue_driver) {
      const g = r.glue_driver;
      lines.push('', `== Glue job run ${g.job_run_id} (${g.state}), driver log (${g.log_groups.join(', ')})`);
      lines.push(...(g.lines.length ? renderLines(g.lines) : ['  (no driver log events)']));
    }
  }
  if (r.glue_driver && !r.tasks.some((t) => t.task_id === GLUE_TASK_ID)) {
    const g = r.glue_driver;
    lines.push('', `== Glue job run ${g.job_run_id} (${g.state}), driver log (${g.log_groups.join(', ')})`, ...renderLines(g.lines));
  }
  if (r.glue_note) lines.push('', `note: ${r.glue_note}`);
  return lines;
}
