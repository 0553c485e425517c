import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Naming, loadConfig, selectEnvironment } from '@xetl/config';
import { REPO_ROOT } from '@xetl/testing';
import type { AirflowApi, RestApiRequest } from './clients';
import { createContext } from './context';
import { localAirflowPaths, localRunLogFile } from './local-airflow';
import { logs, renderLogs } from './logs';
import { renderRuns, runs } from './runs';
import { motoContext, tmpDir } from './test-support/moto';
import { expectCliJson } from './test-support/json-schema';

const NOW = new Date('2026-11-22T08:00:00Z');

/** There is no MWAA in moto: the REST API is served from a list at the client seam, in pages. */
function stubbedMwaa(all: Array<Record<string, unknown>>) {
  const base = motoContext('http://127.0.0.1:9', NOW);
  const env = selectEnvironment(loadConfig(), 'dev');
  const ctx = { ...base, env, names: new Naming(env) };
  const calls: RestApiRequest[] = [];
  const api: AirflowApi = {
    invoke: async (r) => {
      calls.push(r);
      const { limit, offset } = r.query as { limit: number; offset: number };
      return { status: 200, body: { total_entries: all.length, dag_runs: all.slice(offset, offset + limit) } };
    },
  };
  return { ctx: { ...ctx, airflow: () => api }, calls };
}

const run = (i: number, partition: string, state = 'success') => ({
  dag_run_id: `manual__${partition}__2026112${i % 10}T000000Z_${i}`, state, conf: { partition }, run_type: 'manual',
  logical_date: null, start_date: '2026-11-22T07:00:00Z', end_date: state === 'running' ? null : '2026-11-22T07:03:05Z',
});

describe('xetl runs against MWAA (stubbed: not in moto)', () => {
  test('newest first by run_after, with state and duration (a running run counts to now)', async () => {
    const { ctx, calls } = stubbedMwaa([run(1, '2026-11-21', 'running'), run(2, '2026-11-20')]);
    const r = await runs(ctx, { limit: 10 });
    expect(calls).toEqual([{ path: '/dags/xetl_products_pipeline/dagRuns', method: 'GET', query: { limit: 10, offset: 0, order_by: '-run_after' } }]);
    expect(r.runs.map((x) => [x.partition, x.state, x.duration_seconds])).toEqual([['2026-11-21', 'running', 3600], ['2026-11-20', 'success', 185]]);
    expectCliJson('runs', r);
    expect(renderRuns(r)).toEqual([
      'xetl_products_pipeline runs in MWAA environment of dev',
      '  RUN ID                                  STATE    PARTITION   STARTED               DURATION',
      '  manual__2026-11-21__20261121T000000Z_1  running  2026-11-21  2026-11-22T07:00:00Z  1h00m',
      '  manual__2026-11-20__20261122T000000Z_2  success  2026-11-20  2026-11-22T07:00:00Z  3m05s',
    ]);
  });

  test('a partition filter reads pages of 100 until it has enough (Airflow cannot filter on conf)', async () => {
    const all = Array.from({ length: 250 }, (_, i) => run(i, i === 180 || i === 240 ? '2026-10-01' : '2026-11-21'));
    const { ctx, calls } = stubbedMwaa(all);
    const r = await runs(ctx, { limit: 5, partition: '2026-10-01' });
    expect(calls.map((c) => (c.query as { offset: number }).offset)).toEqual([0, 100, 200]);
    expect(r.runs.map((x) => x.run_id)).toEqual([all[180].dag_run_id, all[240].dag_run_id]);
    expect(r.scanned).toBe(250);
    const none = await runs(ctx, { limit: 5, partition: '2025-01-01' });
    expect(renderRuns(none)).toEqual(['xetl_products_pipeline runs in MWAA environment of dev for partition 2025-01-01', '  none among the last 250 run(s)']);
  });
});

describe('xetl runs and logs for the local environment (real Airflow 3.0.6: airflow dags test of a one-task stand-in DAG)', () => {
  jest.setTimeout(300_000);
  const work = tmpDir();
  const saved = process.env.XETL_LOCAL_WORK;

  beforeAll(() => {
    execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'python-env.sh'), 'airflow'], { stdio: ['ignore', 'ignore', 'inherit'] });
    process.env.XETL_LOCAL_WORK = work;
    const paths = localAirflowPaths();
    const dags = path.join(work, 'dags');
    fs.mkdirSync(dags, { recursive: true });
    fs.mkdirSync(paths.runLogs, { recursive: true });
    fs.writeFileSync(path.join(dags, 'stand_in.py'), [
      'import pendulum',
      'from airflow.sdk import DAG, task',
      'with DAG("xetl_products_pipeline", start_date=pendulum.datetime(2026, 1, 1, tz="UTC"), schedule=None):',
      '    @task',
      '    def start_glue_job(**context):',
      '        print("stand-in glue for", context["dag_run"].conf["partition"])',
      '    start_glue_job()',
    ].join('\n'));
    const env = {
      ...process.env, AIRFLOW_HOME: paths.home, AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${paths.db}`,
      AIRFLOW__CORE__DAGS_FOLDER: dags, AIRFLOW__CORE__LOAD_EXAMPLES: 'False', NO_COLOR: '1',
    };
    const airflow = path.join(path.dirname(paths.python), 'airflow');
    execFileSync(airflow, ['db', 'migrate'], { env, stdio: 'ignore' });
    // As tools/local does: `airflow dags test` with the partition in conf, its console log kept per run.
    for (const [partition, logical] of [['2026-11-20', '2026-11-21T01:00:00+00:00'], ['2026-11-21', '2026-11-22T01:00:00+00:00']]) {
      const out = execFileSync(airflow, ['dags', 'test', 'xetl_products_pipeline', logical, '-c', JSON.stringify({ partition })], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      fs.writeFileSync(localRunLogFile(paths, partition, logical), out);
    }
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.XETL_LOCAL_WORK;
    else process.env.XETL_LOCAL_WORK = saved;
  });

  test('xetl runs reads the local metadata DB, with each run\'s partition from its conf', async () => {
    const ctx = createContext({ envName: 'local', endpointUrl: 'http://127.0.0.1:9' });
    const r = await runs(ctx, { limit: 10 });
    expect(r.source).toBe('local-airflow');
    expectCliJson('runs', r);
    expect(r.runs.map((x) => [x.partition, x.state, x.logical_date])).toEqual([
      ['2026-11-21', 'success', '2026-11-22T01:00:00+00:00'],
      ['2026-11-20', 'success', '2026-11-21T01:00:00+00:00'],
    ]);
    expect(r.runs[0].duration_seconds).toEqual(expect.any(Number));
    expect((await runs(ctx, { partition: '2026-11-20' })).runs).toHaveLength(1);
    expect(renderRuns(r)[0]).toBe('xetl_products_pipeline runs in the local Airflow (npm run local)');
  });

  test('xetl logs prints a task\'s part of the run\'s console log', async () => {
    const ctx = createContext({ envName: 'local', endpointUrl: 'http://127.0.0.1:9' });
    const r = await logs(ctx, { partition: '2026-11-20', task: 'start_glue_job' });
    expect(r.tasks).toHaveLength(1);
    expect(r.tasks[0].stream).toBe('dag-2026-11-20-2026-11-21T010000+0000.log');
    expect(r.tasks[0].lines.map((l) => l.text).join('\n')).toContain('stand-in glue for 2026-11-20');
    expect(renderLogs(r).at(-1)).toBe('note: the local run executes the Glue script with local PySpark inside start_glue_job; its output is in that task\'s log');
    await expect(logs(ctx, { partition: '2026-11-20', task: 'nope' })).rejects.toThrow('task nope does not appear in');
  });
});
