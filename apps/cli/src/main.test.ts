import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { LOOPBACK_ONLY_ENV, REPO_ROOT, startMotoServer, type MotoServer } from '@xetl/testing';
import { commandHelp, main, topHelp } from './main';

// No test may reach AWS: clients built without an endpoint throw, and credentials are dummies.
process.env.XETL_FORBID_REAL_AWS = '1';
Object.assign(process.env, LOOPBACK_ONLY_ENV);
delete process.env.XETL_AWS_ENDPOINT_URL;

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe('xetl CLI (in process)', () => {
  test('--help lists every command, environments and exit codes', async () => {
    const c = capture();
    expect(await main(['--help'], c.io)).toBe(0);
    expect(c.out.join('\n')).toBe(topHelp());
    for (const cmd of ['drop', 'bootstrap', 'trigger', 'status', 'doctor']) expect(topHelp()).toContain(`  ${cmd} `);
    expect(topHelp()).toContain('environments: local, dev, stage, prod');
  });

  test.each(['drop', 'bootstrap', 'trigger', 'status', 'doctor'])('%s --help shows usage and examples', async (cmd) => {
    const c = capture();
    expect(await main([cmd, '--help'], c.io)).toBe(0);
    expect(c.out.join('\n')).toBe(commandHelp(cmd));
    expect(commandHelp(cmd)).toMatch(/usage: xetl .*\n[\s\S]*examples:\n {2}xetl /);
  });

  test('unknown environment: one line listing the known ones, exit 2', async () => {
    const c = capture();
    expect(await main(['status', '--env', 'nope', '--endpoint-url', 'http://127.0.0.1:9'], c.io)).toBe(2);
    expect(c.err).toEqual(['xetl status: unknown environment "nope" (known: local, dev, stage, prod)']);
  });

  test('missing --env, unknown flag and unknown command are usage errors (exit 2)', async () => {
    const c = capture();
    expect(await main(['doctor'], c.io)).toBe(2);
    expect(await main(['status', '--env', 'local', '--nope'], c.io)).toBe(2);
    expect(await main(['deploy'], c.io)).toBe(2);
    expect(c.err).toEqual([
      'xetl doctor: missing --env <name>; known environments: local, dev, stage, prod',
      "xetl status: Unknown option '--nope'; see xetl status --help",
      'xetl: unknown command "deploy"; commands: drop, bootstrap, trigger, status, redrive, doctor, cost (xetl --help)',
    ]);
  });

  test('trigger without --partition and a bad --date are usage errors', async () => {
    const c = capture();
    expect(await main(['trigger', '--env', 'local', '--endpoint-url', 'http://127.0.0.1:9'], c.io)).toBe(2);
    expect(await main(['drop', 'x.csv', '--env', 'local', '--date', '2026-13-01', '--endpoint-url', 'http://127.0.0.1:9'], c.io)).toBe(2);
    expect(c.err).toEqual([
      'xetl trigger: missing --partition YYYY-MM-DD; see xetl trigger --help',
      'xetl drop: --date must be a real calendar day as YYYY-MM-DD, got "2026-13-01"',
    ]);
  });
});

describe('npx xetl (the linked bin, against moto_server)', () => {
  jest.setTimeout(120_000);
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMotoServer('123456789012');
  }, 120_000);
  afterAll(() => moto?.stop());

  const xetl = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'xetl'), args, {
      cwd: os.tmpdir(), encoding: 'utf8', env: { ...process.env, ...LOOPBACK_ONLY_ENV, XETL_FORBID_REAL_AWS: '', ...env },
    });

  test('drop uploads through XETL_AWS_ENDPOINT_URL; a second drop is refused with exit 3', async () => {
    const s3 = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'xetl-local-source-123456789012-us-east-1' }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xetl-cli-'));
    fs.writeFileSync(path.join(dir, 'feed.csv'), 'product_id,product_name,category,price,quantity,updated_at\nP-1,A,,1.00,1,2026-11-21T08:00:00Z\n');

    const first = xetl(['drop', dir, '--env', 'local', '--date', '2026-11-21'], { XETL_AWS_ENDPOINT_URL: moto.endpoint });
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('partition 2026-11-21 (date from flag) -> s3://xetl-local-source-123456789012-us-east-1/products/year=2026/month=11/day=21/');
    expect(first.stdout).toContain('uploaded feed.csv');

    const second = xetl(['drop', dir, '--env', 'local', '--date', '2026-11-21', '--endpoint-url', moto.endpoint]);
    expect(second.status).toBe(3);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toContain('pass --replace to overwrite');
  });

  test('doctor exits 4 and names the missing key alias', () => {
    const r = xetl(['doctor', '--env', 'local', '--endpoint-url', moto.endpoint]);
    expect(r.status).toBe(4);
    expect(r.stdout).toContain('FAIL  data-key');
    expect(r.stdout).toContain('alias/xetl-local-data not found');
  });
});
