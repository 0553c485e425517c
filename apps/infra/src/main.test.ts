import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '../../..');

/** Runs the real cdktf app (as `cdktf synth` does) into a scratch output directory. */
function runApp(env: Record<string, string>, outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'xetl-synth-')), 'out')) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'apps/infra/src/main.ts'], {
    cwd: repo,
    env: { ...process.env, CDKTF_OUTDIR: outdir, ...env },
    encoding: 'utf8',
  });
  return { ...r, outdir };
}

function configFile(body: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'xetl-config-')), 'xetl.config.ts');
  fs.writeFileSync(file, `export default ${body};\n`);
  return file;
}

describe('the infra app', () => {
  jest.setTimeout(60_000);

  test('synthesizes one stack per account for every environment', () => {
    const r = runApp({});
    expect(r.status).toBe(0);
    expect(fs.readdirSync(path.join(r.outdir, 'stacks')).sort()).toEqual([
      'xetl-dev-analytics', 'xetl-dev-bootstrap-analytics', 'xetl-dev-bootstrap-source', 'xetl-dev-source',
      'xetl-local-analytics', 'xetl-local-source',
      'xetl-prod-analytics', 'xetl-prod-bootstrap-analytics', 'xetl-prod-bootstrap-source', 'xetl-prod-source',
      'xetl-stage-analytics', 'xetl-stage-bootstrap-analytics', 'xetl-stage-bootstrap-source', 'xetl-stage-source',
    ]);
  });

  test('gives every stack the committed provider lock file: the mirror\'s linux_amd64 checksum and the registry\'s zips', () => {
    const r = runApp({ XETL_ENV: 'dev' });
    expect(r.status).toBe(0);
    const committed = fs.readFileSync(path.join(repo, 'apps/infra/.terraform.lock.hcl'), 'utf8');
    expect(committed).toMatch(/provider "registry\.terraform\.io\/hashicorp\/aws" \{\n\s+version\s+= "5\.100\.0"/);
    expect(committed).toContain('"h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0="');
    expect(committed.match(/"zh:[0-9a-f]{64}"/g)).toHaveLength(15);
    for (const stack of fs.readdirSync(path.join(r.outdir, 'stacks'))) {
      expect(fs.readFileSync(path.join(r.outdir, 'stacks', stack, '.terraform.lock.hcl'), 'utf8')).toBe(committed);
    }
  });

  test('XETL_ENV limits synthesis to one environment', () => {
    const r = runApp({ XETL_ENV: 'dev' });
    expect(r.status).toBe(0);
    expect(fs.readdirSync(path.join(r.outdir, 'stacks')).sort()).toEqual([
      'xetl-dev-analytics', 'xetl-dev-bootstrap-analytics', 'xetl-dev-bootstrap-source', 'xetl-dev-source',
    ]);
  });

  test('a bad config prints one line naming the field and writes nothing', () => {
    const file = configFile(`{ environments: { dev: { region: 'eu-west-1', accounts: { source: '1234', analytics: '222222222222' }, localOnly: true } } }`);
    const r = runApp({ XETL_CONFIG: file });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['xetl config: environments.dev.accounts.source: "1234" is not a 12-digit AWS account ID']);
    expect(fs.existsSync(r.outdir)).toBe(false);
  });

  test('an unknown environment is refused before anything is written', () => {
    const r = runApp({ XETL_ENV: 'qa' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('xetl config: environment: unknown environment "qa" (known: local, dev, stage, prod)');
    expect(fs.existsSync(r.outdir)).toBe(false);
  });

  test('a bad config leaves the last good synth in place', () => {
    const good = runApp({ XETL_ENV: 'dev' });
    expect(good.status).toBe(0);
    const file = configFile(`{ environments: { dev: { region: 'nowhere' } } }`);
    const bad = runApp({ XETL_CONFIG: file }, good.outdir);
    expect(bad.status).toBe(2);
    expect(fs.readdirSync(path.join(good.outdir, 'stacks'))).toContain('xetl-dev-analytics');
    expect(fs.readdirSync(path.dirname(good.outdir))).toEqual(['out']); // no half-written sibling left
  });

  test('a later synth of one environment replaces the whole output', () => {
    const all = runApp({});
    expect(all.status).toBe(0);
    expect(runApp({ XETL_ENV: 'prod' }, all.outdir).status).toBe(0);
    expect(fs.readdirSync(path.join(all.outdir, 'stacks')).every((s) => s.startsWith('xetl-prod-'))).toBe(true);
  });
});
