/**
 * Deploys the `local` environment's account A stack (xetl-local-source) to a running moto server
 * with the real Terraform and the real AWS provider: synth -> scratch copy -> emulator override
 * (every provider endpoint on the emulator, local state, dummy credentials) -> init -> apply.
 *
 *   node --import tsx tools/local/deploy-local.ts --endpoint http://127.0.0.1:PORT --state FILE --out DIR
 *   node --import tsx tools/local/deploy-local.ts --synth-only --out DIR
 *   node --import tsx tools/local/deploy-local.ts --synthesized --endpoint ... --state FILE --out DIR
 *   ... --app tools/local/bench-one-bucket-app.ts --stack xetl-local-floor-one-bucket  (the benchmark's floor)
 *
 * Prints one JSON line: {"stack", "seconds": {"synth", "init", "apply"}, "outputs"}; with
 * --synth-only {"stack", "json", "seconds": {"synth"}} (json: the stack's cdk.tf.json), so the
 * caller can decide from the synthesized stack whether an apply is needed; --synthesized applies
 * what an earlier --synth-only left in --out instead of synthesizing again.
 * The synthesized JSON goes to --out (not cdktf.out, which other targets cache and share).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  LOOPBACK_ONLY_ENV,
  REPO_ROOT,
  listSynthesizedStacks,
  scratchCopy,
  terraform,
  terraformOk,
  writeEmulatorOverride,
} from '@xetl/testing';

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  if (!value) throw new Error(`missing --${name}`);
  return value;
}

function synthesize(outDir: string, app: string): number {
  const t0 = Date.now();
  fs.rmSync(outDir, { recursive: true, force: true });
  execFileSync(process.execPath, ['--import', 'tsx', path.resolve(REPO_ROOT, app)], {
    cwd: REPO_ROOT,
    env: { ...process.env, XETL_ENV: 'local', CDKTF_OUTDIR: outDir },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return (Date.now() - t0) / 1000;
}

function main(): void {
  const outDir = path.resolve(arg('out'));
  const stackName = process.argv.includes('--stack') ? arg('stack') : 'xetl-local-source';
  const app = process.argv.includes('--app') ? arg('app') : 'apps/infra/src/main.ts';
  const synth = process.argv.includes('--synthesized') ? 0 : synthesize(outDir, app);
  const stack = listSynthesizedStacks(path.join(outDir, 'stacks')).find((s) => s.name === stackName);
  if (!stack) throw new Error(`synth produced no stack ${stackName} in ${outDir}/stacks`);
  if (process.argv.includes('--synth-only')) {
    const json = path.join(stack.dir, 'cdk.tf.json');
    process.stdout.write(JSON.stringify({ stack: stackName, json, seconds: { synth } }) + '\n');
    return;
  }

  const endpoint = arg('endpoint');
  const statePath = path.resolve(arg('state'));
  const dir = scratchCopy(stack, 'local-deploy');
  fs.mkdirSync(path.dirname(statePath), { recursive: true });
  // writeEmulatorOverride refuses any endpoint that is not loopback; LOOPBACK_ONLY_ENV sends
  // anything that escapes the overrides into a closed port.
  writeEmulatorOverride(dir, { endpoint, statePath });
  const init = terraformOk(['init', '-reconfigure', '-input=false', '-no-color'], dir, LOOPBACK_ONLY_ENV);
  const applyArgs = ['apply', '-auto-approve', '-input=false', '-no-color'];
  const apply = terraform(applyArgs, dir, LOOPBACK_ONLY_ENV);
  const applySeconds = apply.seconds;
  const added = Number(/(\d+) added/.exec(apply.stdout)?.[1] ?? 0);
  if (apply.code !== 0) {
    throw new Error(`terraform apply failed in ${dir}:\n${apply.stderr || apply.stdout}`);
  }
  const outputs = JSON.parse(terraformOk(['output', '-json'], dir, LOOPBACK_ONLY_ENV).stdout || '{}');
  const values = Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, (v as { value: unknown }).value]));
  process.stdout.write(
    JSON.stringify({
      stack: stackName,
      dir,
      resourcesAdded: added,
      seconds: { synth, init: init.seconds, apply: applySeconds },
      outputs: values,
    }) + '\n',
  );
}

try {
  main();
} catch (err) {
  process.stderr.write(`deploy-local: ${(err as Error).message}\n`);
  process.exit(1);
}
