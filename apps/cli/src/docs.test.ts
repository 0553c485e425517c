import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '@xetl/testing';
import { COMMANDS } from './commands';
import { HELP_DOCS, renderHelpBlocks } from './help-docs';

describe('docs generated from the CLI', () => {
  test.each(HELP_DOCS.map((f) => path.relative(REPO_ROOT, f)))('%s: every help transcript is the CLI\'s current output (fix: npx nx run cli:docs)', async (file) => {
    const doc = fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
    expect(await renderHelpBlocks(doc)).toBe(doc);
  });

  test('operations.md shows the help of xetl and of every command', () => {
    const doc = fs.readFileSync(HELP_DOCS[0], 'utf8');
    for (const args of ['--help', ...Object.keys(COMMANDS).map((c) => `${c} --help`)]) {
      expect(doc).toContain(`<!-- xetl-help: ${args} -->`);
    }
  });

  // xetl cost prints libs/cost's estimate model as is (camelCase); its owner adds a schema and
  // snake_case keys, then this list is empty.
  const WITHOUT_SCHEMA = ['cost'];

  test('every command has a --json schema', () => {
    for (const name of Object.keys(COMMANDS).filter((c) => !WITHOUT_SCHEMA.includes(c))) {
      expect(fs.existsSync(path.join(REPO_ROOT, 'libs', 'ops', 'schemas', `${name}.schema.json`))).toBe(true);
    }
  });

  test('a stale transcript is noticed', async () => {
    const stale = '<!-- xetl-help: --version -->\n```\n$ xetl --version\nxetl 0.0.0\n```\n<!-- /xetl-help -->\n';
    expect(await renderHelpBlocks(stale)).not.toBe(stale);
  });
});
