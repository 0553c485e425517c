import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildZipFile, deterministicZip } from './deterministic-zip';

function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xetl-zip-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const entriesOf = (dir: string, names: string[]) => names.map((name) => ({ name: `pkg/${name}`, path: path.join(dir, name) }));

/** What Python's own zipfile module (the reader Glue and Lambda use) sees in the archive. */
function pythonRead(zip: string): { name: string; text: string; mode: number; date: number[] }[] {
  const script = [
    'import json, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1]); z.testzip()',
    'print(json.dumps([{"name": i.filename, "text": z.read(i).decode(), "mode": i.external_attr >> 16, "date": list(i.date_time)} for i in z.infolist()]))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script, zip], { encoding: 'utf8' }));
}

describe('deterministicZip', () => {
  test('gives the same bytes for the same sources, whatever the order and the files\' times', () => {
    const a = tree({ 'b.py': 'B = 1\n', 'a.py': 'A = 1\n' });
    const b = tree({ 'a.py': 'A = 1\n', 'b.py': 'B = 1\n' });
    fs.utimesSync(path.join(b, 'a.py'), new Date('2030-01-01'), new Date('2030-01-01'));
    expect(deterministicZip(entriesOf(a, ['a.py', 'b.py']))).toEqual(deterministicZip(entriesOf(b, ['b.py', 'a.py'])));
  });

  test('changes when a source changes', () => {
    const a = tree({ 'a.py': 'A = 1\n' });
    const before = deterministicZip(entriesOf(a, ['a.py']));
    fs.writeFileSync(path.join(a, 'a.py'), 'A = 2\n');
    expect(deterministicZip(entriesOf(a, ['a.py']))).not.toEqual(before);
  });

  test('is a valid zip that Python reads back exactly, sorted, 0644, dated 1980-01-01', () => {
    const dir = tree({ 'z.py': 'Z = "é"\n', 'sub/a.py': 'A = 1\n' });
    const zip = buildZipFile('pkg.zip', entriesOf(dir, ['z.py', 'sub/a.py']));
    expect(pythonRead(zip)).toEqual([
      { name: 'pkg/sub/a.py', text: 'A = 1\n', mode: 0o100644, date: [1980, 1, 1, 0, 0, 0] },
      { name: 'pkg/z.py', text: 'Z = "é"\n', mode: 0o100644, date: [1980, 1, 1, 0, 0, 0] },
    ]);
  });

  test('refuses names that would escape the archive or repeat', () => {
    const dir = tree({ 'a.py': '' });
    expect(() => deterministicZip([{ name: '../a.py', path: path.join(dir, 'a.py') }])).toThrow(/relative path/);
    expect(() => deterministicZip([...entriesOf(dir, ['a.py']), ...entriesOf(dir, ['a.py'])])).toThrow(/twice/);
  });
});
