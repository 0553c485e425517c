import { EXIT, XetlError, parsePartition, renderTrigger, trigger } from '@xetl/ops';
import { printJson, type Command } from '../command';

export const triggerCommand: Command = {
  summary: 'start a DAG run for one partition through MWAA (InvokeRestApi)',
  usage: 'xetl trigger --env <name> --partition YYYY-MM-DD',
  account: 'analytics',
  options: { partition: { type: 'string' } },
  optionHelp: ['--partition YYYY-MM-DD  the day to (re)process (required)'],
  examples: ['xetl trigger --env dev --partition 2026-11-21'],
  validate(v) {
    if (!v.partition) throw new XetlError('missing --partition YYYY-MM-DD; see xetl trigger --help', EXIT.usage);
    parsePartition(v.partition as string, '--partition');
  },
  async run(ctx, v, _p, io) {
    const r = await trigger(ctx, v.partition as string);
    if (v.json) printJson(io, r);
    else renderTrigger(r).forEach((l) => io.out(l));
    return EXIT.ok;
  },
};
