/**
 * `xetl cost`: what an environment costs, from its synthesized stacks (docs/cost.md). Needs no
 * AWS access: it reads cdktf.out and the checked-in price snapshot.
 */
import * as path from 'node:path';
import type { EnvironmentConfig } from '@xetl/config';
import {
  CostError, dataBuckets, diffEstimates, estimate, loadSnapshot, parseAssumptions, readEnvironmentStacks, renderCostComment,
  renderMarkdown, renderText, signed, type Estimate,
} from '@xetl/cost';
import { EXIT, XetlError } from '@xetl/ops';
import { REPO_ROOT as REPO } from '../command';

interface Output {
  out(line: string): void;
  err(line: string): void;
}

function estimateFrom(env: EnvironmentConfig, outDir: string, values: Record<string, unknown>): Estimate {
  const snapshot = loadSnapshot(values.snapshot ? path.resolve(String(values.snapshot)) : undefined);
  return estimate({
    environment: env.name,
    stacks: readEnvironmentStacks(outDir, env),
    snapshot,
    assumptions: parseAssumptions((values.assume as string[] | undefined) ?? []),
    dataBuckets: dataBuckets(env),
    parked: Boolean(values.parked),
  });
}

export const costCommand = {
  summary: 'monthly cost of an environment from its synthesized stacks: always-on and per partition run',
  usage: 'xetl cost --env <name> [--out <cdktf.out>] [--assume name=value]... [--parked] [--detail] [--markdown | --json] [--base <cdktf.out>]',
  options: {
    out: { type: 'string' },
    assume: { type: 'string', multiple: true },
    detail: { type: 'boolean' },
    parked: { type: 'boolean' },
    markdown: { type: 'boolean' },
    base: { type: 'string' },
    snapshot: { type: 'string' },
  },
  optionHelp: [
    '--out <dir>             synthesized stacks to price (default: cdktf.out of the repository;',
    '                        npx nx run infra:synth writes it)',
    '--assume name=value     change a usage assumption, e.g. glueJobMinutes=6 (repeatable;',
    '                        every estimate lists the names, values and defaults it used)',
    '--parked                price the environment as while parked (xetl park): without MWAA,',
    '                        the interface endpoints and the trigger\'s polling',
    '--detail                one line per resource instead of one per resource type and price',
    '--markdown              a Markdown report (pull requests, docs/cost.md)',
    '--base <dir>            also price these synthesized stacks (e.g. of main) and show the difference',
    '--snapshot <file>       price snapshot to use (default: libs/cost/prices/aws-price-snapshot.json)',
  ],
  examples: [
    'xetl cost --env dev',
    'xetl cost --env prod --assume runsPerMonth=60 --assume glueJobMinutes=5',
    'xetl cost --env dev --parked             # what dev costs while parked',
    'xetl cost --env dev --markdown > dev-cost.md',
    'xetl cost --env dev --json | jq .totals',
  ],
  async run(ctx: { readonly env: EnvironmentConfig }, values: Record<string, unknown>, _positionals: string[], io: Output): Promise<number> {
    if (values.parked && !ctx.env.parkable) {
      throw new XetlError(`${ctx.env.name} cannot park (config parkable is false), so it has no parked cost; see docs/cost.md`, EXIT.usage);
    }
    try {
      const head = estimateFrom(ctx.env, values.out ? path.resolve(String(values.out)) : path.join(REPO, 'cdktf.out'), values);
      const base = values.base ? estimateFrom(ctx.env, path.resolve(String(values.base)), values) : undefined;
      if (values.json) {
        io.out(JSON.stringify(base ? { estimate: head, base, diff: diffEstimates(base, head) } : head, null, 2));
        head.warnings.forEach((w) => io.err(`warning: ${w}`));
      } else if (values.markdown) {
        io.out(base ? renderCostComment(head, base, { baseLabel: String(values.base) }) : renderMarkdown(head));
        head.warnings.forEach((w) => io.err(`warning: ${w}`));
      } else {
        renderText(head, { detail: Boolean(values.detail) }).forEach((l) => io.out(l));
        if (base) {
          const d = diffEstimates(base, head);
          io.out('');
          io.out(`difference from ${values.base}: always on ${signed(d.idleMonthly.delta, 'idle')} a month, per run ${signed(d.perRun.delta, 'run')}, month ${signed(d.monthly.delta, 'idle')}`);
        }
      }
      return EXIT.ok;
    } catch (err) {
      if (err instanceof CostError) throw new XetlError(err.message, EXIT.usage);
      throw err;
    }
  },
} as const;
