import { EXIT, drop, renderDrop, renderProgress } from '@xetl/ops';
import { printJson, type Command } from '../command';

export const dropCommand: Command = {
  summary: "upload a day's CSV files to the source bucket, then write its _SUCCESS marker",
  usage: 'xetl drop <file|folder>... --env <name> [--date YYYY-MM-DD] [--replace]',
  options: { date: { type: 'string' }, replace: { type: 'boolean' } },
  optionHelp: [
    '--date YYYY-MM-DD       partition day (default: today in UTC, printed)',
    '--replace               overwrite objects that already exist in the partition',
  ],
  positionals: true,
  examples: [
    'xetl drop ./feed-2026-11-21/ --env dev --date 2026-11-21',
    'xetl drop products-1.csv products-2.csv --env dev',
    'xetl drop ./fixed.csv --env dev --date 2026-11-21 --replace',
  ],
  async run(ctx, v, positionals, io) {
    const r = await drop(ctx, {
      paths: positionals,
      date: v.date as string | undefined,
      replace: Boolean(v.replace),
      onProgress: (p) => {
        if (io.progress) io.progress(renderProgress(p));
        else if (p.loaded === p.total && !v.json) io.err(renderProgress(p));
      },
    });
    io.progress?.(''); // clear the bar; the summary lists every file
    if (v.json) printJson(io, { bucket: r.bucket, partition: r.partition.date, prefix: r.prefix, marker_key: r.markerKey, files: r.files, other_objects: r.otherObjects });
    else renderDrop(r).forEach((l) => io.out(l));
    return EXIT.ok;
  },
};
