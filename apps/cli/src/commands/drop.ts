import { DEFAULT_CONCURRENCY, DropProgressView, EXIT, MAX_CONCURRENCY, drop, parsePartition, renderDrop } from '@xetl/ops';
import { printJson, wholeNumber, type Command } from '../command';
import { ProgressReporter } from '../progress';

export const dropCommand: Command = {
  summary: "upload a day's CSV files to the source bucket, then write its _SUCCESS marker",
  usage: 'xetl drop <file|folder>... --env <name> [--date YYYY-MM-DD] [--replace] [--concurrency N]',
  account: 'source',
  options: { date: { type: 'string' }, replace: { type: 'boolean' }, concurrency: { type: 'string' } },
  optionHelp: [
    '--date YYYY-MM-DD       partition day (default: today in UTC, printed)',
    '--replace               overwrite objects that already exist in the partition',
    `--concurrency N         files uploaded at once, 1-${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY})`,
  ],
  positionals: true,
  examples: [
    'xetl drop ./feed-2026-11-21/ --env dev --date 2026-11-21',
    'xetl drop products-1.csv products-2.csv --env dev',
    'xetl drop ./fixed.csv --env dev --date 2026-11-21 --replace',
  ],
  validate(v) {
    if (v.date !== undefined) parsePartition(v.date as string);
    wholeNumber(v, 'concurrency', DEFAULT_CONCURRENCY, 1, MAX_CONCURRENCY);
  },
  async run(ctx, v, positionals, io) {
    const concurrency = wholeNumber(v, 'concurrency', DEFAULT_CONCURRENCY, 1, MAX_CONCURRENCY);
    const view = new DropProgressView();
    const progress = new ProgressReporter(io, { quiet: Boolean(v.json) });
    try {
      const r = await drop(ctx, {
        paths: positionals,
        date: v.date as string | undefined,
        replace: Boolean(v.replace),
        concurrency,
        onProgress: (p) => {
          const now = Date.now();
          view.observe(p, now);
          progress.update(() => view.render(p, now), p.phase);
        },
      });
      progress.done();
      if (v.json) printJson(io, r);
      else renderDrop(r).forEach((l) => io.out(l));
    } finally {
      progress.done();
    }
    return EXIT.ok;
  },
};
