import { EXIT, doctor, doctorPassed, renderDoctor } from '@xetl/ops';
import { printJson, type Command } from '../command';

export const doctorCommand: Command = {
  summary: 'check the cross-account path, then the deployed variable, DAG, warehouse login and endpoints',
  usage: 'xetl doctor --env <name> [--role <unload|glue|mwaa|redshift|role-arn>]',
  account: 'either',
  options: { role: { type: 'string' } },
  optionHelp: [
    '--role <name|arn>       assume this role first and check as it (the DAG and the endpoints',
    '                        are read with your own credentials); the warehouse login is',
    "                        checked only with --role mwaa, the DAG's identity",
  ],
  examples: ['xetl doctor --env dev', 'xetl doctor --env dev --role mwaa', 'xetl doctor --env dev --json | jq \'.checks[] | select(.status != "PASS")\''],
  async run(ctx, v, _p, io) {
    const r = await doctor(ctx, { role: v.role as string | undefined });
    if (v.json) printJson(io, r);
    else renderDoctor(r).forEach((l) => io.out(l));
    return doctorPassed(r) ? EXIT.ok : EXIT.aws;
  },
};
