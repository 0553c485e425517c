/**
 * What one `xetl` command is: its help text, its options and what it runs. Adding a command is
 * one module in ./commands exporting a `Command` plus one line in ./commands/index.ts.
 */
import * as path from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { EXIT, XetlError, type AccountRequirement, type OpsContext } from '@xetl/ops';

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
  /**
   * The account the command works in. Before it runs, the CLI resolves the caller once and stops
   * with one line naming both accounts when they differ. A function decides per invocation
   * (undefined: the command makes no AWS call this time, e.g. against the local Airflow).
   */
  readonly account?: AccountRequirement | ((ctx: OpsContext, values: Values) => AccountRequirement | undefined);
  /**
   * Checks the arguments before anything else (no config, no credentials, no AWS call), so a
   * typo is a usage error even without network or credentials. Throws XetlError (exit 2).
   */
  validate?(values: Values, positionals: string[]): void;
  /** Runs the command and returns its exit code; throws XetlError for one-line failures. */
  run(ctx: OpsContext, values: Values, positionals: string[], io: Io): Promise<number>;
}

/** The repository the CLI runs from (apps/cli/src -> three levels up): cdktf.out, npm run synth. */
export const REPO_ROOT = path.resolve(__dirname, '../../..');

/** Prints a `--json` result: one document on stdout. */
export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/** A whole-number option within [min, max], or its default; anything else is a usage error. */
export function wholeNumber(values: Values, name: string, fallback: number, min: number, max: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || n < min || n > max) {
    throw new XetlError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`, EXIT.usage);
  }
  return n;
}
