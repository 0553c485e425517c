import { EXIT, renderStatus, status, statusComplete } from '@xetl/ops';
import { printJson, wholeNumber, type Command } from '../command';

export const statusCommand: Command = {
  summary: 'crawler, last job runs, workgroup and last DAG runs at a glance',
  usage: 'xetl status --env <name> [--limit N] [--json]',
  account: 'analytics',
  options: { limit: { type: 'string' } },
  optionHelp: ['--limit N               job and DAG runs to show (default 5)'],
  examples: ['xetl status --env dev', 'xetl status --env dev --json | jq .dagRuns'],
  validate: (v) => void wholeNumber(v, 'limit', 5, 1, 100),
  async run(ctx, v, _p, io) {
    const limit = wholeNumber(v, 'limit', 5, 1, 100);
    const r = await status(ctx, { limit });
    if (v.json) printJson(io, r);
    else renderStatus(r).forEach((l) => io.out(l));
    return statusComplete(r) ? EXIT.ok : EXIT.aws;
  },
};
