#!/usr/bin/env node
// Runs Nx with the given arguments (streamed, prefixed by project), then prints how many tests each
// project's runners executed, read from the runners' own summaries (jest, pytest, and the project's
// terraform/Checkov harness lines), so a green run shows what it ran and a replayed or empty one
// is visible. Exits with Nx's exit code.
//
//   node scripts/run-targets.mjs run-many -t lint test validate plan security
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const PREFIXED = /^([a-z][a-z0-9-]*): (.*)$/;
// jest:   "Tests:       2 failed, 1 skipped, 31 passed, 34 total"
const JEST = /^Tests:\s+(.*\d+ total)\s*$/;
// pytest: "3 failed, 120 passed, 2 skipped in 12.3s" (possibly framed by '=')
const PYTEST = /^=*\s*((?:\d+ (?:passed|failed|skipped|errors?|xfailed|xpassed|deselected|warnings?)(?:, )?)+) in [\d.]+s/;
// the terraform harness: "terraform validate: 14 passed, 0 failed", "checkov total: 1520 passed, 0 failed, ..."
const HARNESS = /^(terraform validate|terraform plan against the emulator|checkov total)[^:]*: (\d+) passed, (\d+) failed/;
// the static IAM check: "iam-check: 4 stack(s), 61 policy document(s): 0 finding(s), 2 accepted"
// (counted as documents checked and open findings)
const IAM_CHECK = /^iam-check: \d+ stack\(s\), (\d+) policy document\(s\): (\d+) finding\(s\)/;
const REPLAYED = /existing outputs match the cache|read the output from the cache/;

const counts = new Map(); // "project runner" -> {passed, failed, skipped}
let replayed = 0;

function add(project, runner, text) {
  const key = `${project}\t${runner}`;
  const c = counts.get(key) ?? { passed: 0, failed: 0, skipped: 0 };
  for (const [, n, word] of text.matchAll(/(\d+) (passed|failed|skipped|errors?|error)/g)) {
    const field = word.startsWith('error') ? 'failed' : word;
    c[field] += Number(n);
  }
  counts.set(key, c);
}

function observe(raw) {
  const line = raw.replace(ANSI, '');
  if (REPLAYED.test(line)) replayed += 1;
  const m = PREFIXED.exec(line);
  if (!m) return;
  const [, project, rest] = m;
  const text = rest.trim();
  let hit;
  if ((hit = JEST.exec(text))) add(project, 'jest', hit[1]);
  else if ((hit = PYTEST.exec(text))) add(project, 'pytest', hit[1]);
  else if ((hit = IAM_CHECK.exec(text))) add(project, 'iam-check', `${hit[1]} passed, ${hit[2]} failed`);
  else if ((hit = HARNESS.exec(text))) add(project, hit[1].split(' ')[0] === 'checkov' ? 'checkov' : hit[1].replace(' against the emulator', ''), `${hit[2]} passed, ${hit[3]} failed`);
}

const child = spawn('npx', ['--no-install', 'nx', ...process.argv.slice(2), '--outputStyle=stream'], {
  stdio: ['inherit', 'pipe', 'pipe'],
  env: { ...process.env, NX_NO_CLOUD: 'true' },
});
for (const [stream, sink] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
    sink.write(`${line}\n`);
    observe(line);
  });
}

child.on('close', (code, signal) => {
  const rows = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
  const total = { passed: 0, failed: 0, skipped: 0 };
  const out = ['', 'tests run, from each runner\'s own summary:', `  ${'project'.padEnd(16)}${'runner'.padEnd(20)}${'passed'.padStart(7)}${'failed'.padStart(7)}${'skipped'.padStart(8)}`];
  for (const [key, c] of rows) {
    const [project, runner] = key.split('\t');
    out.push(`  ${project.padEnd(16)}${runner.padEnd(20)}${String(c.passed).padStart(7)}${String(c.failed).padStart(7)}${String(c.skipped).padStart(8)}`);
    for (const f of Object.keys(total)) total[f] += c[f];
  }
  out.push(`  ${'total'.padEnd(36)}${String(total.passed).padStart(7)}${String(total.failed).padStart(7)}${String(total.skipped).padStart(8)}`);
  if (total.skipped) out.push(`  ${total.skipped} test(s) skipped: a skipped test is not a pass; see the runners' output above`);
  if (replayed) out.push(`  ${replayed} task(s) replayed from the Nx cache: their tests did not run now (NX_SKIP_NX_CACHE=true runs everything)`);
  if (!rows.length) out.push('  (no test runner reported a summary)');
  process.stdout.write(`${out.join('\n')}\n`);
  process.exit(code ?? (signal ? 1 : 0));
});
