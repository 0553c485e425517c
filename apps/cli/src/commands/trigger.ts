import {
  DEFAULT_MAX_BACKFILL_DAYS, EXIT, XetlError, backfill, backfillDays, backfillExitCode, parsePartition, renderBackfill,
  renderBackfillProgress, renderTrigger, trigger,
} from '@xetl/ops';
import { printJson, wholeNumber, type Command, type Values } from '../command';
import { ProgressReporter } from '../progress';

const maxDays = (v: Values) => (v.yes ? Infinity : wholeNumber(v, 'max-days', DEFAULT_MAX_BACKFILL_DAYS, 1, 3660));

export const triggerCommand: Command = {
  summary: 'start a DAG run for one partition, or a serialised backfill of days, through MWAA',
  usage: 'xetl trigger --env <name> (--partition YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD [--max-days N | --yes] [--no-wait])',
  account: (ctx) => (ctx.env.localOnly ? undefined : 'analytics'),
  options: {
    partition: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
    'max-days': { type: 'string' }, yes: { type: 'boolean' }, 'no-wait': { type: 'boolean' }, 'poll-seconds': { type: 'string' },
  },
  optionHelp: [
    '--partition YYYY-MM-DD  the day to (re)process',
    '--from D1 --to D2       backfill: one run per day, in date order, run one at a time',
    `--max-days N            allow a backfill longer than ${DEFAULT_MAX_BACKFILL_DAYS} days (--yes: any length)`,
    '--no-wait               start the backfill and return; default: show progress until all finish',
    '--poll-seconds N        how often a backfill polls the runs\' states (default 30)',
  ],
  examples: [
    'xetl trigger --env dev --partition 2026-11-21',
    'xetl trigger --env dev --from 2026-11-01 --to 2026-11-30',
    'xetl trigger --env prod --from 2026-01-01 --to 2026-03-31 --max-days 90 --no-wait',
  ],
  validate(v) {
    const range = v.from !== undefined || v.to !== undefined;
    if (range && v.partition !== undefined) throw new XetlError('give --partition or --from/--to, not both; see xetl trigger --help', EXIT.usage);
    if (!range && !v.partition) throw new XetlError('missing --partition YYYY-MM-DD (or --from and --to); see xetl trigger --help', EXIT.usage);
    if (range) {
      if (v.from === undefined || v.to === undefined) throw new XetlError('a backfill needs both --from and --to', EXIT.usage);
      backfillDays(v.from as string, v.to as string, maxDays(v));
      wholeNumber(v, 'poll-seconds', 30, 1, 3600);
    } else parsePartition(v.partition as string, '--partition');
  },
  async run(ctx, v, _p, io) {
    if (v.partition) {
      const r = await trigger(ctx, v.partition as string);
      if (v.json) printJson(io, r);
      else renderTrigger(r).forEach((l) => io.out(l));
      return EXIT.ok;
    }
    // In a log: a line whenever a run finishes, and every 30 s while one runs.
    const progress = new ProgressReporter(io, { quiet: Boolean(v.json), intervalMs: 30_000, logEveryKey: true, firstAfterMs: 0 });
    try {
      const r = await backfill(ctx, {
        from: v.from as string,
        to: v.to as string,
        maxDays: maxDays(v),
        wait: !v['no-wait'],
        pollSeconds: wholeNumber(v, 'poll-seconds', 30, 1, 3600),
        onProgress: (p) => progress.update(() => renderBackfillProgress(p), `${p.phase}:${p.done}`),
      });
      progress.done();
      if (v.json) printJson(io, r);
      else renderBackfill(r).forEach((l) => io.out(l));
      return backfillExitCode(r);
    } finally {
      progress.done();
    }
  },
};
