import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { LOOPBACK_ONLY_ENV, REPO_ROOT, startMotoServer, type MotoServer } from '@xetl/testing';
import { expectCliJson } from '../../../libs/ops/src/test-support/json-schema';
import { VERSION, commandHelp, main, topHelp } from './main';

// No test may reach AWS: clients built without an endpoint throw, and credentials are dummies.
process.env.XETL_FORBID_REAL_AWS = '1';
Object.assign(process.env, LOOPBACK_ONLY_ENV);
delete process.env.XETL_AWS_ENDPOINT_URL;

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

/** A moto_server answering as `account` for the tests of one describe block. */
function useMotoServer(account: string): () => MotoServer {
  let server: MotoServer | undefined;
  beforeAll(async () => {
    server = await startMotoServer(account);
  }, 120_000);
  afterAll(() => server?.stop());
  return () => server!;
}

/** The linked bin, as an operator runs it: `env` entries set to '' are removed. */
function runBin(args: string[], env: NodeJS.ProcessEnv = {}) {
  const merged = { ...process.env, ...LOOPBACK_ONLY_ENV, XETL_FORBID_REAL_AWS: '', ...env };
  return spawnSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'xetl'), args, {
    cwd: os.tmpdir(), encoding: 'utf8', env: Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== '')),
  });
}

describe('xetl CLI (in process)', () => {
  test('--help lists every command, environments and exit codes', async () => {
    const c = capture();
    expect(await main(['--help'], c.io)).toBe(0);
    expect(c.out.join('\n')).toBe(topHelp());
    for (const cmd of ['drop', 'bootstrap', 'trigger', 'status', 'runs', 'logs', 'redrive', 'doctor', 'docs']) expect(topHelp()).toContain(`  ${cmd} `);
    expect(topHelp()).toContain('environments: local, dev, stage, prod');
  });

  test.each(['drop', 'bootstrap', 'trigger', 'status', 'runs', 'logs', 'redrive', 'doctor', 'docs'])('%s --help shows usage and examples', async (cmd) => {
    const c = capture();
    expect(await main([cmd, '--help'], c.io)).toBe(0);
    expect(c.out.join('\n')).toBe(commandHelp(cmd));
    expect(commandHelp(cmd)).toMatch(/usage: xetl .*\n[\s\S]*examples:\n {2}xetl /);
  });

  test('--version prints the CLI package version', async () => {
    const c = capture();
    expect(await main(['--version'], c.io)).toBe(0);
    expect(c.out).toEqual([`xetl ${VERSION}`]);
    expect(VERSION).toBe(JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).version);
  });

  test('every config problem is listed once, without a doubled prefix; --help says why the config does not load', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xetl-cfg-'));
    const file = path.join(dir, 'bad.config.js');
    fs.writeFileSync(file, `module.exports = { environments: {
      dev: { region: 'mars-1', accounts: { source: '1', analytics: '222222222222' }, colour: 'blue' },
    } };`);
    const saved = process.env.XETL_CONFIG;
    process.env.XETL_CONFIG = file;
    try {
      const c = capture();
      expect(await main(['status', '--env', 'dev', '--endpoint-url', 'http://127.0.0.1:9'], c.io)).toBe(2);
      const lines = c.err.join('\n').split('\n');
      expect(lines[0]).toMatch(/^xetl status: config: \d+ problems in xetl\.config\.ts$/);
      expect(lines.slice(1)).toEqual(expect.arrayContaining([
        expect.stringMatching(/^ {2}environments\.dev\.region: /),
        expect.stringMatching(/^ {2}environments\.dev\.accounts\.source: /),
        expect.stringMatching(/^ {2}environments\.dev\.colour: unknown setting/),
      ]));
      expect(new Set(lines).size).toBe(lines.length);
      expect(c.err.join('\n')).not.toContain('xetl config:');
      expect(topHelp()).toMatch(/environments: none, xetl\.config\.ts does not load: \d+ problems in xetl\.config\.ts\n {2}environments\.dev\./);
    } finally {
      if (saved === undefined) delete process.env.XETL_CONFIG;
      else process.env.XETL_CONFIG = saved;
    }
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
      'xetl: unknown command "deploy"; commands: drop, bootstrap, trigger, status, runs, logs, redrive, doctor, cost, docs, park, unpark (xetl --help)',
    ]);
  });

  test('trigger without --partition and a bad --date are usage errors', async () => {
    const c = capture();
    expect(await main(['trigger', '--env', 'local', '--endpoint-url', 'http://127.0.0.1:9'], c.io)).toBe(2);
    expect(await main(['drop', 'x.csv', '--env', 'local', '--date', '2026-13-01', '--endpoint-url', 'http://127.0.0.1:9'], c.io)).toBe(2);
    expect(c.err).toEqual([
      'xetl trigger: missing --partition YYYY-MM-DD (or --from and --to); see xetl trigger --help',
      'xetl drop: --date must be a real calendar day as YYYY-MM-DD, got "2026-13-01"',
    ]);
  });

  test('usage errors of runs, logs and backfills come before any AWS call (the endpoint here answers nothing)', async () => {
    const c = capture();
    const at = ['--endpoint-url', 'http://127.0.0.1:9'];
    expect(await main(['logs', '--env', 'dev', ...at], c.io)).toBe(2);
    expect(await main(['runs', '--env', 'dev', '--limit', '0', ...at], c.io)).toBe(2);
    expect(await main(['trigger', '--env', 'dev', '--from', '2026-11-01', ...at], c.io)).toBe(2);
    expect(await main(['trigger', '--env', 'dev', '--partition', '2026-11-01', '--from', '2026-11-01', '--to', '2026-11-02', ...at], c.io)).toBe(2);
    expect(await main(['trigger', '--env', 'dev', '--from', '2026-01-01', '--to', '2026-03-01', ...at], c.io)).toBe(2);
    expect(await main(['drop', 'x.csv', '--env', 'dev', '--concurrency', '65', ...at], c.io)).toBe(2);
    expect(await main(['trigger', '--env', 'local', '--partition', '2026-11-21', ...at], c.io)).toBe(2);
    expect(c.err).toEqual([
      'xetl logs: missing --partition YYYY-MM-DD; see xetl logs --help',
      'xetl runs: --limit must be a whole number from 1 to 100, got "0"',
      'xetl trigger: a backfill needs both --from and --to',
      'xetl trigger: give --partition or --from/--to, not both; see xetl trigger --help',
      'xetl trigger: --from 2026-01-01 --to 2026-03-01 is 60 days, above the cap of 31; pass --max-days 60 (or --yes) to start 60 runs',
      'xetl drop: --concurrency must be a whole number from 1 to 64, got "65"',
      'xetl trigger: the local environment runs the DAG with npm run local (airflow dags test, no scheduler); POST /dags/xetl_products_pipeline/dagRuns needs MWAA: use an AWS environment',
    ]);
  });
});

describe('npx xetl logs (the linked bin, against moto_server as account B of dev)', () => {
  jest.setTimeout(120_000);
  const b = useMotoServer('222222222222');

  test("reads a run's task log from the log group the test creates", async () => {
    const logs = new CloudWatchLogsClient({ region: 'eu-west-1', endpoint: b().endpoint });
    const group = 'airflow-xetl-dev-Task';
    const stream = 'dag_id=xetl_products_pipeline/run_id=manual__2026-11-21__20261122T070809Z/task_id=check_data_quality/attempt=1.log';
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
    await logs.send(new PutLogEventsCommand({
      logGroupName: group, logStreamName: stream,
      logEvents: [{ timestamp: Date.parse('2026-11-22T07:18:00Z'), message: JSON.stringify({ event: 'rows_read = rows_loaded + rows_quarantined: 1000 = 950 + 50', level: 'info' }) }],
    }));
    const r = runBin([
      'logs', '--env', 'dev', '--partition', '2026-11-21', '--run-id', 'manual__2026-11-21__20261122T070809Z', '--task', 'check_data_quality', '--endpoint-url', b().endpoint,
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      'xetl_products_pipeline run manual__2026-11-21__20261122T070809Z (partition 2026-11-21) in dev',
      '',
      `== check_data_quality, attempt 1 (airflow-xetl-dev-Task: ${stream})`,
      '2026-11-22T07:18:00.000Z INFO  rows_read = rows_loaded + rows_quarantined: 1000 = 950 + 50',
      '',
    ]);
  });
});

describe('npx xetl (the linked bin, against moto_server)', () => {
  jest.setTimeout(120_000);
  const server = useMotoServer('123456789012');
  const xetl = runBin;

  test('drop uploads through XETL_AWS_ENDPOINT_URL; a second drop is refused with exit 3', async () => {
    const s3 = new S3Client({ region: 'us-east-1', endpoint: server().endpoint, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'xetl-local-source-123456789012-us-east-1' }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xetl-cli-'));
    fs.writeFileSync(path.join(dir, 'feed.csv'), 'product_id,product_name,category,price,quantity,updated_at\nP-1,A,,1.00,1,2026-11-21T08:00:00Z\n');

    const first = xetl(['drop', dir, '--env', 'local', '--date', '2026-11-21'], { XETL_AWS_ENDPOINT_URL: server().endpoint });
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('partition 2026-11-21 (date from flag) -> s3://xetl-local-source-123456789012-us-east-1/products/year=2026/month=11/day=21/');
    expect(first.stdout).toContain('uploaded feed.csv');

    const second = xetl(['drop', dir, '--env', 'local', '--date', '2026-11-21', '--endpoint-url', server().endpoint]);
    expect(second.status).toBe(3);
    // One line says why; a slow start (a busy machine) may add progress lines before it, never after.
    const lines = second.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^xetl drop: refused: .*pass --replace to overwrite$/);
    expect(lines.slice(0, -1).filter((l) => !/^(inspecting|listing) /.test(l))).toEqual([]);

    const third = xetl(['drop', dir, '--env', 'local', '--date', '2026-11-21', '--replace', '--json', '--endpoint-url', server().endpoint]);
    expect(third.stderr).toBe('');
    expect(third.status).toBe(0);
    const printed = JSON.parse(third.stdout);
    expectCliJson('drop', printed);
    expect(printed.files).toEqual([expect.objectContaining({ name: 'feed.csv', replaced: true, rows: 1 })]);
  });

  test('doctor exits 4 and names the missing key alias', () => {
    const r = xetl(['doctor', '--env', 'local', '--endpoint-url', server().endpoint]);
    expect(r.status).toBe(4);
    expect(r.stdout).toContain('FAIL  data-key');
    expect(r.stdout).toContain('alias/xetl-local-data not found');
  });

  /** No credentials anywhere: an empty home, no keys in the environment, no instance metadata. */
  function bareEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'xetl-home-'));
    return { HOME: home, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', AWS_PROFILE: '', AWS_EC2_METADATA_DISABLED: 'true', ...extra };
  }
  const bare = runBin;

  test('AWS_PROFILE naming a missing profile: one line naming it and where it came from, printed once', () => {
    const r = bare(['doctor', '--env', 'local', '--endpoint-url', server().endpoint], bareEnv({ AWS_PROFILE: 'nope' }));
    expect(r.status).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      'xetl doctor: no AWS credentials: profile "nope" (from AWS_PROFILE) is not in ~/.aws/config and ~/.aws/credentials (profiles there: none); fix the name, or create it with: aws configure --profile nope',
    ]);
  });

  test('no credentials at all: one line listing every source tried', () => {
    const r = bare(['status', '--env', 'local', '--endpoint-url', server().endpoint], bareEnv());
    expect(r.status).toBe(4);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^xetl status: no AWS credentials found: tried the environment \(AWS_ACCESS_KEY_ID not set\), profile "default" in ~\/\.aws\/config and ~\/\.aws\/credentials \(not there\), SSO, web identity and the container or instance role; pass --profile <name>/),
    ]);
  });

  test('--profile reads the named profile of the shared config, as the AWS CLI does', () => {
    const env = bareEnv();
    fs.mkdirSync(path.join(env.HOME!, '.aws'));
    fs.writeFileSync(path.join(env.HOME!, '.aws', 'config'), '[profile ops]\naws_access_key_id = test\naws_secret_access_key = test\n');
    const r = bare(['doctor', '--env', 'local', '--profile', 'ops', '--endpoint-url', server().endpoint], env);
    expect(r.stdout).toContain('PASS  identity           caller arn:aws:sts::123456789012:user/moto (account 123456789012: source and analytics; credentials from profile "ops" (from --profile))');
    const missing = bare(['doctor', '--env', 'local', '--profile', 'other', '--endpoint-url', server().endpoint], env);
    expect(missing.stderr).toContain('profile "other" (from --profile) is not in ~/.aws/config and ~/.aws/credentials (profiles there: ops)');
  });
});

describe('wrong account (moto_server answering as account 999999999999)', () => {
  jest.setTimeout(120_000);
  const wrong = useMotoServer('999999999999');

  test('drop stops before any upload, with both account IDs in one line', async () => {
    const s3 = new S3Client({ region: 'us-east-1', endpoint: wrong().endpoint, forcePathStyle: true });
    const bucket = 'xetl-local-source-123456789012-us-east-1';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xetl-cli-'));
    fs.writeFileSync(path.join(dir, 'feed.csv'), 'product_id,product_name,category,price,quantity,updated_at\nP-1,A,,1.00,1,2026-11-21T08:00:00Z\n');
    const c = capture();
    expect(await main(['drop', dir, '--env', 'local', '--date', '2026-11-21', '--endpoint-url', wrong().endpoint], c.io)).toBe(4);
    expect(c.err).toEqual([
      "xetl drop: wrong account: the credentials from the environment (AWS_ACCESS_KEY_ID) are for account 999999999999 (arn:aws:sts::999999999999:user/moto), but environment local's source stack (account A) is in account 123456789012; nothing was changed; use credentials for 123456789012 (--profile or AWS_PROFILE)",
    ]);
    expect((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount).toBe(0);
  });

  test.each([
    ['status', 'local', '123456789012'], ['redrive', 'local', '123456789012'], ['bootstrap', 'local', '123456789012'],
    ['trigger --partition 2026-11-21', 'dev', '222222222222'], ['runs', 'dev', '222222222222'], ['logs --partition 2026-11-21', 'dev', '222222222222'],
  ])('%s (--env %s) stops before its first call with both accounts', async (args, env, expected) => {
    const c = capture();
    expect(await main([...args.split(' '), '--env', env, '--endpoint-url', wrong().endpoint], c.io)).toBe(4);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toContain('are for account 999999999999');
    expect(c.err[0]).toContain(`environment ${env}'s analytics stack (account B) is in account ${expected}`);
  });
});
