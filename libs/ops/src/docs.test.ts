import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DOCS_SITE_FILES, docs, renderDocs } from './docs';
import { XetlError } from './errors';
import { motoContext, resetMoto, useMoto } from './test-support/moto';
import { expectCliJson } from './test-support/json-schema';

jest.setTimeout(120_000);
const moto = useMoto();

const INDEX = '<!doctype html><html><head><title>dbt Docs</title></head><body><div ng-view></div></body></html>\n';
const MANIFEST = JSON.stringify({ metadata: { dbt_version: '1.11.16' }, nodes: { 'model.xetl.stg_products': {} } });
const CATALOG = JSON.stringify({ metadata: { dbt_version: '1.11.16' }, nodes: {}, sources: {} });

/** The local environment on moto, with a staging bucket holding `files` under dbt-docs/ (what publish_dbt_docs writes). */
async function withSite(files: Record<string, string>) {
  await resetMoto(moto.server().endpoint);
  const ctx = motoContext(moto.server().endpoint);
  await ctx.clients.s3.send(new CreateBucketCommand({ Bucket: ctx.names.stagingBucket }));
  for (const [name, body] of Object.entries(files)) {
    await ctx.clients.s3.send(new PutObjectCommand({ Bucket: ctx.names.stagingBucket, Key: `dbt-docs/${name}`, Body: body, ContentType: 'text/html' }));
  }
  return ctx;
}

const site = { 'index.html': INDEX, 'manifest.json': MANIFEST, 'catalog.json': CATALOG };

describe('xetl docs (moto S3, a real HTTP server on loopback)', () => {
  test('downloads the site from the staging bucket and serves it on 127.0.0.1: the page, then the JSON it loads', async () => {
    const ctx = await withSite(site);
    const session = await docs(ctx, { port: 0 });
    try {
      const { report } = session;
      expect(report).toMatchObject({ environment: 'local', bucket: ctx.names.stagingBucket, prefix: 'dbt-docs/' });
      expect(report.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(report.files.map((f) => [f.name, f.bytes])).toEqual(DOCS_SITE_FILES.map((n) => [n, Buffer.byteLength(site[n])]));
      expectCliJson('docs', report);

      const page = await fetch(report.url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(await page.text()).toBe(INDEX);
      const manifest = await fetch(new URL('manifest.json', report.url));
      expect(manifest.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await manifest.json()).toEqual(JSON.parse(MANIFEST));
      expect(await (await fetch(new URL('catalog.json?cb=1', report.url))).json()).toEqual(JSON.parse(CATALOG));
      expect(renderDocs(report)[1]).toBe(`serving on ${report.url}  (127.0.0.1 only; Ctrl-C stops it and deletes ${report.dir})`);
    } finally {
      await session.close();
    }
    expect(fs.existsSync(session.report.dir)).toBe(false);
  });

  test('serves only the three files of the site: other paths, traversal and writes are refused', async () => {
    const session = await docs(await withSite(site), { port: 0 });
    try {
      const { url } = session.report;
      expect((await fetch(new URL('run_results.json', url))).status).toBe(404);
      expect((await fetch(`${url}..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
      // A raw request line, as a client that does not normalise paths sends it.
      const raw = await new Promise<number>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port: Number(new URL(url).port), path: '/../../etc/passwd' }, (res) => (res.resume(), resolve(res.statusCode!)))
          .once('error', reject);
      });
      expect(raw).toBe(404);
      expect((await fetch(url, { method: 'PUT', body: 'x' })).status).toBe(405);
    } finally {
      await session.close();
    }
  });

  test('is reachable on loopback only', async () => {
    const session = await docs(await withSite(site), { port: 0 });
    try {
      const port = Number(new URL(session.report.url).port);
      const external = Object.values(require('node:os').networkInterfaces()).flat()
        .find((i: any) => i && i.family === 'IPv4' && !i.internal) as { address: string } | undefined;
      if (external) {
        const refused = await new Promise<boolean>((resolve) => {
          const socket = net.connect(port, external.address);
          socket.once('connect', () => (socket.destroy(), resolve(false)));
          socket.once('error', () => resolve(true));
        });
        expect(refused).toBe(true);
      }
      expect((await fetch(session.report.url)).status).toBe(200);
    } finally {
      await session.close();
    }
  });

  test('no published site is one line that names the task that writes it, and leaves no folder behind', async () => {
    const before = new Set(fs.readdirSync(require('node:os').tmpdir()).filter((d) => d.startsWith('xetl-docs-')));
    const ctx = await withSite({ 'index.html': INDEX, 'manifest.json': MANIFEST });
    const err = await docs(ctx, { port: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(XetlError);
    expect((err as XetlError).exitCode).toBe(4);
    expect((err as XetlError).message).toBe(
      `no dbt docs site at s3://${ctx.names.stagingBucket}/dbt-docs/ (catalog.json is missing): the DAG's publish_dbt_docs task writes it once a run ` +
      'has published its partition; see xetl runs --env local, and xetl logs --env local --partition <day> --task publish_dbt_docs',
    );
    const after = fs.readdirSync(require('node:os').tmpdir()).filter((d) => d.startsWith('xetl-docs-') && !before.has(d));
    expect(after).toEqual([]);
  });

  test('a port in use is a usage error naming the flag', async () => {
    const ctx = await withSite(site);
    const first = await docs(ctx, { port: 0 });
    try {
      const port = Number(new URL(first.report.url).port);
      const err = await docs(ctx, { port }).catch((e: unknown) => e);
      expect((err as XetlError).exitCode).toBe(2);
      expect((err as XetlError).message).toBe(`port ${port} on 127.0.0.1 is in use; pick another with --port N (0: any free port)`);
    } finally {
      await first.close();
    }
  });
});
