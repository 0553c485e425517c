/**
 * update-cost-doc.ts [--out <cdktf.out>] [--check]
 * Rewrites the generated block of docs/cost.md from the synthesized stacks of every environment
 * that is deployed to AWS (not localOnly). `--check` only compares and exits 1 when it differs.
 *
 *   npx nx run cost:docs
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '@xetl/config';
import { CostError } from '../errors';
import { estimate } from '../estimate';
import { renderCostOverview, replaceCostOverview } from '../render';
import { loadSnapshot } from '../snapshot';
import { dataBuckets, readEnvironmentStacks } from '../stacks';

const REPO = path.resolve(__dirname, '../../../..');
const DOC = path.join(REPO, 'docs', 'cost.md');

try {
  const i = process.argv.indexOf('--out');
  const outDir = i >= 0 ? path.resolve(process.argv[i + 1]) : path.join(REPO, 'cdktf.out');
  const snapshot = loadSnapshot();
  const estimates = loadConfig().environments.filter((e) => !e.localOnly)
    .map((env) => estimate({ environment: env.name, stacks: readEnvironmentStacks(outDir, env), snapshot, dataBuckets: dataBuckets(env) }));
  const doc = fs.readFileSync(DOC, 'utf8');
  const next = replaceCostOverview(doc, renderCostOverview(estimates));
  if (process.argv.includes('--check')) {
    console.log(next === doc ? 'docs/cost.md is up to date' : 'docs/cost.md is out of date; run npx nx run cost:docs');
    process.exitCode = next === doc ? 0 : 1;
  } else {
    fs.writeFileSync(DOC, next);
    console.log(`docs/cost.md: ${estimates.map((e) => `${e.environment} $${e.totals.idleMonthly.toFixed(2)}/month`).join(', ')}`);
  }
} catch (err) {
  console.error(err instanceof CostError ? err.message : `update-cost-doc: ${(err as Error).message}`);
  process.exitCode = 2;
}
