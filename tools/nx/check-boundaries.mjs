#!/usr/bin/env node
// Enforces module boundaries from project tags (what @nx/enforce-module-boundaries would do with
// ESLint, without an ESLint setup): reads the real project graph and fails on a forbidden edge.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** [tag of the source project, tags its dependencies may NOT carry, why] */
export const RULES = [
  ['type:lib', ['type:app'], 'libraries never depend on apps'],
  ['scope:infra', ['scope:ops'], 'infrastructure code never depends on the operations tooling'],
  ['scope:shared', ['scope:infra', 'scope:ops'], 'shared libraries stay below infra and ops'],
  ['type:app', ['type:app'], 'apps are composition roots and never import each other'],
];

export function violations(graph) {
  const out = [];
  for (const [source, deps] of Object.entries(graph.dependencies)) {
    const sourceTags = graph.nodes[source]?.data?.tags ?? [];
    for (const dep of deps) {
      const targetTags = graph.nodes[dep.target]?.data?.tags ?? [];
      if (!graph.nodes[dep.target] || dep.type === 'implicit') continue;
      for (const [tag, forbidden, why] of RULES) {
        if (!sourceTags.includes(tag)) continue;
        const hit = forbidden.find((f) => targetTags.includes(f));
        if (hit) out.push(`${source} (${tag}) -> ${dep.target} (${hit}): ${why}`);
      }
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = join(mkdtempSync(join(tmpdir(), 'nx-graph-')), 'graph.json');
  execFileSync(process.execPath, ['node_modules/nx/dist/bin/nx.js', 'graph', `--file=${file}`], { stdio: 'ignore', env: { ...process.env, NX_DAEMON: 'false' } });
  const { graph } = JSON.parse(readFileSync(file, 'utf8'));
  const untagged = Object.entries(graph.nodes).filter(([, n]) => !(n.data.tags ?? []).some((t) => t.startsWith('type:'))).map(([k]) => k);
  const found = violations(graph);
  for (const v of found) console.error(`boundary violation: ${v}`);
  for (const p of untagged) console.error(`project ${p} has no type: tag`);
  console.log(`module boundaries: ${Object.keys(graph.nodes).length} projects checked, ${found.length + untagged.length} violations`);
  process.exit(found.length + untagged.length ? 1 : 0);
}
