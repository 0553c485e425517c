/**
 * `nx run cli:bench`: `xetl drop` of many small CSV files into the emulator, beside floors measured
 * in the same run on the same files: a bare sequential AWS SDK v3 PutObject loop and a bare
 * sequential boto3 loop. Each run is timed (wall) and costed (CPU of the client and of the
 * emulator, steadier than wall time on a shared machine). Prints markdown for docs/benchmarks.md;
 * nothing is asserted.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createContext, drop } from '@xetl/ops';
import { LOOPBACK_ONLY_ENV, REPO_ROOT, motoServerBinary, startMotoServer } from '@xetl/testing';

const HEADER = 'product_id,product_name,category,price,quantity,updated_at';
const BUCKET = 'xetl-local-source-123456789012-us-east-1';

interface Run {
  readonly wall: number;
  /** CPU seconds of the client (process and children). */
  readonly client: number;
  /** CPU seconds moto_server spent meanwhile. */
  readonly server: number;
  readonly firstProgress?: number;
}

function makeFiles(count: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `xetl-bench-${count}-`));
  for (let i = 0; i < count; i++) {
    const rows = Array.from({ length: 4 }, (_, r) => `P-${i}-${r},Product ${i}/${r},category-${r % 7},${(r + 1) * 1.25},${r + 1},2026-11-21T08:00:00Z`);
    fs.writeFileSync(path.join(dir, `part-${String(i).padStart(5, '0')}.csv`), [HEADER, ...rows].join('\n') + '\n');
  }
  return dir;
}

/** CPU seconds used so far by the process listening on `port` (utime + stime, 100 ticks/s on Linux). */
function cpuOfPort(port: number): () => number {
  const pid = fs.readdirSync('/proc').find((p) => {
    try {
      return /^\d+$/.test(p) && fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ').includes(`-p ${port}`);
    } catch {
      return false;
    }
  });
  return () => {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
}

const ownCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function inProcess(server: () => number, work: () => Promise<unknown>): Promise<Run> {
  const [t, c, s] = [performance.now(), ownCpu(), server()];
  await work();
  return { wall: (performance.now() - t) / 1000, client: ownCpu() - c, server: server() - s };
}

async function sdkLoop(endpoint: string, dir: string): Promise<void> {
  const s3 = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true });
  for (const f of fs.readdirSync(dir).sort()) {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `floor/${f}`, Body: fs.readFileSync(path.join(dir, f)) }));
  }
}

/** A child process under GNU time: wall from here, CPU of the child and everything it waited for. */
function timedChild(server: () => number, command: string, args: string[], firstLine = false): Promise<Run> {
  return new Promise((resolve, reject) => {
    const usage = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'xetl-bench-time-')), 'usage');
    const [t, s] = [performance.now(), server()];
    let firstProgress: number | undefined;
    let stderr = '';
    const child = spawn('/usr/bin/time', ['-o', usage, '-f', '%U %S', command, ...args], {
      env: { ...process.env, ...LOOPBACK_ONLY_ENV }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.on('data', (b: Buffer) => {
      if (firstLine) firstProgress ??= (performance.now() - t) / 1000;
      stderr += b.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${command} exited ${code}: ${stderr}`));
      const [user, system] = fs.readFileSync(usage, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
      resolve({ wall: (performance.now() - t) / 1000, client: user + system, server: server() - s, ...(firstProgress !== undefined ? { firstProgress } : {}) });
    });
  });
}

function boto3Loop(server: () => number, endpoint: string, dir: string): Promise<Run> {
  const python = path.join(path.dirname(motoServerBinary()), 'python');
  const script = [
    'import os, sys, boto3',
    'endpoint, folder, bucket = sys.argv[1:4]',
    's3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")',
    'for n in sorted(os.listdir(folder)):',
    '    with open(os.path.join(folder, n), "rb") as f:',
    '        s3.put_object(Bucket=bucket, Key=f"floor/{n}", Body=f.read())',
  ].join('\n');
  return timedChild(server, python, ['-c', script, endpoint, dir, BUCKET]);
}

/** The real CLI (node_modules/.bin/xetl) as an operator runs it, stderr not a terminal. */
function xetlDrop(server: () => number, endpoint: string, dir: string): Promise<Run> {
  const bin = path.join(REPO_ROOT, 'node_modules', '.bin', 'xetl');
  return timedChild(server, bin, ['drop', dir, '--env', 'local', '--date', '2026-10-01', '--endpoint-url', endpoint], true);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s1 = (x: number) => `${x.toFixed(1)} s`;

async function main() {
  const moto = await startMotoServer('123456789012');
  Object.assign(process.env, LOOPBACK_ONLY_ENV);
  const server = cpuOfPort(moto.port);
  // Each run starts from an empty emulator: moto lists a prefix by walking every key of the
  // bucket, so objects left by an earlier run would slow a later one.
  const fresh = async () => {
    await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
    await new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: BUCKET }));
  };
  const rows: string[] = [];
  try {
    for (const [count, rounds] of [[2_000, 3], [10_000, 1]] as const) {
      const dir = makeFiles(count);
      const runs: Record<string, Run[]> = { sdk: [], boto3: [], cli: [], lib: [] };
      for (let r = 0; r < rounds; r++) {
        await fresh();
        runs.sdk.push(await inProcess(server, () => sdkLoop(moto.endpoint, dir)));
        await fresh();
        runs.boto3.push(await boto3Loop(server, moto.endpoint, dir));
        await fresh();
        runs.cli.push(await xetlDrop(server, moto.endpoint, dir));
        await fresh();
        runs.lib.push(await inProcess(server, () => drop(createContext({ envName: 'local', endpointUrl: moto.endpoint }), { paths: [dir], date: '2026-10-01' })));
      }
      console.error(`${count} files:`, JSON.stringify(runs));
      const floor = median(runs.sdk.map((x) => x.wall));
      const label = { sdk: 'floor: sequential SDK v3 PutObject loop', boto3: 'floor: sequential boto3 put_object loop', cli: '`xetl drop` (CLI process, defaults)', lib: '`drop()` in the bench process' };
      for (const [key, name] of Object.entries(label)) {
        const xs = runs[key];
        const wall = median(xs.map((x) => x.wall));
        const first = xs[0].firstProgress === undefined ? '' : ` (first progress line ${s1(median(xs.map((x) => x.firstProgress!)))})`;
        rows.push(`| ${count.toLocaleString('en-US')} | ${name}${first} | ${s1(wall)} | ${key === 'sdk' ? '1.00x' : `${(wall / floor).toFixed(2)}x`} | ${s1(median(xs.map((x) => x.client)))} | ${s1(median(xs.map((x) => x.server)))} |`);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
    console.log(`| files | run (median of 3 for 2,000, 1 run for 10,000) | wall | / SDK loop | client CPU | emulator CPU |`);
    console.log('|---|---|---|---|---|---|');
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
