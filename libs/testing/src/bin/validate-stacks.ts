/**
 * `nx run infra:validate`: terraform validate, with the real aws provider, on every synthesized stack.
 */
import { listSynthesizedStacks, validateStack } from '../stack-runs';

const stacks = listSynthesizedStacks();
let failed = 0;
for (const stack of stacks) {
  try {
    const r = validateStack(stack);
    console.log(`validate ok    ${stack.name} (${r.seconds.toFixed(1)} s)`);
  } catch (err) {
    failed++;
    console.error(`validate FAILED ${stack.name}\n${(err as Error).message}`);
  }
}
console.log(`terraform validate: ${stacks.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
