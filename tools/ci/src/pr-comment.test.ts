import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { MARKER, renderComment, upsertPlanComment } = require('./pr-comment.js');

function fakeGithub(existing: Array<{ id: number; body: string; user: { type: string } }>) {
  const calls: Array<[string, any]> = [];
  const github = {
    paginate: async (_fn: unknown, args: any) => { calls.push(['list', args]); return existing; },
    rest: {
      issues: {
        listComments: () => undefined,
        updateComment: async (args: any) => { calls.push(['update', args]); return { data: { id: args.comment_id } }; },
        createComment: async (args: any) => { calls.push(['create', args]); return { data: { id: 99 } }; },
      },
    },
  };
  return { github, calls };
}

const context = {
  repo: { owner: 'example-org', repo: 'xetl' }, issue: { number: 7 }, serverUrl: 'https://github.com', runId: 42,
  sha: 'merge', payload: { pull_request: { head: { sha: '0123456789abcdef0123' } } },
};

function summariesDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plans-'));
  fs.writeFileSync(path.join(dir, 'xetl-dev-source.md'), '### `xetl-dev-source`: 0 to add\n\nNo changes.\n');
  fs.writeFileSync(path.join(dir, 'xetl-dev-analytics.md'), '### `xetl-dev-analytics`: 1 to add\n');
  return dir;
}

describe('the PR plan comment', () => {
  test('carries the marker and every stack, sorted', () => {
    const body = renderComment([{ name: 'a', body: 'A' }, { name: 'b', body: 'B' }], { sha: '0123456789abcdef', runUrl: 'u' });
    expect(body.startsWith(MARKER)).toBe(true);
    expect(body.indexOf('A')).toBeLessThan(body.indexOf('B'));
  });

  test('adds the cost of each changed environment after the plans, when there is any', () => {
    const plans = [{ name: 'xetl-dev-analytics', body: 'PLAN' }];
    const body = renderComment(plans, { sha: 'abc' }, [{ name: 'dev', body: '### Cost of `dev`: $1.00' }]);
    expect(body.indexOf('PLAN')).toBeLessThan(body.indexOf('## Cost'));
    expect(body).toContain('### Cost of `dev`: $1.00');
    expect(renderComment(plans, { sha: 'abc' })).not.toContain('## Cost');
  });

  test('reads the cost sections from their own folder', async () => {
    const costDir = fs.mkdtempSync(path.join(os.tmpdir(), 'costs-'));
    fs.writeFileSync(path.join(costDir, 'dev.md'), '### Cost of `dev`: $2.00\n');
    const { github, calls } = fakeGithub([]);
    await upsertPlanComment({ github, context, dir: summariesDir(), costDir });
    expect(calls.find(([k]) => k === 'create')![1].body).toContain('### Cost of `dev`: $2.00');
  });

  test('is created once', async () => {
    const { github, calls } = fakeGithub([{ id: 1, body: 'LGTM', user: { type: 'User' } }]);
    expect(await upsertPlanComment({ github, context, dir: summariesDir() })).toEqual({ action: 'created', id: 99 });
    const [, args] = calls.find(([k]) => k === 'create')!;
    expect(args).toMatchObject({ owner: 'example-org', repo: 'xetl', issue_number: 7 });
    expect(args.body.indexOf('xetl-dev-analytics')).toBeLessThan(args.body.indexOf('xetl-dev-source'));
    expect(args.body).toContain('`0123456789ab`');
  });

  test('and then updated in place, never duplicated', async () => {
    const { github, calls } = fakeGithub([
      { id: 1, body: `${MARKER} quoted by a person`, user: { type: 'User' } },
      { id: 5, body: `${MARKER}\nold`, user: { type: 'Bot' } },
    ]);
    expect(await upsertPlanComment({ github, context, dir: summariesDir() })).toEqual({ action: 'updated', id: 5 });
    expect(calls.map(([k]) => k)).toEqual(['list', 'update']);
  });
});
