/**
 * The cost part of the pull-request comment: for each environment CI plans whose synthesized
 * stacks differ from the base branch's, the `xetl cost` estimate of the pull request and its
 * difference from the base. Both sides are priced by this commit's estimator and snapshot, so
 * the difference shows infrastructure changes only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { XetlConfig } from '@xetl/config';
import {
  CostError, dataBuckets, environmentStackNames, estimate, readEnvironmentStacks, renderCostComment, type Estimate, type PriceSnapshot,
} from '@xetl/cost';
import { planMatrix } from './stack-info';

function stackText(outDir: string, name: string): string | undefined {
  const file = path.join(outDir, 'stacks', name, 'cdk.tf.json');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}

export interface CostSection {
  readonly environment: string;
  readonly markdown: string;
}

/** Environments of the plan matrix, each with its section when any of its stacks changed. */
export function costSections(config: XetlConfig, options: { headOut: string; baseOut: string; snapshot: PriceSnapshot; now?: Date }): CostSection[] {
  const planned = new Set(planMatrix(config).include.map((m) => m.environment));
  const sections: CostSection[] = [];
  for (const env of config.environments.filter((e) => planned.has(e.name))) {
    const names = environmentStackNames(env).map((s) => s.name);
    if (names.every((n) => stackText(options.headOut, n) === stackText(options.baseOut, n))) continue;
    const price = (outDir: string): Estimate => estimate({
      environment: env.name, stacks: readEnvironmentStacks(outDir, env), snapshot: options.snapshot, dataBuckets: dataBuckets(env), now: options.now,
    });
    let base: Estimate | undefined;
    try {
      base = price(options.baseOut);
    } catch (err) {
      if (!(err instanceof CostError)) throw err; // the base has no such stacks: a new environment
    }
    sections.push({ environment: env.name, markdown: renderCostComment(price(options.headOut), base) });
  }
  return sections;
}
