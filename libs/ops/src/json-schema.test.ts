import * as fs from 'node:fs';
import * as path from 'node:path';
import { SCHEMA_DIR, expectCliJson, keysNotSnakeCase } from './test-support/json-schema';

describe('--json schemas (libs/ops/schemas)', () => {
  const files = fs.readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json'));

  test.each(files)('%s names its properties in snake_case and forbids unlisted ones', (file) => {
    const schema = JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, file), 'utf8')) as unknown;
    const names: string[] = [];
    const open: string[] = [];
    const walk = (node: unknown, at: string) => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}[${i}]`));
      if (!node || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      if (o.type === 'object' && o.additionalProperties !== false) open.push(at);
      if (o.properties && typeof o.properties === 'object') names.push(...Object.keys(o.properties));
      for (const [k, v] of Object.entries(o)) walk(v, `${at}.${k}`);
    };
    walk(schema, '$');
    // A schema that is another command's document refers to it, and that one is checked here too.
    const ref = (schema as { $ref?: string }).$ref;
    if (ref) {
      expect(files.map((f) => `https://xetl.invalid/cli/${f}`)).toContain(ref);
      return;
    }
    expect(names.length).toBeGreaterThan(0);
    expect(keysNotSnakeCase(Object.fromEntries(names.map((n) => [n, 0])))).toEqual([]);
    expect(open).toEqual([]);
  });

  test('the check refuses a missing field, an unlisted one and a camelCase key', () => {
    const ok = { from: 'a-dlq', to: 'a', moved: 1, reasons: [{ reason: 'x', count: 1 }] };
    expect(() => expectCliJson('redrive', ok)).not.toThrow();
    expect(() => expectCliJson('redrive', { ...ok, moved: undefined })).toThrow("must have required property 'moved'");
    expect(() => expectCliJson('redrive', { ...ok, movedAt: 'now' })).toThrow('must NOT have additional properties');
    expect(keysNotSnakeCase({ a_b: { dagRuns: [{ runId: 1 }] } })).toEqual(['$.a_b.dagRuns', '$.a_b.dagRuns[0].runId']);
  });
});
