import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { drop, inspectCsv, renderDrop, renderProgress, type DropMarker } from './drop';
import { XetlError } from './errors';
import { HEADER, motoContext, resetMoto, tmpDir, useMoto } from './test-support/moto';

jest.setTimeout(120_000);
const moto = useMoto();

function csv(dir: string, name: string, rows: string[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, [HEADER, ...rows].join('\n') + '\n');
  return file;
}

async function setup() {
  await resetMoto(moto.server().endpoint);
  const ctx = motoContext(moto.server().endpoint);
  await ctx.clients.s3.send(new CreateBucketCommand({ Bucket: ctx.names.sourceBucket }));
  return ctx;
}

async function keys(ctx: ReturnType<typeof motoContext>): Promise<string[]> {
  const out = await ctx.clients.s3.send(new ListObjectsV2Command({ Bucket: ctx.names.sourceBucket }));
  return (out.Contents ?? []).map((o) => o.Key as string).sort();
}

async function body(ctx: ReturnType<typeof motoContext>, key: string): Promise<string> {
  const out = await ctx.clients.s3.send(new GetObjectCommand({ Bucket: ctx.names.sourceBucket, Key: key }));
  return out.Body!.transformToString();
}

describe('xetl drop (moto S3)', () => {
  test('uploads a folder under products/year=/month=/day=/ and writes the _SUCCESS manifest last', async () => {
    const ctx = await setup();
    const dir = tmpDir();
    const a = csv(dir, 'feed-1.csv', ['P-1,"Chair, oak",furniture,10.50,3,2026-11-21T08:00:00Z', 'P-2,"Multi\nline ""name""",,1.00,1,2026-11-21T08:00:00Z']);
    const b = csv(dir, 'feed-2.csv', ['P-3,Lamp,light,5.00,2,2026-11-21T08:00:00Z']);
    fs.writeFileSync(path.join(dir, '_ignored'), 'x');
    const progress: string[] = [];
    const result = await drop(ctx, { paths: [dir], date: '2026-11-21', onProgress: (p) => progress.push(renderProgress(p)) });

    expect(await keys(ctx)).toEqual([
      'products/year=2026/month=11/day=21/_SUCCESS',
      'products/year=2026/month=11/day=21/feed-1.csv',
      'products/year=2026/month=11/day=21/feed-2.csv',
    ]);
    expect(await body(ctx, 'products/year=2026/month=11/day=21/feed-1.csv')).toBe(fs.readFileSync(a, 'utf8'));
    const marker = JSON.parse(await body(ctx, 'products/year=2026/month=11/day=21/_SUCCESS')) as DropMarker;
    const sha = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');
    expect(marker).toMatchObject({
      format: 'xetl.drop.v1', partition: '2026-11-21', bucket: ctx.names.sourceBucket,
      prefix: 'products/year=2026/month=11/day=21/', total_files: 2, total_rows: 3,
      total_bytes: fs.statSync(a).size + fs.statSync(b).size,
    });
    expect(marker.files).toEqual([
      { name: 'feed-1.csv', key: 'products/year=2026/month=11/day=21/feed-1.csv', size: fs.statSync(a).size, sha256: sha(a), rows: 2 },
      { name: 'feed-2.csv', key: 'products/year=2026/month=11/day=21/feed-2.csv', size: fs.statSync(b).size, sha256: sha(b), rows: 1 },
    ]);
    expect(progress.at(-1)).toContain('100% feed-2.csv (2/2');
    const text = renderDrop(result).join('\n');
    expect(text).toContain('partition 2026-11-21 (date from flag)');
    expect(text).toContain('dropped 2 file(s)');
  });

  test('the marker is the last object written (call order)', async () => {
    const ctx = await setup();
    const dir = tmpDir();
    csv(dir, 'a.csv', ['P-1,A,,1.00,1,2026-11-21T08:00:00Z']);
    const written: string[] = [];
    const send = ctx.clients.s3.send.bind(ctx.clients.s3);
    jest.spyOn(ctx.clients.s3, 'send').mockImplementation(((cmd: { input: { Key?: string }; constructor: { name: string } }) => {
      if (/Put|Upload|Complete/.test(cmd.constructor.name)) written.push(cmd.input.Key as string);
      return send(cmd as never);
    }) as never);
    await drop(ctx, { paths: [path.join(dir, 'a.csv')], date: '2026-11-21' });
    expect(written.at(-1)).toBe('products/year=2026/month=11/day=21/_SUCCESS');
    expect(written.indexOf('products/year=2026/month=11/day=21/a.csv')).toBeGreaterThanOrEqual(0);
  });

  test('without --date uses today in UTC and says so', async () => {
    const ctx = { ...(await setup()), now: () => new Date('2026-11-21T23:30:00-05:00') };
    const dir = tmpDir();
    const result = await drop(ctx, { paths: [csv(dir, 'a.csv', ['P-1,A,,1.00,1,2026-11-21T08:00:00Z'])] });
    expect(result.prefix).toBe('products/year=2026/month=11/day=22/');
    expect(renderDrop(result)[0]).toContain('date from today (UTC)');
  });

  test('uploads a large file in parts with SHA-256 checksums', async () => {
    const ctx = await setup();
    const dir = tmpDir();
    const line = 'P-1,A fairly long product name to make the file bigger,furniture,10.50,3,2026-11-21T08:00:00Z';
    const rows = Array.from({ length: 70_000 }, (_, i) => line.replace('P-1', `P-${i}`));
    const file = csv(dir, 'big.csv', rows);
    expect(fs.statSync(file).size).toBeGreaterThan(5 * 1024 * 1024);
    const calls: string[] = [];
    const send = ctx.clients.s3.send.bind(ctx.clients.s3);
    jest.spyOn(ctx.clients.s3, 'send').mockImplementation(((cmd: { input: { ChecksumAlgorithm?: string }; constructor: { name: string } }) => {
      calls.push(`${cmd.constructor.name}:${cmd.input.ChecksumAlgorithm ?? ''}`);
      return send(cmd as never);
    }) as never);
    const result = await drop(ctx, { paths: [file], date: '2026-11-21', partSize: 5 * 1024 * 1024 });
    expect(calls).toContain('CreateMultipartUploadCommand:SHA256');
    expect(calls.filter((c) => c.startsWith('UploadPartCommand')).length).toBeGreaterThanOrEqual(2);
    expect(result.files[0].rows).toBe(70_000);
    // Read back without the SDK: moto reports a multipart object's composite checksum without the
    // "-<parts>" suffix real S3 adds, so the SDK's response validation would flag a false mismatch.
    const res = await fetch(`${moto.server().endpoint}/${ctx.names.sourceBucket}/products/year=2026/month=11/day=21/big.csv`);
    expect(await res.text()).toBe(fs.readFileSync(file, 'utf8'));
  });

  test.each([
    ['empty.csv', '', 'is empty'],
    ['notes.txt', `${HEADER}\nP-1,A,,1.00,1,2026-11-21T08:00:00Z\n`, 'is not a CSV file'],
    ['wrong.csv', 'id,name\n1,a\n', 'does not start with the contract header'],
    ['header-only.csv', `${HEADER}\n`, 'has the header but no data rows'],
  ])('refuses %s with a clear message and uploads nothing', async (name, content, message) => {
    const ctx = await setup();
    const dir = tmpDir();
    const good = csv(dir, 'good.csv', ['P-1,A,,1.00,1,2026-11-21T08:00:00Z']);
    fs.writeFileSync(path.join(dir, name), content);
    const err = await drop(ctx, { paths: [good, path.join(dir, name)], date: '2026-11-21' }).catch((e) => e);
    expect(err).toBeInstanceOf(XetlError);
    expect(err.exitCode).toBe(3);
    expect(err.message).toContain(name);
    expect(err.message).toContain(message);
    expect(await keys(ctx)).toEqual([]);
  });

  test('never overwrites without --replace; --replace overwrites and rewrites the marker', async () => {
    const ctx = await setup();
    const dir = tmpDir();
    const file = csv(dir, 'feed.csv', ['P-1,A,,1.00,1,2026-11-21T08:00:00Z']);
    await drop(ctx, { paths: [file], date: '2026-11-21' });
    const before = await body(ctx, 'products/year=2026/month=11/day=21/_SUCCESS');

    csv(dir, 'feed.csv', ['P-1,A,,1.00,1,2026-11-21T08:00:00Z', 'P-2,B,,2.00,2,2026-11-21T08:00:00Z']);
    const extra = csv(dir, 'extra.csv', ['P-9,Z,,9.00,9,2026-11-21T08:00:00Z']);
    const err = await drop(ctx, { paths: [file, extra], date: '2026-11-21' }).catch((e) => e);
    expect(err.exitCode).toBe(3);
    expect(err.message).toMatch(/already complete \(_SUCCESS exists\).*feed\.csv, _SUCCESS.*nothing was uploaded; pass --replace/);
    expect(await keys(ctx)).toEqual(['products/year=2026/month=11/day=21/_SUCCESS', 'products/year=2026/month=11/day=21/feed.csv']);
    expect(await body(ctx, 'products/year=2026/month=11/day=21/_SUCCESS')).toBe(before);

    const replaced = await drop(ctx, { paths: [file], date: '2026-11-21', replace: true });
    expect(replaced.files[0]).toMatchObject({ replaced: true, rows: 2 });
    const marker = JSON.parse(await body(ctx, 'products/year=2026/month=11/day=21/_SUCCESS')) as DropMarker;
    expect(marker.total_rows).toBe(2);
  });

  test('counts rows with quoted newlines, CRLF and a missing final newline', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'x.csv');
    fs.writeFileSync(file, `\uFEFF"product_id","product_name",category,price,quantity,updated_at\r\nP-1,"a\r\nb",,1,1,2026-11-21T00:00:00Z\r\n\r\nP-2,c,,1,1,2026-11-21T00:00:00Z`);
    await expect(inspectCsv(file)).resolves.toMatchObject({ rows: 2 });
  });

  test('a missing source bucket is one line naming it (exit 4)', async () => {
    await resetMoto(moto.server().endpoint);
    const ctx = motoContext(moto.server().endpoint);
    const dir = tmpDir();
    const err = await drop(ctx, { paths: [csv(dir, 'a.csv', ['P-1,A,,1.00,1,2026-11-21T08:00:00Z'])], date: '2026-11-21' }).catch((e) => e);
    expect(err.exitCode).toBe(4);
    expect(err.message).toContain(ctx.names.sourceBucket);
  });
});
