import { EXIT, bootstrap, renderBootstrap } from '@xetl/ops';
import { printJson, type Command } from '../command';

export const bootstrapCommand: Command = {
  summary: 'after deploy: apply the SQL migrations (as the warehouse admin) and create the pipeline pool on MWAA',
  usage: 'xetl bootstrap --env <name>',
  account: 'analytics',
  options: {},
  optionHelp: [],
  examples: ['xetl bootstrap --env dev', 'xetl bootstrap --env local --endpoint-url http://127.0.0.1:5000'],
  async run(ctx, v, _p, io) {
    const r = await bootstrap(ctx, { onMigration: (f) => !v.json && io.err(`applying ${f} ...`) });
    if (v.json) printJson(io, r);
    else renderBootstrap(r).forEach((l) => io.out(l));
    return EXIT.ok;
  },
};
