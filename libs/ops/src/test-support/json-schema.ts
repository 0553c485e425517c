import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';

/** The `--json` schemas of the CLI, one per command: the stable interface scripts rely on. */
export const SCHEMA_DIR = path.resolve(__dirname, '..', '..', 'schemas');

const ajv = new Ajv({ allErrors: true, strict: true });
const compiled = new Map<string, ValidateFunction>();
let registered = false;

export function schemaFile(command: string): string {
  return path.join(SCHEMA_DIR, `${command}.schema.json`);
}

const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/** Every object key in a JSON value that is not snake_case, as JSON paths. */
export function keysNotSnakeCase(value: unknown, at = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keysNotSnakeCase(v, `${at}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [...(SNAKE.test(k) ? [] : [`${at}.${k}`]), ...keysNotSnakeCase(v, `${at}.${k}`)]);
}

/**
 * Asserts that `result`, printed as `xetl <command> --json` prints it, matches the command's
 * schema (no missing, extra or mistyped field) and that every key is snake_case.
 */
export function expectCliJson(command: string, result: unknown): void {
  const printed: unknown = JSON.parse(JSON.stringify(result));
  let validate = compiled.get(command);
  if (!validate) {
    // Every schema is registered by its $id first, so one may refer to another (unpark -> park).
    if (!registered) {
      for (const f of fs.readdirSync(SCHEMA_DIR).filter((x) => x.endsWith('.schema.json'))) ajv.addSchema(JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, f), 'utf8')));
      registered = true;
    }
    const id = (JSON.parse(fs.readFileSync(schemaFile(command), 'utf8')) as { $id: string }).$id;
    validate = ajv.getSchema(id);
    if (!validate) throw new Error(`${schemaFile(command)}: no schema with $id ${id}`);
    compiled.set(command, validate);
  }
  if (!validate(printed)) throw new Error(`xetl ${command} --json does not match ${schemaFile(command)}: ${ajv.errorsText(validate.errors)}`);
  const bad = keysNotSnakeCase(printed);
  if (bad.length) throw new Error(`xetl ${command} --json has keys that are not snake_case: ${bad.join(', ')}`);
}
