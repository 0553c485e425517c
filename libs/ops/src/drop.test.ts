import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { DropProgressView, drop, inspectCsv, renderDrop, type DropMarker, type DropProgress } from './drop';
import { forEachLimit } from './pool';
import { XetlError } from './errors';
import { HEADER, motoContext, resetMoto, tmpDir, useMoto } from './test-support/moto';
import { expectCliJson } from './test-support/json-schema';

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
  const all: string[] = [];
  let token: string | undefined;
  do {
    const out = await ctx.clients.s3.send(new ListObjectsV2Command({ Bucket: ctx.names.sourceBucket, ContinuationToken: token }));
    all.push(...(out.Contents ?? []).map((o) => o.Key as string));
    token = out.NextContinuationToken;
  } while (token);
  return all.sort();
}

const sha = (f: string | Buffer) => createHash('sha256').update(typeof f === 'string' ? fs.readFileSync(f) : f).digest('hex');
const PARTITION = 'products/year=2026/month=11/day=21/';

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
    const progress: DropProgress[] = [];
    const result = await drop(ctx, { paths: [dir], date: '2026-11-21', onProgress: (p) => progress.push(p) });

    expect(await keys(ctx)).toEqual([
      'products/year=2026/month=11/day=21/_SUCCESS',
      'products/year=2026/month=11/day=21/feed-1.csv',
      'products/year=2026/month=11/day=21/feed-2.csv',
    ]);
    expect(await body(ctx, 'products/year=2026/month=11/day=21/feed-1.csv')).toBe(fs.readFileSync(a, 'utf8'));
    const marker = JSON.parse(await body(ctx, 'products/year=2026/month=11/day=21/_SUCCESS')) as DropMarker;
    expect(marker).toMatchObject({
      format: 'xetl.drop.v1', partition: '2026-11-21', bucket: ctx.names.sourceBucket,
      prefix: 'products/year=2026/month=11/day=21/', total_files: 2, total_rows: 3,
      total_bytes: fs.statSync(a).size + fs.statSync(b).size,
    });
    expect(marker.files).toEqual([
      { name: 'feed-1.csv', key: 'products/year=2026/month=11/day=21/feed-1.csv', size: fs.statSync(a).size, sha256: sha(a), rows: 2 },
      { name: 'feed-2.csv', key: 'products/year=2026/month=11/day=21/feed-2.csv', size: fs.statSync(b).size, sha256: sha(b), rows: 1 },
    ]);
    expect(progress.map((p) => p.phase)).toEqual(['inspect', 'inspect', 'inspect', 'check', 'upload', 'upload', 'upload', 'marker']);
    expect(progress.at(-1)).toEqual({ phase: 'marker', filesDone: 2, filesTotal: 2, bytesDone: marker.total_bytes, bytesTotal: marker.total_bytes });
    expectCliJson('drop', result);
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
    expect(result.files[0]).toMatchObject({ rows: 70_000, sha256: sha(file) });
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
    expect(replaced.other_objects).toEqual([]);
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

  test('lists the partition in pages: an object past the first 1,000 keys still blocks an overwrite', async () => {
    const ctx = await setup();
    const existing = Array.from({ length: 1_050 }, (_, i) => `${PARTITION}old-${String(i).padStart(4, '0')}.csv`);
    await forEachLimit(existing, 16, async (Key) => {
      await ctx.clients.s3.send(new PutObjectCommand({ Bucket: ctx.names.sourceBucket, Key, Body: 'x' }));
    });
    const dir = tmpDir();
    const late = csv(dir, 'old-1042.csv', ['P-1,A,,1.00,1,2026-11-21T08:00:00Z']); // sorts after key 1,000
    const err = await drop(ctx, { paths: [late], date: '2026-11-21' }).catch((e) => e);
    expect(err).toBeInstanceOf(XetlError);
    expect(err.exitCode).toBe(3);
    expect(err.message).toContain('1 object(s) already exist');
    expect(err.message).toContain('old-1042.csv');

    const fresh = await drop(ctx, { paths: [csv(dir, 'new.csv', ['P-1,A,,1.00,1,2026-11-21T08:00:00Z'])], date: '2026-11-21' });
    expect(fresh.other_objects).toHaveLength(1_050);
    const text = renderDrop(fresh);
    expect(text).toContain('  note: ... and 1030 more object(s) already in the partition and not in this drop\'s marker');
    expect(text.length).toBeLessThan(30);
  });

  test('drops 2,000 files with uploads in parallel; the marker lists each with the hash of its bytes', async () => {
    const ctx = await setup();
    const dir = tmpDir();
    for (let i = 0; i < 2_000; i++) csv(dir, `part-${String(i).padStart(4, '0')}.csv`, [`P-${i},Name ${i},cat,1.00,1,2026-11-21T08:00:00Z`]);
    let inFlight = 0;
    let peak = 0;
    const send = ctx.clients.s3.send.bind(ctx.clients.s3);
    jest.spyOn(ctx.clients.s3, 'send').mockImplementation((async (cmd: { constructor: { name: string } }) => {
      const put = cmd.constructor.name === 'PutObjectCommand';
      if (put) peak = Math.max(peak, ++inFlight);
      try {
        return await send(cmd as never);
      } finally {
        if (put) inFlight--;
      }
    }) as never);
    const phases = new Map<string, number>();
    const result = await drop(ctx, {
      paths: [dir], date: '2026-11-21', concurrency: 8, onProgress: (p) => phases.set(p.phase, p.filesDone),
    });
    expect(peak).toBe(8);
    expect(result.total_files).toBe(2_000);
    expect(Object.fromEntries(phases)).toEqual({ inspect: 2_000, check: 0, upload: 2_000, marker: 2_000 });
    expect((await keys(ctx)).filter((k) => k.endsWith('.csv'))).toHaveLength(2_000);
    const marker = JSON.parse(await body(ctx, `${PARTITION}_SUCCESS`)) as DropMarker;
    expect(marker.files.map((f) => f.name)).toEqual(result.files.map((f) => f.name));
    const sample = marker.files[1_234];
    expect(sample.sha256).toBe(sha(Buffer.from(await body(ctx, sample.key))));
  });

  test('uploads the bytes it checked and hashed even if the file changes after inspection (small files are held)', async () => {
    const ctx = await setup();
    const dir = tmpDir();
    const file = csv(dir, 'feed.csv', ['P-1,A,,1.00,1,2026-11-21T08:00:00Z']);
    const original = fs.readFileSync(file, 'utf8');
    await drop(ctx, {
      paths: [file], date: '2026-11-21',
      onProgress: (p) => p.phase === 'check' && fs.writeFileSync(file, 'not,the,contract\n'),
    });
    expect(await body(ctx, `${PARTITION}feed.csv`)).toBe(original);
    const marker = JSON.parse(await body(ctx, `${PARTITION}_SUCCESS`)) as DropMarker;
    expect(marker.files[0].sha256).toBe(sha(Buffer.from(original)));
  });

  test('a large file that changes between inspection and upload is refused and no marker is written', async () => {
    const ctx = await setup();
    const dir = tmpDir();
    const rows = Array.from({ length: 70_000 }, (_, i) => `P-${i},A fairly long product name to make the file bigger,furniture,10.50,3,2026-11-21T08:00:00Z`);
    const file = csv(dir, 'big.csv', rows);
    const err = await drop(ctx, {
      paths: [file], date: '2026-11-21', partSize: 5 * 1024 * 1024,
      onProgress: (p) => p.phase === 'check' && fs.appendFileSync(file, 'P-x,sneaked in,,1,1,2026-11-21T08:00:00Z\n'),
    }).catch((e) => e);
    expect(err).toBeInstanceOf(XetlError);
    expect(err.exitCode).toBe(3);
    expect(err.message).toMatch(/big\.csv changed while it was dropped \(inspected \d+ B sha256 [0-9a-f]{12}…, uploaded \d+ B/);
    expect(await keys(ctx)).not.toContain(`${PARTITION}_SUCCESS`);
  });

  test('sends each small file with the SHA-256 of the buffer it inspected, for S3 to verify', async () => {
    const ctx = await setup();
    const dir = tmpDir();
    const file = csv(dir, 'a.csv', ['P-1,A,,1.00,1,2026-11-21T08:00:00Z']);
    const checksums: Record<string, string | undefined> = {};
    const send = ctx.clients.s3.send.bind(ctx.clients.s3);
    jest.spyOn(ctx.clients.s3, 'send').mockImplementation(((cmd: { input: { Key?: string; ChecksumSHA256?: string }; constructor: { name: string } }) => {
      if (cmd.constructor.name === 'PutObjectCommand') checksums[cmd.input.Key!] = cmd.input.ChecksumSHA256;
      return send(cmd as never);
    }) as never);
    await drop(ctx, { paths: [file], date: '2026-11-21' });
    expect(checksums[`${PARTITION}a.csv`]).toBe(createHash('sha256').update(fs.readFileSync(file)).digest('base64'));
  });

  test('one name in NFC and NFD is one key: two such files are refused, one NFD name is stored as NFC', async () => {
    const ctx = await setup();
    const nfc = 'caf\u00e9.csv';
    const nfd = 'cafe\u0301.csv';
    const [a, b] = [tmpDir(), tmpDir()];
    csv(a, nfc, ['P-1,A,,1.00,1,2026-11-21T08:00:00Z']);
    csv(b, nfd, ['P-2,B,,1.00,1,2026-11-21T08:00:00Z']);
    const err = await drop(ctx, { paths: [a, b], date: '2026-11-21' }).catch((e) => e);
    expect(err.exitCode).toBe(3);
    expect(err.message).toContain(`two files would both become ${nfc} in the partition`);
    expect(await keys(ctx)).toEqual([]);

    const result = await drop(ctx, { paths: [b], date: '2026-11-21' });
    expect(result.files[0].key).toBe(`${PARTITION}${nfc}`);
    expect(await keys(ctx)).toContain(`${PARTITION}${nfc}`);
  });

  test.each([
    ['a newline', 'feed\nnext.csv', 'U+000A', 'feed\\u{a}next.csv'],
    ['an escape', 'feed\u001b[2J.csv', 'U+001B', 'feed\\u{1b}[2J.csv'],
    ['a right-to-left override', 'feed\u202Evsc.csv', 'U+202E', 'feed\\u{202e}vsc.csv'],
  ])('refuses a name with %s in one printable line, before any upload', async (_what, name, code, shown) => {
    const ctx = await setup();
    const dir = tmpDir();
    const good = csv(dir, 'good.csv', ['P-1,A,,1.00,1,2026-11-21T08:00:00Z']);
    csv(dir, name, ['P-2,B,,1.00,1,2026-11-21T08:00:00Z']);
    const err = await drop(ctx, { paths: [good, dir], date: '2026-11-21' }).catch((e) => e);
    expect(err.exitCode).toBe(3);
    expect(err.message).toContain(`holds the control character ${code}`);
    expect(err.message).toContain(shown);
    expect(err.message).not.toMatch(/[\u0000-\u001f\u202e]/);
    expect(await keys(ctx)).toEqual([]);
  });
});

describe('drop progress (one line for the whole drop)', () => {
  const p = (phase: DropProgress['phase'], filesDone: number, bytesDone: number): DropProgress => ({ phase, filesDone, filesTotal: 10_000, bytesDone, bytesTotal: 4 * 1024 * 1024 });

  test('counts files and bytes over the drop, with rate and ETA while uploading', () => {
    const view = new DropProgressView();
    expect(view.render(p('inspect', 1_234, 500_000), 0)).toBe('inspecting 1,234/10,000 files (488.3 KiB)');
    expect(view.render(p('check', 0, 0), 1_000)).toBe('listing the partition for existing objects (10,000 files, 4.0 MiB checked)');
    expect(view.render(p('upload', 0, 0), 2_000)).toBe('[....................]   0% uploading 0/10,000 files  0 B/4.0 MiB');
    expect(view.render(p('upload', 2_500, 1024 * 1024), 6_000)).toBe(
      '[#####...............]  25% uploading 2,500/10,000 files  1.0 MiB/4.0 MiB  625 files/s  256.0 KiB/s  ETA 12s',
    );
    expect(view.render(p('marker', 10_000, 4 * 1024 * 1024), 20_000)).toBe('writing _SUCCESS (10,000 files, 4.0 MiB uploaded)');
  });
});
