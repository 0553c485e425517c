import { EXIT, XetlError, redrive, renderRedrive } from '@xetl/ops';
import { printJson, type Command } from '../command';

export const redriveCommand: Command = {
  summary: 'move dead-lettered trigger events back to the trigger queue after a fix',
  usage: 'xetl redrive --env <name> [--max N]',
  options: { max: { type: 'string' } },
  optionHelp: ['--max N                 move at most N messages (default 1000)'],
  examples: ['xetl status --env dev   # see the dead-letter count first', 'xetl redrive --env dev'],
  async run(ctx, v, _p, io) {
    const max = v.max === undefined ? 1000 : Number(v.max);
    if (!Number.isInteger(max) || max < 1) throw new XetlError(`--max must be a positive whole number, got "${v.max}"`, EXIT.usage);
    const r = await redrive(ctx, { max });
    if (v.json) printJson(io, r);
    else renderRedrive(r).forEach((l) => io.out(l));
    return EXIT.ok;
  },
};
