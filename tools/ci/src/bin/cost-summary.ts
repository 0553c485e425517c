/**
 * cost-summary.ts --head <cdktf.out> --base <cdktf.out of the base branch> --out <dir>
 * Writes <dir>/<environment>.md for every planned environment whose stacks changed (the PR
 * comment's cost part) and appends them to the job summary.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, loadConfig } from '@xetl/config';
import { CostError, loadSnapshot } from '@xetl/cost';
import { costSections } from '../cost-summary';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

try {
  const [headOut, baseOut, out] = [arg('--head'), arg('--base'), arg('--out')];
  if (!headOut || !baseOut || !out) throw new Error('usage: cost-summary.ts --head <cdktf.out> --base <cdktf.out> --out <dir>');
  const sections = costSections(loadConfig(), { headOut, baseOut, snapshot: loadSnapshot() });
  fs.mkdirSync(out, { recursive: true });
  for (const s of sections) {
    fs.writeFileSync(path.join(out, `${s.environment}.md`), s.markdown);
    if (process.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${s.markdown}\n`);
  }
  console.log(`cost-summary: ${sections.length ? sections.map((s) => s.environment).join(', ') : 'no environment'} changed`);
} catch (err) {
  console.error(err instanceof ConfigError || err instanceof CostError ? err.message : `cost-summary: ${(err as Error).message}`);
  process.exit(2);
}
