import { CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateJobCommand, GetJobRunCommand, StartJobRunCommand } from '@aws-sdk/client-glue';
import { Naming, loadConfig, selectEnvironment } from '@xetl/config';
import type { AirflowApi, RestApiRequest } from './clients';
import type { OpsContext } from './context';
import { XetlError } from './errors';
import { logs, parseLogLine, renderLogs, taskLogGroup } from './logs';
import { motoContext, resetMoto, useMoto } from './test-support/moto';
import { expectCliJson } from './test-support/json-schema';

jest.setTimeout(120_000);
const moto = useMoto();

const RUN = 'manual__2026-11-21__20261122T070809Z';
const OLD_RUN = 'manual__2026-11-21__20261121T010000Z';

/** The dev environment (MWAA) with every AWS client on moto; MWAA's REST API stubbed (not in moto). */
async function devContext(): Promise<{ ctx: OpsContext; calls: RestApiRequest[] }> {
  await resetMoto(moto.server().endpoint);
  const base = motoContext(moto.server().endpoint, new Date('2026-11-22T08:00:00Z'));
  const env = selectEnvironment(loadConfig(), 'dev');
  const calls: RestApiRequest[] = [];
  const api: AirflowApi = {
    invoke: async (r) => (calls.push(r), {
      status: 200,
      body: {
        total_entries: 3,
        dag_runs: [
          { dag_run_id: 'manual__2026-11-22__20261122T075900Z', state: 'running', conf: { partition: '2026-11-22' }, start_date: '2026-11-22T07:59:01Z', end_date: null },
          { dag_run_id: RUN, state: 'failed', conf: { partition: '2026-11-21' }, start_date: '2026-11-22T07:08:10Z', end_date: '2026-11-22T07:20:00Z' },
          { dag_run_id: OLD_RUN, state: 'success', conf: { partition: '2026-11-21' }, start_date: '2026-11-21T01:00:01Z', end_date: '2026-11-21T01:10:00Z' },
        ],
      },
    }),
  };
  return { ctx: { ...base, env, names: new Naming(env), airflow: () => api }, calls };
}

async function stream(ctx: OpsContext, group: string, name: string, messages: string[], start = Date.parse('2026-11-22T07:10:00Z')) {
  await ctx.clients.logs.send(new CreateLogGroupCommand({ logGroupName: group })).catch((e) => {
    if (e.name !== 'ResourceAlreadyExistsException') throw e;
  });
  await ctx.clients.logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: name }));
  for (let i = 0; i < messages.length; i += 10_000) {
    await ctx.clients.logs.send(new PutLogEventsCommand({
      logGroupName: group, logStreamName: name,
      logEvents: messages.slice(i, i + 10_000).map((message, j) => ({ message, timestamp: start + i + j })),
    }));
  }
}

const structlog = (event: string, level = 'info') => JSON.stringify({ event, level, logger: 'airflow.task' });
const taskStream = (run: string, task: string, attempt: number) => `dag_id=xetl_products_pipeline/run_id=${run}/task_id=${task}/attempt=${attempt}.log`;

describe('xetl logs (moto CloudWatch Logs and Glue; MWAA stubbed: not in moto)', () => {
  test("reads the newest run's Glue task log, latest attempt, and the Glue job run's driver log", async () => {
    const { ctx, calls } = await devContext();
    const group = taskLogGroup(ctx);
    expect(group).toBe('airflow-xetl-dev-Task');
    await stream(ctx, group, taskStream(RUN, 'start_glue_job', 1), [structlog('attempt one', 'error')]);
    await stream(ctx, group, taskStream(RUN, 'start_glue_job', 2), [structlog('Starting job run'), structlog('Job run failed', 'error')], Date.parse('2026-11-22T07:12:00Z'));
    await stream(ctx, group, taskStream(RUN, 'start_glue_crawler', 1), [structlog('crawler done')]);
    await stream(ctx, group, taskStream(OLD_RUN, 'start_glue_job', 1), [structlog('an older run')]);

    await ctx.clients.glue.send(new CreateJobCommand({ Name: ctx.names.glueJob, Role: ctx.names.glueRoleArn, Command: { Name: 'glueetl', ScriptLocation: 's3://x/y.py' } }));
    await ctx.clients.glue.send(new StartJobRunCommand({ JobName: ctx.names.glueJob, Arguments: { '--run_id': OLD_RUN, '--partition': '2026-11-21' } }));
    const { JobRunId } = await ctx.clients.glue.send(new StartJobRunCommand({ JobName: ctx.names.glueJob, Arguments: { '--run_id': RUN, '--partition': '2026-11-21' } }));
    // The run names its log groups' prefix (AWS: /aws-glue/jobs, or the security configuration's); moto invents one.
    const prefix = (await ctx.clients.glue.send(new GetJobRunCommand({ JobName: ctx.names.glueJob, RunId: JobRunId }))).JobRun!.LogGroupName!;
    await stream(ctx, `${prefix}/output`, JobRunId!, ['rows_read=1000']);
    await stream(ctx, `${prefix}/error`, JobRunId!, ['25/11/22 07:11:00 INFO GlueContext: started', 'ValueError: bad partition']);
    await stream(ctx, `${prefix}/error`, `${JobRunId}_g-1`, ['an executor line']);

    const r = await logs(ctx, { partition: '2026-11-21', task: 'start_glue_job' });
    expect(calls[0]).toMatchObject({ method: 'GET', path: '/dags/xetl_products_pipeline/dagRuns', query: { order_by: '-run_after' } });
    expect(r.run_id).toBe(RUN);
    expect(r.tasks.map((t) => [t.task_id, t.attempt, t.attempts])).toEqual([['start_glue_job', 2, [1, 2]]]);
    expect(r.tasks[0].lines.map((l) => `${l.level} ${l.text}`)).toEqual(['info Starting job run', 'error Job run failed']);
    expect(r.glue_driver).toMatchObject({ job_run_id: JobRunId, log_groups: [`${prefix}/output`, `${prefix}/error`] });
    expect(r.glue_driver!.lines.map((l) => l.text)).toEqual(['rows_read=1000', '25/11/22 07:11:00 INFO GlueContext: started', 'ValueError: bad partition']);
    expectCliJson('logs', r);
    const text = renderLogs(r);
    expect(text[0]).toBe(`xetl_products_pipeline run ${RUN} (partition 2026-11-21) in dev`);
    expect(text).toContain(`== start_glue_job, attempt 2; attempts 1, 2 (--attempt N) (airflow-xetl-dev-Task: ${taskStream(RUN, 'start_glue_job', 2)})`);
    expect(text).toContain('2026-11-22T07:12:00.001Z ERROR  Job run failed');
    expect(text.find((l) => l.startsWith('== Glue job run'))).toMatch(new RegExp(`^== Glue job run ${JobRunId} \\(\\w+\\), driver log \\(${prefix}/output, ${prefix}/error\\)$`));

    const first = await logs(ctx, { partition: '2026-11-21', task: 'start_glue_job', attempt: 1, runId: RUN });
    expect(first.tasks[0].lines.map((l) => l.text)).toEqual(['attempt one']);
  });

  test('every task of a run in the order they logged, every page of a long stream', async () => {
    const { ctx } = await devContext();
    const group = taskLogGroup(ctx);
    const many = Array.from({ length: 12_345 }, (_, i) => structlog(`line ${i}`));
    await stream(ctx, group, taskStream(RUN, 'stage_partition', 1), many, Date.parse('2026-11-22T07:15:00Z'));
    await stream(ctx, group, taskStream(RUN, 'wait_for_marker', 1), [structlog('found 2 files')], Date.parse('2026-11-22T07:08:11Z'));
    const noJob = await logs(ctx, { partition: '2026-11-21', runId: RUN, task: 'wait_for_marker' });
    expect(noJob.glue_note).toBeNull(); // another task: no Glue lookup
    const withoutJob = await logs(ctx, { partition: '2026-11-21', runId: RUN });
    expect(withoutJob.glue_note).toBe('the Glue driver log could not be read: not found: job xetl-dev-products (glue:GetJobRuns); deploy the analytics stack first');
    await ctx.clients.glue.send(new CreateJobCommand({ Name: ctx.names.glueJob, Role: ctx.names.glueRoleArn, Command: { Name: 'glueetl', ScriptLocation: 's3://x/y.py' } }));
    const r = await logs(ctx, { partition: '2026-11-21', runId: RUN });
    expect(r.tasks.map((t) => t.task_id)).toEqual(['wait_for_marker', 'stage_partition']);
    expect(r.tasks[1].lines).toHaveLength(12_345);
    expect(r.tasks[1].lines.at(-1)?.text).toBe('line 12344');
    expect(r.glue_note).toBe(`no run of Glue job xetl-dev-products has --run_id ${RUN}; the DAG run may not have reached start_glue_job`);
  });

  test('no run of the partition, or no log yet: one line each, exit 4', async () => {
    const { ctx } = await devContext();
    const none = await logs(ctx, { partition: '2026-11-01' }).catch((e) => e);
    expect(none).toBeInstanceOf(XetlError);
    expect(none.exitCode).toBe(4);
    expect(none.message).toBe('no run of xetl_products_pipeline for partition 2026-11-01 among the last 3 run(s); see xetl runs --env dev');
    await stream(ctx, taskLogGroup(ctx), taskStream(OLD_RUN, 'start_glue_job', 1), [structlog('x')]);
    const missing = await logs(ctx, { partition: '2026-11-21', task: 'unload_to_target' }).catch((e) => e);
    expect(missing.exitCode).toBe(4);
    expect(missing.message).toContain(`no task log for run ${RUN} task unload_to_target in airflow-xetl-dev-Task`);
  });

  test('Airflow 3 structlog events and plain lines both read as one line each; control characters are escaped when printed', () => {
    expect(parseLogLine('{"event": "done", "level": "warning", "timestamp": "2026-11-22T07:10:00Z"}', 0)).toEqual({ time: '2026-11-22T07:10:00Z', level: 'warning', text: 'done' });
    expect(parseLogLine('plain text\n', 0)).toEqual({ time: '1970-01-01T00:00:00.000Z', level: null, text: 'plain text' });
    const text = renderLogs({
      environment: 'dev', dag_id: 'd', partition: '2026-11-21', run_id: 'r', task: null, glue_driver: null, glue_note: null,
      tasks: [{ task_id: 't', attempt: 1, map_index: null, attempts: [1], source: 'g', stream: 's', lines: [{ time: null, level: null, text: 'a\u001b[2Jb\tc' }] }],
    });
    expect(text.at(-1)).toBe('  a\\u{1b}[2Jb    c');
  });
});
