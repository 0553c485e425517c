/**
 * `nx run infra:plan`: terraform plan of every synthesized stack against moto_server on loopback.
 * One emulator per account, because each stack's provider is pinned to its account.
 */
import { startMotoServer } from '../moto-server';
import { listSynthesizedStacks, planStack } from '../stack-runs';

async function main(): Promise<number> {
  const stacks = listSynthesizedStacks();
  const byAccount = new Map<string, typeof stacks>();
  for (const s of stacks) byAccount.set(s.accountId, [...(byAccount.get(s.accountId) ?? []), s]);
  let failed = 0;
  for (const [accountId, group] of byAccount) {
    const moto = await startMotoServer(accountId);
    try {
      for (const stack of group) {
        try {
          const p = planStack(stack, moto.endpoint);
          const declared = Object.values(stack.json.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
          if (p.create !== declared || p.update + p.delete > 0) {
            throw new Error(`expected to create all ${declared} resources from empty state, got +${p.create} ~${p.update} -${p.delete}`);
          }
          console.log(`plan ok        ${stack.name}: +${p.create} to create (${p.seconds.toFixed(1)} s, account ${accountId})`);
        } catch (err) {
          failed++;
          console.error(`plan FAILED    ${stack.name}\n${(err as Error).message}`);
        }
      }
    } finally {
      await moto.stop();
    }
  }
  console.log(`terraform plan against the emulator: ${stacks.length - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(1);
});
