/**
 * The cdktf app: reads the typed config and adds one stack per account and environment.
 * `XETL_ENV=dev` limits synthesis to one environment; `XETL_CONFIG` points at another config file.
 * A config error prints one line per problem, naming the field, and exits 2 before any output.
 *
 * The stacks are synthesized into a sibling folder and swapped into place only when synth
 * succeeded, so a typo never wipes the last good synth, and stacks of environments no longer
 * synthesized do not linger in the output. Each stack gets the committed provider lock file, so
 * every `terraform init` verifies the provider it installs against known checksums.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'cdktf';
import { ConfigError, loadConfig } from '@xetl/config';
import { addEnvironmentStacks, environmentsToSynth } from '@xetl/stacks';

/** The committed provider lock file (checksums of hashicorp/aws 5.100.0; docs/security.md). */
export const PROVIDER_LOCK_FILE = path.join(__dirname, '..', '.terraform.lock.hcl');

/** Where `cdktf synth`/`deploy` expect the output (they set CDKTF_OUTDIR), else cdktf.json's `cdktf.out`. */
function outputDir(): string {
  return path.resolve(process.env.CDKTF_OUTDIR ?? path.join(__dirname, '../../../cdktf.out'));
}

export function synthesize(outdir: string, envName: string | undefined): void {
  // Everything that can fail on config runs before App exists: App creates its output folder.
  const envs = environmentsToSynth(loadConfig(), envName);
  const next = `${outdir}.next-${process.pid}`;
  fs.rmSync(next, { recursive: true, force: true });
  try {
    const app = new App({ outdir: next });
    addEnvironmentStacks(app, envs);
    app.synth();
    const stacks = path.join(next, 'stacks');
    for (const stack of fs.readdirSync(stacks)) fs.copyFileSync(PROVIDER_LOCK_FILE, path.join(stacks, stack, '.terraform.lock.hcl'));
    fs.rmSync(outdir, { recursive: true, force: true });
    fs.renameSync(next, outdir);
  } finally {
    fs.rmSync(next, { recursive: true, force: true });
  }
}

function main(): void {
  try {
    synthesize(outputDir(), process.env.XETL_ENV || undefined);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    console.error(`xetl synth: ${(err as Error).message}`);
    process.exit(1);
  }
}

if (require.main === module) main();
