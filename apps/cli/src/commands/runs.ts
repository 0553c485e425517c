import { EXIT, parsePartition, renderRuns, runs } from '@xetl/ops';
import { printJson, wholeNumber, type Command } from '../command';

export const runsCommand: Command = {
  summary: 'recent DAG runs with state and duration (MWAA, or the local Airflow for local)',
  usage: 'xetl runs --env <name> [--partition YYYY-MM-DD] [--limit N]',
  account: (ctx) => (ctx.env.localOnly ? undefined : 'analytics'),
  options: { partition: { type: 'string' }, limit: { type: 'string' } },
  optionHelp: [
    '--partition YYYY-MM-DD  only runs of this day (looks through the last 1,000 runs)',
    '--limit N               runs to show, 1-100 (default 10)',
  ],
  examples: ['xetl runs --env dev', 'xetl runs --env dev --partition 2026-11-21', 'xetl runs --env local --json'],
  validate(v) {
    if (v.partition !== undefined) parsePartition(v.partition as string, '--partition');
    wholeNumber(v, 'limit', 10, 1, 100);
  },
  async run(ctx, v, _p, io) {
    const r = await runs(ctx, { limit: wholeNumber(v, 'limit', 10, 1, 100), partition: v.partition as string | undefined });
    if (v.json) printJson(io, r);
    else renderRuns(r).forEach((l) => io.out(l));
    return EXIT.ok;
  },
};
