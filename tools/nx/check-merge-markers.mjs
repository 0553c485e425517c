#!/usr/bin/env node
// Fails when a tracked file still holds a merge conflict's markers (a line starting with
// "<<<<<<< " or ">>>>>>> "): a half-resolved merge must not land, whatever the file type.
import { execFileSync } from 'node:child_process';

let out = '';
try {
  out = execFileSync('git', ['grep', '-n', '-I', '-E', '^(<<<<<<<|>>>>>>>) ', '--', '.'], { encoding: 'utf8' });
} catch (err) {
  if (err.status !== 1) throw err; // 1: no match
}
const hits = out.split('\n').filter(Boolean);
for (const hit of hits) process.stderr.write(`merge conflict marker: ${hit}\n`);
process.stdout.write(`merge markers: ${hits.length} found\n`);
process.exit(hits.length ? 1 : 0);
