/**
 * `nx run infra:security`: Checkov over every synthesized stack. Fails on any finding that
 * security/checkov-accepted.json does not accept with a reason, on entries that accept nothing,
 * and on any credential-looking value in the synthesized JSON.
 */
import { ACCEPTED_FILE, loadAccepted, scanStack } from '../checkov';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanFiles } from '../secret-scan';
import { listSynthesizedStacks } from '../stack-runs';

const accepted = loadAccepted();
const used = new Set<string>();
let passed = 0;
let failed = 0;
let acceptedCount = 0;
for (const stack of listSynthesizedStacks()) {
  const r = scanStack(stack.dir, accepted);
  passed += r.passed;
  failed += r.failed.length;
  acceptedCount += r.accepted.length;
  r.accepted.forEach((a) => used.add(a.check));
  console.log(`checkov ${stack.name}: ${r.passed} passed, ${r.failed.length} failed, ${r.accepted.length} accepted`);
  for (const f of r.failed) console.error(`  FAILED ${f.check} ${f.resource}: ${f.name}`);
}
// Secrets must never reach synthesized JSON (which ends up in Terraform state and CI artifacts).
const synthesized = listSynthesizedStacks().flatMap((s) => fs.readdirSync(s.dir).filter((f) => f.endsWith('.json')).map((f) => path.join(s.dir, f)));
const secrets = scanFiles(synthesized);
for (const s of secrets) console.error(`  SECRET-LOOKING VALUE: ${s.kind} in ${s.file}:${s.line}`);
console.log(`secret scan of synthesized stacks: ${synthesized.length} files, ${secrets.length} findings`);
failed += secrets.length;
const stale = accepted.filter((a) => !used.has(a.check));
for (const s of stale) console.error(`  stale entry in ${ACCEPTED_FILE}: ${s.check} accepts nothing any more; remove it`);
console.log(`checkov total: ${passed} passed, ${failed} failed, ${acceptedCount} accepted (skipped with a reason)`);
process.exit(failed || stale.length ? 1 : 0);
