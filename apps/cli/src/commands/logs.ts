import { EXIT, XetlError, logs, parsePartition, renderLogs } from '@xetl/ops';
import { printJson, wholeNumber, type Command } from '../command';

export const logsCommand: Command = {
  summary: "a run's task logs (MWAA's CloudWatch task log group) and the Glue job run's driver log",
  usage: 'xetl logs --env <name> --partition YYYY-MM-DD [--task T] [--run-id R] [--attempt N]',
  account: (ctx) => (ctx.env.localOnly ? undefined : 'analytics'),
  options: { partition: { type: 'string' }, task: { type: 'string' }, 'run-id': { type: 'string' }, attempt: { type: 'string' } },
  optionHelp: [
    '--partition YYYY-MM-DD  the day whose run to read (required; its newest run)',
    '--task T                one task, e.g. start_glue_job (default: every task of the run)',
    '--run-id R              a given run of that day instead of the newest',
    '--attempt N             this attempt instead of the latest',
  ],
  examples: [
    'xetl logs --env dev --partition 2026-11-21',
    'xetl logs --env dev --partition 2026-11-21 --task start_glue_job',
    'xetl logs --env local --partition 2026-11-21 --task check_data_quality',
  ],
  validate(v) {
    if (!v.partition) throw new XetlError('missing --partition YYYY-MM-DD; see xetl logs --help', EXIT.usage);
    parsePartition(v.partition as string, '--partition');
    wholeNumber(v, 'attempt', 1, 1, 100);
  },
  async run(ctx, v, _p, io) {
    const r = await logs(ctx, {
      partition: v.partition as string,
      task: v.task as string | undefined,
      runId: v['run-id'] as string | undefined,
      attempt: v.attempt === undefined ? undefined : wholeNumber(v, 'attempt', 1, 1, 100),
    });
    if (v.json) printJson(io, r);
    else renderLogs(r).forEach((l) => io.out(l));
    return EXIT.ok;
  },
};
