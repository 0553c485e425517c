/**
 * `nx affected` in a scratch clone: the repository as it is (committed history plus the working
 * tree on top as the base commit), then one change per branch. A DAG-only change must mark only
 * the DAG project, the infra app (it uploads the DAGs: `implicitDependencies`) and tools that
 * declare they run the DAG (the local end-to-end run); a change to
 * the config library must mark it and everything that depends on it, both stacks' projects among them.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

jest.setTimeout(300_000);

const repo = path.resolve(__dirname, '../../..');
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_SKIP_NX_CACHE: 'true', GIT_TERMINAL_PROMPT: '0' };
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=xetl-test', '-c', 'user.email=xetl-test@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd, env, encoding: 'utf8' }).trim();
const nx = (cwd: string, ...args: string[]) => execFileSync(process.execPath, ['node_modules/nx/dist/bin/nx.js', ...args], { cwd, env, encoding: 'utf8' });

let clone: string;
let base: string;

beforeAll(() => {
  clone = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'xetl-affected-')), 'repo');
  git(repo, 'clone', '-q', '--no-local', repo, clone);
  // The working tree as it is now (tracked and untracked, never ignored files), as one base commit.
  const files = git(repo, 'ls-files', '-co', '--exclude-standard', '-z').split('\0').filter(Boolean);
  for (const f of files) {
    const from = path.join(repo, f);
    if (!fs.existsSync(from) || fs.statSync(from).isDirectory()) continue;
    fs.mkdirSync(path.dirname(path.join(clone, f)), { recursive: true });
    fs.copyFileSync(from, path.join(clone, f));
  }
  for (const f of git(repo, 'ls-files', '-d', '-z').split('\0').filter(Boolean)) fs.rmSync(path.join(clone, f), { force: true });
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(clone, 'node_modules'));
  git(clone, 'add', '-A');
  git(clone, 'commit', '-q', '--allow-empty', '-m', 'base: the working tree under test');
  base = git(clone, 'rev-parse', 'HEAD');
});

afterAll(() => {
  if (clone) fs.rmSync(path.dirname(clone), { recursive: true, force: true });
});

function affectedBy(branch: string, file: string, edit: (text: string) => string): string[] {
  git(clone, 'checkout', '-q', '-B', branch, base);
  const full = path.join(clone, file);
  fs.writeFileSync(full, edit(fs.readFileSync(full, 'utf8')));
  git(clone, 'commit', '-q', '-am', `change ${file}`);
  const projects = (JSON.parse(nx(clone, 'show', 'projects', '--affected', `--base=${base}`, '--head=HEAD', '--json')) as string[]).sort();
  console.log(`nx affected by a change to ${file}: ${projects.join(', ')}`);
  return projects;
}

function graph(): { nodes: Record<string, { data: { tags?: string[]; targets?: Record<string, { inputs?: unknown[] }> } }>; dependencies: Record<string, Array<{ target: string }>> } {
  const file = path.join(path.dirname(clone), 'graph.json');
  nx(clone, 'graph', `--file=${file}`);
  return JSON.parse(fs.readFileSync(file, 'utf8')).graph;
}

/** The project and every project that depends on it, directly or not. */
function dependentsOf(project: string): string[] {
  const deps = graph().dependencies;
  const out = new Set([project]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [source, edges] of Object.entries(deps)) {
      if (!out.has(source) && edges.some((e) => out.has(e.target))) { out.add(source); grew = true; }
    }
  }
  return [...out].sort();
}

test('a change to one DAG file marks only the DAG project, the infra app that uploads it, and tools that run the DAG', () => {
  const affected = affectedBy('dag-only', 'dags/xetl_products_pipeline.py', (t) => `${t}\n# a DAG-only change\n`);
  expect(affected).toEqual(expect.arrayContaining(['dags', 'infra']));
  // Exactly the projects that declare a dependency on the DAGs (the local end-to-end run does):
  // no library, no other app, and of the two stacks only infra (which the analytics stack's assets make it).
  expect(affected).toEqual(dependentsOf('dags'));
  const nodes = graph().nodes as Record<string, { data: { tags?: string[] } }>;
  // No library and no other app: besides infra, only tools and projects whose tests run the DAG's
  // code (the dbt project tests the DAG's Cosmos group) may follow a DAG change.
  const kinds = (p: string) => (nodes[p].data.tags ?? []).filter((t) => t.startsWith('type:'));
  expect(affected.filter((p) => p !== 'dags' && p !== 'infra').filter((p) => kinds(p).some((t) => t === 'type:lib' || t === 'type:app'))).toEqual([]);
});

test('a change to the config library marks it, both stacks and everything else that depends on it', () => {
  const affected = affectedBy('config', 'libs/config/src/defaults.ts', (t) => `${t}\n// a config change\n`);
  expect(affected).toEqual(expect.arrayContaining(['config', 'constructs', 'stacks', 'infra']));
  const dependents = dependentsOf('config');
  expect(affected).toEqual(expect.arrayContaining(dependents));
  // Nx also marks projects whose target inputs name the changed file outside their own folder
  // (the module-boundary check reads every libs/**/*.ts); nothing else may be added.
  const readsLibs = Object.entries(graph().nodes)
    .filter(([, n]) => Object.values(n.data.targets ?? {}).some((t) => (t.inputs ?? []).some((i) => typeof i === 'string' && i.startsWith('{workspaceRoot}/libs/'))))
    .map(([name]) => name);
  expect(affected.filter((p) => !dependents.includes(p)).filter((p) => !readsLibs.includes(p))).toEqual([]);
});
