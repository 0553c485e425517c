/**
 * `nx run infra:plan`: terraform plan of every synthesized stack against moto_server on loopback.
 * One emulator per account, because each stack's provider is pinned to its account. A stack with
 * a park switch is planned a second time with the switch on ("true" in the emulator's SSM), as
 * after `xetl park`: everything but what parks is created, and the trigger's mapping is disabled.
 */
import { startMotoServer } from '../moto-server';
import { listSynthesizedStacks, parkParameterOf, parkedResourceCount, planStack, putEmulatorParameter } from '../stack-runs';

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
          const parameter = parkParameterOf(stack);
          if (!parameter) continue;
          if (!p.mappingsEnabled.every((e) => e === true)) throw new Error(`unparked, every event source mapping should be enabled, got ${JSON.stringify(p.mappingsEnabled)}`);
          const region = String(stack.json.provider?.aws?.[0]?.region);
          await putEmulatorParameter(moto.endpoint, region, parameter, 'true');
          try {
            const parked = planStack(stack, moto.endpoint, 'plan-parked');
            const parks = parkedResourceCount(stack);
            if (parked.create !== declared - parks || parked.update + parked.delete > 0 || !parked.mappingsEnabled.every((e) => e === false)) {
              throw new Error(`parked (${parameter} = true): expected +${declared - parks} (all but the ${parks} that park) with every mapping disabled, got +${parked.create} ~${parked.update} -${parked.delete}, mappings enabled ${JSON.stringify(parked.mappingsEnabled)}`);
            }
            console.log(`plan ok        ${stack.name} parked: +${parked.create} to create, ${parks} parked, trigger mapping disabled (${parked.seconds.toFixed(1)} s)`);
          } finally {
            await putEmulatorParameter(moto.endpoint, region, parameter, undefined);
          }
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
