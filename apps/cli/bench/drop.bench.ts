/**
 * `nx run cli:bench`: `xetl drop` of many small CSV files into the emulator, beside floors measured
 * in the same run on the same files: a bare sequential AWS SDK v3 PutObject loop (same process
 * kind, same client library) and a bare sequential boto3 loop. Prints a markdown table for
 * docs/benchmarks.md. Nothing is asserted: figures vary with the machine's load.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createContext, drop } from '@xetl/ops';
import { LOOPBACK_ONLY_ENV, REPO_ROOT, motoServerBinary, startMotoServer } from '@xetl/testing';

const HEADER = 'product_id,product_name,category,price,quantity,updated_at';
const BUCKET = 'xetl-local-source-123456789012-us-east-1';

function makeFiles(count: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `xetl-bench-${count}-`));
  for (let i = 0; i < count; i++) {
    const rows = Array.from({ length: 4 }, (_, r) => `P-${i}-${r},Product ${i}/${r},category-${r % 7},${(r + 1) * 1.25},${r + 1},2026-11-21T08:00:00Z`);
    fs.writeFileSync(path.join(dir, `part-${String(i).padStart(5, '0')}.csv`), [HEADER, ...rows].join('\n') + '\n');
  }
  return dir;
}

/** CPU seconds the process listening on `port` has used (the emulator's own floor). */
function cpuOfPort(port: number): () => number {
  const pid = fs.readdirSync('/proc').find((p) => /^\d+$/.test(p) && (() => {
    try {
      return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ').includes(`-p ${port}`);
    } catch {
      return false;
    }
  })());
  return () => {
    if (!pid) return NaN;
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s on Linux
  };
}

async function sdkLoop(endpoint: string, dir: string, prefix: string): Promise<number> {
  const s3 = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true });
  const files = fs.readdirSync(dir).sort();
  const t = performance.now();
  for (const f of files) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/${f}`, Body: fs.readFileSync(path.join(dir, f)) }));
  return (performance.now() - t) / 1000;
}

function boto3Loop(endpoint: string, dir: string, prefix: string): number {
  const python = path.join(path.dirname(motoServerBinary()), 'python');
  const script = [
    'import os, sys, time, boto3',
    'endpoint, folder, bucket, prefix = sys.argv[1:5]',
    's3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")',
    'names = sorted(os.listdir(folder))',
    't = time.perf_counter()',
    'for n in names:',
    '    with open(os.path.join(folder, n), "rb") as f:',
    '        s3.put_object(Bucket=bucket, Key=f"{prefix}/{n}", Body=f.read())',
    'print(time.perf_counter() - t)',
  ].join('\n');
  const out = execFileSync(python, ['-c', script, endpoint, dir, BUCKET, prefix], { encoding: 'utf8', env: { ...process.env, ...LOOPBACK_ONLY_ENV } });
  return Number(out.trim());
}

/** Runs the real CLI (node_modules/.bin/xetl) as an operator would, stderr not a terminal. */
function xetlDrop(endpoint: string, dir: string, date: string, extra: string[] = []): Promise<{ seconds: number; firstProgress: number | null; progressLines: number }> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    let firstProgress: number | null = null;
    let lines = 0;
    let stderr = '';
    const child = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'xetl'), ['drop', dir, '--env', 'local', '--date', date, '--endpoint-url', endpoint, ...extra], {
      env: { ...process.env, ...LOOPBACK_ONLY_ENV }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.on('data', (b: Buffer) => {
      firstProgress ??= (performance.now() - t) / 1000;
      stderr += b.toString();
      lines += b.toString().split('\n').filter(Boolean).length;
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve({ seconds: (performance.now() - t) / 1000, firstProgress, progressLines: lines }) : reject(new Error(`xetl drop exited ${code}: ${stderr}`))));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f1 = (x: number) => x.toFixed(1);

async function main() {
  const moto = await startMotoServer('123456789012');
  Object.assign(process.env, LOOPBACK_ONLY_ENV);
  const motoCpu = cpuOfPort(moto.port);
  try {
    // Each measurement starts from an empty emulator: moto lists a prefix by walking every key of
    // the bucket, so objects left by an earlier measurement would slow a later one.
    const fresh = async () => {
      await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
      await new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: BUCKET }));
    };
    const rows: string[] = [];
    for (const [count, rounds] of [[2_000, 3], [10_000, 1]] as const) {
      const dir = makeFiles(count);
      const sdk: number[] = [];
      const boto: number[] = [];
      const drops: Array<{ seconds: number; firstProgress: number | null; progressLines: number; serverCpu: number }> = [];
      const drops4: number[] = [];
      const inProcess: number[] = [];
      for (let r = 0; r < rounds; r++) {
        await fresh();
        sdk.push(await sdkLoop(moto.endpoint, dir, 'floor-sdk'));
        await fresh();
        boto.push(boto3Loop(moto.endpoint, dir, 'floor-boto3'));
        await fresh();
        const before = motoCpu();
        const d = await xetlDrop(moto.endpoint, dir, '2026-10-01');
        drops.push({ ...d, serverCpu: motoCpu() - before });
        if (count <= 2_000) {
          await fresh();
          drops4.push((await xetlDrop(moto.endpoint, dir, '2026-10-01', ['--concurrency', '4'])).seconds);
        }
        // The same drop called in this process: the CLI's start-up and identity check left out.
        await fresh();
        const t = performance.now();
        await drop(createContext({ envName: 'local', endpointUrl: moto.endpoint }), { paths: [dir], date: '2026-10-01' });
        inProcess.push((performance.now() - t) / 1000);
      }
      const dropSeconds = median(drops.map((d) => d.seconds));
      const first = median(drops.map((d) => d.firstProgress ?? NaN));
      const server = median(drops.map((d) => d.serverCpu));
      console.error(`${count} files: sdk ${sdk.map(f1)} boto3 ${boto.map(f1)} drop ${drops.map((d) => f1(d.seconds))} c4 ${drops4.map(f1)} in-process ${inProcess.map(f1)} first progress ${drops.map((d) => d.firstProgress)} lines ${drops.map((d) => d.progressLines)}`);
      const four = drops4.length ? `${f1(median(drops4))} s (${(median(drops4) / median(sdk)).toFixed(2)}x)` : '-';
      const inner = `${f1(median(inProcess))} s (${(median(inProcess) / median(sdk)).toFixed(2)}x)`;
      rows.push(`| ${count.toLocaleString('en-US')} files, ${rounds === 1 ? '1 run' : `median of ${rounds}`} | ${f1(median(sdk))} s | ${f1(median(boto))} s | ${f1(dropSeconds)} s | ${(dropSeconds / median(sdk)).toFixed(2)}x / ${(dropSeconds / median(boto)).toFixed(2)}x | ${four} | ${inner} | ${f1(first)} s | ${f1(server)} s |`);
      fs.rmSync(dir, { recursive: true, force: true });
    }
    console.log('| drop | floor: sequential SDK v3 loop | floor: sequential boto3 loop | `xetl drop` (CLI process, default --concurrency 10) | drop / floor (SDK / boto3) | `--concurrency 4` (/ SDK floor) | `drop()` in the bench process (/ SDK floor) | first progress line (log mode) | emulator CPU during the drop |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) console.log(r);
    console.log(`\n${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} at the end`);
  } finally {
    await moto.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
