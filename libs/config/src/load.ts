import * as path from 'node:path';
import { ConfigError, validateConfig } from './validate';
import type { XetlConfig } from './types';

/** The config file at the repository root, unless `XETL_CONFIG` points elsewhere. */
export function defaultConfigPath(): string {
  return process.env.XETL_CONFIG ?? path.resolve(__dirname, '../../../xetl.config.ts');
}

/**
 * Loads and validates the typed config. The file is TypeScript, so it is loaded by the same
 * runtime that runs the caller (tsx for apps, ts-jest for tests).
 */
export function loadConfig(file: string = defaultConfigPath()): XetlConfig {
  let mod: { default?: unknown };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(path.resolve(file));
  } catch (err) {
    throw new ConfigError([{ field: '(file)', message: `cannot load ${file}: ${(err as Error).message}` }]);
  }
  return validateConfig(mod.default ?? mod);
}
