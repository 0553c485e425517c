import * as fs from 'node:fs';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { LOOPBACK_ONLY_ENV, startMotoServer, type MotoServer } from '@xetl/testing';
import { main } from '../main';

// No test may reach AWS: clients built without an endpoint throw, and credentials are dummies.
process.env.XETL_FORBID_REAL_AWS = '1';
Object.assign(process.env, LOOPBACK_ONLY_ENV);
delete process.env.XETL_AWS_ENDPOINT_URL;

// The local environment's account B, as moto answers STS.
const ACCOUNT = '123456789012';
const STAGING = `xetl-local-staging-${ACCOUNT}-us-east-1`;
const INDEX = '<!doctype html><title>dbt Docs</title><div ng-view></div>\n';

let moto: MotoServer;
beforeAll(async () => {
  moto = await startMotoServer(ACCOUNT);
  const s3 = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: STAGING }));
  for (const [name, body] of [['index.html', INDEX], ['manifest.json', '{"nodes":{}}'], ['catalog.json', '{"nodes":{}}']]) {
    await s3.send(new PutObjectCommand({ Bucket: STAGING, Key: `dbt-docs/${name}`, Body: body }));
  }
}, 120_000);
afterAll(() => moto?.stop());

/** Runs `xetl docs` in process until it prints the URL; `stop` sends what Ctrl-C sends. */
async function startDocs(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const exit = main(['docs', '--env', 'local', '--endpoint-url', moto.endpoint, ...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
  for (let i = 0; i < 300 && !out.some((l) => l.includes('127.0.0.1')) && err.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  return { out, err, exit, stop: () => process.emit('SIGINT') };
}

describe('xetl docs (moto S3; the served page fetched over HTTP)', () => {
  test('serves the published site on localhost until Ctrl-C, then removes its folder and exits 0', async () => {
    const run = await startDocs(['--port', '0']);
    expect(run.err).toEqual([]);
    const [what, serving] = run.out;
    expect(what).toMatch(new RegExp(`^dbt docs of local: s3://${STAGING}/dbt-docs/ \\(3 files, 1 KiB, generated \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z\\)$`));
    const url = /serving on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(serving)![1];
    const dir = /deletes (\S+)\)$/.exec(serving)![1];
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(INDEX);
    run.stop();
    expect(await run.exit).toBe(0);
    expect(fs.existsSync(dir)).toBe(false);
    await expect(fetch(url)).rejects.toThrow();
  });

  test('--json prints the served site as one document', async () => {
    const run = await startDocs(['--port', '0', '--json']);
    const report = JSON.parse(run.out.join('\n'));
    expect(report).toMatchObject({ environment: 'local', bucket: STAGING, prefix: 'dbt-docs/', files: expect.any(Array) });
    expect((await fetch(new URL('manifest.json', report.url))).status).toBe(200);
    run.stop();
    expect(await run.exit).toBe(0);
  });

  test('a bad --port is a usage error before any AWS call', async () => {
    const err: string[] = [];
    const code = await main(['docs', '--env', 'local', '--endpoint-url', 'http://127.0.0.1:9', '--port', '70000'], { out: () => undefined, err: (l) => err.push(l) });
    expect(code).toBe(2);
    expect(err).toEqual(['xetl docs: --port must be a whole number from 0 to 65535, got "70000"']);
  });
});
