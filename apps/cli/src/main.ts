/**
 * `xetl`: the operations CLI. A composition root only: parse arguments, build the context from
 * the typed config, call @xetl/ops, render. Exit codes are documented in docs/operations.md.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  EXIT, XetlError, bootstrap, redrive, renderRedrive, createContext, doctor, doctorPassed, drop, knownEnvironments, renderBootstrap,
  renderDoctor, renderDrop, renderProgress, renderStatus, renderTrigger, status, statusComplete, trigger,
  type OpsContext,
} from '@xetl/ops';
import { costCommand } from './commands/cost';

export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Rewrites the current stderr line (progress); only called on a terminal. */
  progress?(line: string): void;
}

type Values = Record<string, string | boolean | undefined>;
interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  readonly optionHelp: readonly string[];
  readonly positionals?: boolean;
  readonly examples: readonly string[];
  run(ctx: OpsContext, values: Values, positionals: string[], io: Io): Promise<number>;
}

const COMMON = {
  env: { type: 'string' },
  'endpoint-url': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;
const COMMON_HELP = [
  '--env <name>            environment from xetl.config.ts (required)',
  '--endpoint-url <url>    send every AWS call to this endpoint, e.g. a local emulator',
  '                        (or set XETL_AWS_ENDPOINT_URL)',
  '--json                  machine-readable output on stdout',
  '-h, --help              this help',
];

const json = (io: Io, value: unknown) => io.out(JSON.stringify(value, null, 2));

const COMMANDS: Record<string, Command> = {
  drop: {
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
      if (v.json) json(io, { bucket: r.bucket, partition: r.partition.date, prefix: r.prefix, marker_key: r.markerKey, files: r.files, other_objects: r.otherObjects });
      else renderDrop(r).forEach((l) => io.out(l));
      return EXIT.ok;
    },
  },
  bootstrap: {
    summary: 'after deploy: write the warehouse endpoint into the Airflow variable, apply SQL migrations',
    usage: 'xetl bootstrap --env <name>',
    options: {},
    optionHelp: [],
    examples: ['xetl bootstrap --env dev', 'xetl bootstrap --env local --endpoint-url http://127.0.0.1:5000'],
    async run(ctx, v, _p, io) {
      const r = await bootstrap(ctx, { onMigration: (f) => !v.json && io.err(`applying ${f} ...`) });
      if (v.json) json(io, r);
      else renderBootstrap(r).forEach((l) => io.out(l));
      return EXIT.ok;
    },
  },
  trigger: {
    summary: 'start a DAG run for one partition through MWAA (InvokeRestApi)',
    usage: 'xetl trigger --env <name> --partition YYYY-MM-DD',
    options: { partition: { type: 'string' } },
    optionHelp: ['--partition YYYY-MM-DD  the day to (re)process (required)'],
    examples: ['xetl trigger --env dev --partition 2026-11-21'],
    async run(ctx, v, _p, io) {
      if (!v.partition) throw new XetlError('missing --partition YYYY-MM-DD; see xetl trigger --help', EXIT.usage);
      const r = await trigger(ctx, v.partition as string);
      if (v.json) json(io, r);
      else renderTrigger(r).forEach((l) => io.out(l));
      return EXIT.ok;
    },
  },
  status: {
    summary: 'crawler, last job runs, workgroup and last DAG runs at a glance',
    usage: 'xetl status --env <name> [--limit N] [--json]',
    options: { limit: { type: 'string' } },
    optionHelp: ['--limit N               job and DAG runs to show (default 5)'],
    examples: ['xetl status --env dev', 'xetl status --env dev --json | jq .dagRuns'],
    async run(ctx, v, _p, io) {
      const limit = v.limit === undefined ? 5 : Number(v.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new XetlError(`--limit must be a whole number from 1 to 100, got "${v.limit}"`, EXIT.usage);
      const r = await status(ctx, { limit });
      if (v.json) json(io, r);
      else renderStatus(r).forEach((l) => io.out(l));
      return statusComplete(r) ? EXIT.ok : EXIT.aws;
    },
  },
  redrive: {
    summary: 'move dead-lettered trigger events back to the trigger queue after a fix',
    usage: 'xetl redrive --env <name> [--max N]',
    options: { max: { type: 'string' } },
    optionHelp: ['--max N                 move at most N messages (default 1000)'],
    examples: ['xetl status --env dev   # see the dead-letter count first', 'xetl redrive --env dev'],
    async run(ctx, v, _p, io) {
      const max = v.max === undefined ? 1000 : Number(v.max);
      if (!Number.isInteger(max) || max < 1) throw new XetlError(`--max must be a positive whole number, got "${v.max}"`, EXIT.usage);
      const r = await redrive(ctx, { max });
      if (v.json) json(io, r);
      else renderRedrive(r).forEach((l) => io.out(l));
      return EXIT.ok;
    },
  },
  doctor: {
    summary: 'check the cross-account path with your credentials; names any missing grant',
    usage: 'xetl doctor --env <name> [--role <unload|glue|mwaa|redshift|role-arn>]',
    options: { role: { type: 'string' } },
    optionHelp: ['--role <name|arn>       assume this role first and check as it'],
    examples: ['xetl doctor --env dev', 'xetl doctor --env dev --role mwaa'],
    async run(ctx, v, _p, io) {
      const r = await doctor(ctx, { role: v.role as string | undefined });
      if (v.json) json(io, r);
      else renderDoctor(r).forEach((l) => io.out(l));
      return doctorPassed(r) ? EXIT.ok : EXIT.aws;
    },
  },
  cost: costCommand,
};

function envList(): string {
  try {
    return knownEnvironments().join(', ');
  } catch {
    return '(config does not load)';
  }
}

export function topHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'xetl: operations CLI for the xetl cross-account pipeline',
    '',
    'usage: xetl <command> --env <name> [options]',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    `environments: ${envList()}`,
    'run "xetl <command> --help" for its options and examples; docs/operations.md for the workflow.',
    'exit codes: 0 ok, 1 unexpected, 2 usage/config, 3 refused input, 4 AWS permission or missing resource',
  ].join('\n');
}

export function commandHelp(name: string): string {
  const c = COMMANDS[name];
  return [
    `xetl ${name}: ${c.summary}`,
    '',
    `usage: ${c.usage}`,
    '',
    'options:',
    ...[...c.optionHelp, ...COMMON_HELP].map((l) => `  ${l}`),
    '',
    'examples:',
    ...c.examples.map((e) => `  ${e}`),
  ].join('\n');
}

const defaultIo: Io = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
  ...(process.stderr.isTTY ? { progress: (l: string) => process.stderr.write(`\r\x1b[2K${l}`) } : {}),
};

/** Runs one invocation and returns its exit code; never calls process.exit (tests call it). */
export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(topHelp());
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`xetl: unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')} (xetl --help)`);
    return EXIT.usage;
  }
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest, options: { ...COMMON, ...command.options }, allowPositionals: Boolean(command.positionals), strict: true,
    }) as { values: Values; positionals: string[] });
  } catch (err) {
    io.err(`xetl ${name}: ${(err as Error).message.split('\n')[0]}; see xetl ${name} --help`);
    return EXIT.usage;
  }
  if (values.help) {
    io.out(commandHelp(name));
    return EXIT.ok;
  }
  if (!values.env) {
    io.err(`xetl ${name}: missing --env <name>; known environments: ${envList()}`);
    return EXIT.usage;
  }
  try {
    const ctx = createContext({ envName: values.env as string, endpointUrl: values['endpoint-url'] as string | undefined });
    return await command.run(ctx, values, positionals, io);
  } catch (err) {
    io.progress?.('');
    if (err instanceof XetlError) {
      io.err(`xetl ${name}: ${err.message}`);
      return err.exitCode;
    }
    io.err(`xetl ${name}: unexpected error: ${(err as Error)?.message?.split('\n')[0] ?? String(err)}${process.env.XETL_DEBUG ? '' : ' (set XETL_DEBUG=1 for details)'}`);
    if (process.env.XETL_DEBUG) io.err(String((err as Error)?.stack ?? err));
    return EXIT.unexpected;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
