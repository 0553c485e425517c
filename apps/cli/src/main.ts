/**
 * `xetl`: the operations CLI. A composition root only: parse arguments, build the context from
 * the typed config, call @xetl/ops, render. Exit codes are documented in docs/operations.md.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '@xetl/config';
import { EXIT, XetlError, configErrorMessage, createContext, knownEnvironments, requireAccount } from '@xetl/ops';
import type { Io, Values } from './command';
import { COMMANDS } from './commands';

export type { Io } from './command';

/** The CLI's version: apps/cli/package.json, which npm links as the `xetl` bin. */
export const VERSION: string = (require('../package.json') as { version: string }).version;

const COMMON = {
  env: { type: 'string' },
  'endpoint-url': { type: 'string' },
  profile: { type: 'string' },
  region: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;
const COMMON_HELP = [
  '--env <name>            environment from xetl.config.ts (required)',
  '--profile <name>        AWS profile from ~/.aws/config, as in the AWS CLI (default:',
  '                        AWS_PROFILE, then AWS_ACCESS_KEY_ID, SSO, instance role)',
  '--region <region>       region of every call (default: the environment\'s region)',
  '--endpoint-url <url>    send every AWS call to this endpoint, e.g. a local emulator',
  '                        (or set XETL_AWS_ENDPOINT_URL)',
  '--json                  one JSON document on stdout (libs/ops/schemas/<command>.schema.json)',
  '-h, --help              this help',
];

/** The environments for help texts, or why the config does not load (every problem, once). */
function envList(): string {
  try {
    return knownEnvironments().join(', ');
  } catch (err) {
    const why = err instanceof ConfigError ? configErrorMessage(err).replace(/^config: /, '') : (err as Error).message.split('\n')[0];
    return `none, xetl.config.ts does not load: ${why}`;
  }
}

export function topHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'xetl: operations CLI for the xetl cross-account pipeline',
    '',
    'usage: xetl <command> --env <name> [options]',
    '       xetl --version',
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
  if (name === '--version' || name === '-V') {
    io.out(`xetl ${VERSION}`);
    return EXIT.ok;
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
    command.validate?.(values, positionals);
    const ctx = createContext({
      envName: values.env as string,
      endpointUrl: values['endpoint-url'] as string | undefined,
      profile: values.profile as string | undefined,
      region: values.region as string | undefined,
    });
    // Identity first: the caller is resolved once and compared with the config before any call.
    const account = typeof command.account === 'function' ? command.account(ctx, values) : command.account;
    if (account) await requireAccount(ctx, account);
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
