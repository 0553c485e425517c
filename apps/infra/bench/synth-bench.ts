/**
 * `npm run bench` / `nx run infra:bench`: how long synth takes and how much memory it needs,
 * printed beside the floor measured in the same run (a one-bucket cdktf app run the same way),
 * plus the Nx cache hit for the synth target. Prints, never asserts: see docs/benchmarks.md.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '../../..');
const runs = Number(process.env.BENCH_RUNS ?? 5);

interface Sample { seconds: number; peakMb: number }

/** Wall time and peak RSS of a child process (getrusage of children, via python3). */
function measure(cmd: string[], env: NodeJS.ProcessEnv = {}): Sample {
  const probe = 'import resource,subprocess,sys,time\nt=time.time()\nr=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL)\n' +
    'print(time.time()-t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\nsys.exit(r.returncode)';
  const r = spawnSync('python3', ['-c', probe, ...cmd], { cwd: repo, env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed:\n${r.stderr}`);
  const [seconds, kb] = r.stdout.trim().split(/\s+/).map(Number);
  return { seconds, peakMb: kb / 1024 };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function series(label: string, cmd: string[], env: NodeJS.ProcessEnv = {}): Sample {
  measure(cmd, env); // warm the file system cache
  const samples = Array.from({ length: runs }, () => measure(cmd, env));
  const result = { seconds: median(samples.map((s) => s.seconds)), peakMb: Math.max(...samples.map((s) => s.peakMb)) };
  console.log(`${label.padEnd(52)} ${result.seconds.toFixed(2).padStart(6)} s  ${result.peakMb.toFixed(0).padStart(5)} MB`);
  return result;
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'xetl-bench-'));
const node = [process.execPath, '--import', 'tsx'];
console.log(`synth benchmark: median of ${runs} runs, peak RSS over the runs (${os.cpus().length} cores)`);
const floor = series('floor: one-bucket cdktf app (node + tsx)', [...node, 'apps/infra/bench/one-bucket-app.ts'], { CDKTF_OUTDIR: path.join(scratch, 'floor') });
const one = series('xetl: both stacks of one environment (dev)', [...node, 'apps/infra/src/main.ts'], { XETL_ENV: 'dev', CDKTF_OUTDIR: path.join(scratch, 'dev') });
series('xetl: all environments (8 stacks)', [...node, 'apps/infra/src/main.ts'], { CDKTF_OUTDIR: path.join(scratch, 'all') });
console.log(`ratio to floor (one environment): ${(one.seconds / floor.seconds).toFixed(2)}x time, ${(one.peakMb / floor.peakMb).toFixed(2)}x memory`);

const nx = [process.execPath, 'node_modules/nx/dist/bin/nx.js', 'run', 'infra:synth', '--outputStyle=static'];
measure(nx, { NX_DAEMON: 'false' }); // make sure the cache holds this synth
const hit = measure(nx, { NX_DAEMON: 'false' });
console.log(`${'nx run infra:synth, cache hit (no daemon)'.padEnd(52)} ${hit.seconds.toFixed(2).padStart(6)} s`);
console.log('goals (issue #2): one environment < 5 s and < 600 MB; cache hit < 1 s');
fs.rmSync(scratch, { recursive: true, force: true });
