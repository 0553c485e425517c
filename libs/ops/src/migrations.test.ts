import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from '@xetl/testing';
import { listMigrations, splitStatements } from './migrations';

describe('migrations (TypeScript reimplementation of sql/xetl_sql_tools/migrations.py)', () => {
  test('orders and splits the repository migrations exactly as the Python module does', () => {
    const venvPython = path.join(REPO_ROOT, '.venvs', 'tools', 'bin', 'python');
    const script = 'import json\nfrom xetl_sql_tools.migrations import list_migrations\nprint(json.dumps([[m.path.name, m.statements()] for m in list_migrations()]))';
    let python: Array<[string, string[]]>;
    try {
      python = JSON.parse(execFileSync(venvPython, ['-c', script], { cwd: path.join(REPO_ROOT, 'sql'), encoding: 'utf8' }));
    } catch {
      python = JSON.parse(execFileSync('python3', ['-c', script], { cwd: path.join(REPO_ROOT, 'sql'), encoding: 'utf8' }));
    }
    const ts = listMigrations().map((m) => [path.basename(m.file), m.statements]);
    expect(ts).toEqual(python);
    expect(ts.length).toBeGreaterThan(0);
  });

  test('keeps semicolons inside literals, comments and $$ bodies', () => {
    const sql = "-- a; b\nSELECT ';' AS x; /* ; */ CREATE PROCEDURE p() AS $$ BEGIN x := 1; END; $$ LANGUAGE plpgsql;\n-- only a comment;\n";
    expect(splitStatements(sql)).toEqual(["-- a; b\nSELECT ';' AS x", '/* ; */ CREATE PROCEDURE p() AS $$ BEGIN x := 1; END; $$ LANGUAGE plpgsql']);
  });
});
