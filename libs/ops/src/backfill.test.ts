import { Naming, loadConfig, selectEnvironment } from '@xetl/config';
import { backfill, backfillDays, renderBackfill, renderBackfillProgress, type BackfillProgress } from './backfill';
import type { AirflowApi, RestApiRequest } from './clients';
import { XetlError } from './errors';
import { motoContext } from './test-support/moto';
import { expectCliJson } from './test-support/json-schema';

const NOW = new Date('2026-12-01T09:00:00Z');

/**
 * MWAA is not in moto: a stand-in for its REST API that keeps the runs it was given and, on each
 * list call, moves the oldest unfinished run one state on (queued -> running -> success), as a
 * DAG with max_active_runs=1 would, failing the partitions listed in `fail`.
 */
function fakeMwaa(fail: string[] = [], refuseAt?: string) {
  const base = motoContext('http://127.0.0.1:9', NOW);
  const env = selectEnvironment(loadConfig(), 'dev');
  const posts: Array<Record<string, unknown>> = [];
  const gets: RestApiRequest[] = [];
  const runs: Array<{ dag_run_id: string; state: string; conf: { partition: string }; start_date: string | null; end_date: string | null }> = [];
  const api: AirflowApi = {
    invoke: async (r) => {
      if (r.method === 'POST') {
        const body = r.body as { dag_run_id: string; conf: { partition: string } };
        if (body.conf.partition === refuseAt) return { status: 403, body: { detail: 'Forbidden' } };
        posts.push(body);
        runs.push({ dag_run_id: body.dag_run_id, state: 'queued', conf: body.conf, start_date: null, end_date: null });
        return { status: 200, body: { dag_run_id: body.dag_run_id, state: 'queued' } };
      }
      gets.push(r);
      const next = runs.find((x) => x.state !== 'success' && x.state !== 'failed');
      if (next) {
        if (next.state === 'queued') Object.assign(next, { state: 'running', start_date: '2026-12-01T09:01:00Z' });
        else Object.assign(next, { state: fail.includes(next.conf.partition) ? 'failed' : 'success', end_date: '2026-12-01T09:04:00Z' });
      }
      return { status: 200, body: { total_entries: runs.length, dag_runs: [...runs].reverse() } };
    },
  };
  return { ctx: { ...base, env, names: new Naming(env), airflow: () => api }, posts, gets };
}

describe('xetl trigger --from --to (serialised backfill; MWAA stubbed: not in moto)', () => {
  test('one manual run per day in date order, then polls until all finish, reporting runs done and the current one', async () => {
    const { ctx, posts, gets } = fakeMwaa(['2026-11-02']);
    const progress: BackfillProgress[] = [];
    const sleeps: number[] = [];
    const r = await backfill(ctx, {
      from: '2026-11-01', to: '2026-11-03', pollSeconds: 7,
      onProgress: (p) => progress.push(p), sleep: async (ms) => void sleeps.push(ms),
    });
    expect(posts).toEqual(['2026-11-01', '2026-11-02', '2026-11-03'].map((day, i) => ({
      dag_run_id: `manual__${day}__20261201T090000Z`, logical_date: null, conf: { partition: day }, note: `xetl backfill 2026-11-01..2026-11-03 (${i + 1}/3)`,
    })));
    expect(gets[0].query).toEqual({ limit: 100, offset: 0, order_by: '-run_after', run_after_gte: '2026-12-01T08:59:00Z' });
    expect(sleeps.every((ms) => ms === 7000)).toBe(true);
    expect(r.runs.map((x) => [x.partition, x.state, x.duration_seconds])).toEqual([['2026-11-01', 'success', 180], ['2026-11-02', 'failed', 180], ['2026-11-03', 'success', 180]]);
    expect([r.succeeded, r.failed]).toEqual([2, 1]);
    expectCliJson('trigger', r);
    const lines = progress.map(renderBackfillProgress);
    expect(lines.slice(0, 4)).toEqual(['triggering 0/3 run(s): 2026-11-01', 'triggering 1/3 run(s): 2026-11-02', 'triggering 2/3 run(s): 2026-11-03', 'triggering 3/3 run(s)']);
    expect(lines).toContain('0/3 run(s) finished; now 2026-11-01 (running)');
    expect(lines).toContain('2/3 run(s) finished, 1 failed; now 2026-11-03 (queued)');
    expect(lines.at(-1)).toBe('3/3 run(s) finished, 1 failed');
    expect(renderBackfill(r).at(-1)).toBe('2 succeeded, 1 failed; see xetl logs --partition <day> for a failed one');
  });

  test('--no-wait triggers and returns without polling', async () => {
    const { ctx, gets } = fakeMwaa();
    const r = await backfill(ctx, { from: '2026-11-01', to: '2026-11-02', wait: false });
    expect(gets).toEqual([]);
    expect(r.runs.map((x) => x.state)).toEqual(['queued', 'queued']);
    expect(renderBackfill(r).at(-1)).toBe('not waiting (--no-wait); follow them with xetl runs');
  });

  test('more than 31 days needs --max-days: refused before any run is started', async () => {
    const { ctx, posts } = fakeMwaa();
    const err = await backfill(ctx, { from: '2026-01-01', to: '2026-02-01' }).catch((e) => e);
    expect(err).toBeInstanceOf(XetlError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe('--from 2026-01-01 --to 2026-02-01 is 32 days, above the cap of 31; pass --max-days 32 (or --yes) to start 32 runs');
    expect(posts).toEqual([]);
    expect(backfillDays('2026-02-27', '2026-03-01')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
    expect(() => backfillDays('2026-03-02', '2026-03-01')).toThrow('--to 2026-03-01 is before --from 2026-03-02');
  });

  test('a refusal midway says which days were started and where to continue', async () => {
    const { ctx, posts } = fakeMwaa([], '2026-11-03');
    const err = await backfill(ctx, { from: '2026-11-01', to: '2026-11-05' }).catch((e) => e);
    expect(posts).toHaveLength(2);
    expect(err.exitCode).toBe(4);
    expect(err.message).toMatch(/^Airflow refused POST \/dags\/xetl_products_pipeline\/dagRuns \(403\); .*; 2 of 5 run\(s\) were triggered before \(2026-11-01\.\.2026-11-02\); continue with --from 2026-11-03$/);
  });
});
