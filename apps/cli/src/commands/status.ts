import { EXIT, XetlError, renderStatus, status, statusComplete } from '@xetl/ops';
import { printJson, type Command } from '../command';

export const statusCommand: Command = {
  summary: 'crawler, last job runs, workgroup and last DAG runs at a glance',
  usage: 'xetl status --env <name> [--limit N] [--json]',
  options: { limit: { type: 'string' } },
  optionHelp: ['--limit N               job and DAG runs to show (default 5)'],
  examples: ['xetl status --env dev', 'xetl status --env dev --json | jq .dagRuns'],
  async run(ctx, v, _p, io) {
    const limit = v.limit === undefined ? 5 : Number(v.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new XetlError(`--limit must be a whole number from 1 to 100, got "${v.limit}"`, EXIT.usage);
    const r = await status(ctx, { limit });
    if (v.json) printJson(io, r);
    else renderStatus(r).forEach((l) => io.out(l));
    return statusComplete(r) ? EXIT.ok : EXIT.aws;
  },
};
