/**
 * What one `xetl` command is: its help text, its options and what it runs. Adding a command is
 * one module in ./commands exporting a `Command` plus one line in ./commands/index.ts.
 */
import type { ParseArgsConfig } from 'node:util';
import type { OpsContext } from '@xetl/ops';

export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Rewrites the current stderr line (progress); only called on a terminal. */
  progress?(line: string): void;
}

/** Parsed option values, by long option name. */
export type Values = Record<string, string | boolean | undefined>;

export interface Command {
  /** One line for `xetl --help`. */
  readonly summary: string;
  readonly usage: string;
  /** Options besides the common ones (`--env`, `--endpoint-url`, `--json`, `--help`). */
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** One help line per option, aligned like the common ones. */
  readonly optionHelp: readonly string[];
  /** True when the command takes positional arguments (files, for drop). */
  readonly positionals?: boolean;
  readonly examples: readonly string[];
  /** Runs the command and returns its exit code; throws XetlError for one-line failures. */
  run(ctx: OpsContext, values: Values, positionals: string[], io: Io): Promise<number>;
}

/** Prints a `--json` result: one document on stdout. */
export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}
