#!/usr/bin/env node
// Python projects are real packages in the Nx graph: each declares its package(s) and its
// first-party dependencies in pyproject.toml, and this check (run by `nx run workspace:lint`) fails
// when the three descriptions of one fact disagree:
//   1. what the code imports of another first-party project (every .py file of the project);
//   2. `dependencies` (and the `test` extra, for its tests) of its pyproject.toml;
//   3. `implicitDependencies` of its project.json (what `nx affected` follows);
// and when a virtual environment of scripts/python-env.sh lacks a dependency of a project it installs.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

const repo = new URL('../..', import.meta.url).pathname;

function walk(dir, out = [], { ownProjectOnly = false } = {}) {
  for (const entry of readdirSync(dir)) {
    if (['node_modules', '.venvs', '.git', '.work', 'dist', 'cdktf.out', '__pycache__', '.nx'].includes(entry)) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      // A folder with its own pyproject.toml is another project (sql/dbt inside sql).
      if (ownProjectOnly && existsSync(join(path, 'pyproject.toml'))) continue;
      walk(path, out, { ownProjectOnly });
    } else out.push(path);
  }
  return out;
}

/** One Python project: its folder, Nx name, distribution name, top-level modules and first-party deps. */
export function pythonProjects(root = repo) {
  const projects = [];
  for (const file of walk(root).filter((f) => f.endsWith('pyproject.toml'))) {
    const dir = file.slice(0, -'/pyproject.toml'.length);
    const text = readFileSync(file, 'utf8');
    const name = /^name\s*=\s*"([^"]+)"/m.exec(text)?.[1];
    const list = (key) => (new RegExp(`^${key}\\s*=\\s*\\[([^\\]]*)\\]`, 'm').exec(text)?.[1] ?? '').match(/"[^"]+"/g)?.map((s) => s.slice(1, -1)) ?? [];
    const projectJson = join(dir, 'project.json');
    const nx = existsSync(projectJson) ? JSON.parse(readFileSync(projectJson, 'utf8')) : null;
    projects.push({
      dir: relative(root, dir),
      nxName: nx?.name,
      implicit: nx?.implicitDependencies ?? [],
      name,
      modules: [...list('packages'), ...list('py-modules')],
      // Runtime and test-only first-party dependencies (`[project.optional-dependencies] test`).
      deps: [...list('dependencies'), ...list('test')],
    });
  }
  return projects;
}

const IMPORT = /^\s*(?:from\s+([A-Za-z_]\w*)[\w.]*\s+import|import\s+([A-Za-z_]\w*))/gm;

export function problems(root = repo) {
  const projects = pythonProjects(root);
  const byModule = new Map(projects.flatMap((p) => p.modules.map((m) => [m, p])));
  const byName = new Map(projects.map((p) => [p.name, p]));
  const out = [];
  for (const p of projects) {
    if (!p.nxName) out.push(`${p.dir}: a Python project needs a project.json (an Nx project)`);
    const declared = new Set(p.deps);
    for (const dep of p.deps) if (!byName.has(dep)) out.push(`${p.dir}: dependency ${dep} is not a project of this repository`);
    const imported = new Map();
    for (const file of walk(join(root, p.dir), [], { ownProjectOnly: true }).filter((f) => f.endsWith('.py'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const owner = byModule.get(m[1] ?? m[2]);
        if (owner && owner !== p) imported.set(owner.name, relative(root, file));
      }
    }
    for (const [dep, file] of imported) {
      if (!declared.has(dep)) out.push(`${p.dir}: ${file} imports ${dep} but pyproject.toml does not declare it`);
    }
    for (const dep of declared) {
      if (!imported.has(dep)) out.push(`${p.dir}: pyproject.toml declares ${dep} but nothing imports it`);
    }
    const implicit = new Set(p.implicit);
    const wanted = new Set(p.deps.map((d) => byName.get(d)?.nxName).filter(Boolean));
    for (const w of wanted) if (!implicit.has(w)) out.push(`${p.dir}: project.json implicitDependencies lacks ${w} (declared in pyproject.toml)`);
  }
  // Every environment installs the first-party dependencies of what it installs.
  const envScript = readFileSync(join(root, 'scripts', 'python-env.sh'), 'utf8');
  for (const m of envScript.matchAll(/^\s*([a-z]+)\)\s*\n(?:.*\n)*?\s*projects=\(([^)]*)\)/gm)) {
    const installed = new Set(m[2].split(/\s+/).filter(Boolean));
    for (const dir of installed) {
      const p = projects.find((x) => x.dir === dir);
      if (!p) { out.push(`scripts/python-env.sh ${m[1]}: ${dir} has no pyproject.toml`); continue; }
      for (const dep of p.deps) {
        const d = byName.get(dep);
        if (d && !installed.has(d.dir)) out.push(`scripts/python-env.sh ${m[1]}: installs ${dir} but not its dependency ${d.dir}`);
      }
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const found = problems();
  for (const p of found) console.error(`python dependencies: ${p}`);
  console.log(`python dependencies: ${pythonProjects().length} projects checked, ${found.length} problems`);
  process.exit(found.length ? 1 : 0);
}
