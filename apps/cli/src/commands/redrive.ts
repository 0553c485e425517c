import { EXIT, redrive, renderRedrive } from '@xetl/ops';
import { printJson, wholeNumber, type Command } from '../command';

export const redriveCommand: Command = {
  summary: 'move dead-lettered trigger events back to the trigger queue after a fix',
  usage: 'xetl redrive --env <name> [--max N]',
  account: 'analytics',
  options: { max: { type: 'string' } },
  optionHelp: ['--max N                 move at most N messages (default 1000)'],
  examples: ['xetl status --env dev   # see the dead-letter count first', 'xetl redrive --env dev'],
  validate: (v) => void wholeNumber(v, 'max', 1000, 1, 100_000),
  async run(ctx, v, _p, io) {
    const max = wholeNumber(v, 'max', 1000, 1, 100_000);
    const r = await redrive(ctx, { max });
    if (v.json) printJson(io, r);
    else renderRedrive(r).forEach((l) => io.out(l));
    return EXIT.ok;
  },
};
