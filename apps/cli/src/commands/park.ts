import * as path from 'node:path';
import { dataBuckets, estimate, loadSnapshot, readEnvironmentStacks } from '@xetl/cost';
import { EXIT, park, renderPark, requireParkable, unpark, type OpsContext, type ParkAction } from '@xetl/ops';
import { REPO_ROOT, printJson, wholeNumber, type Command, type Values } from '../command';
import { TerraformStackDeployer } from '../stack-deployer';

/** What parking saves a month by `xetl cost` on cdktf.out; null when it is not synthesized. */
function monthlySaving(ctx: OpsContext): number | null {
  try {
    const e = estimate({
      environment: ctx.env.name, stacks: readEnvironmentStacks(path.join(REPO_ROOT, 'cdktf.out'), ctx.env),
      snapshot: loadSnapshot(), dataBuckets: dataBuckets(ctx.env),
    });
    return Math.round((e.totals.idleMonthly - e.totals.idleParkedMonthly) * 100) / 100;
  } catch {
    return null;
  }
}

/** `xetl park` and `xetl unpark`: one command each, the same shape (docs/operations.md). */
export function parkCommandFor(action: ParkAction): Command {
  const unparking = action === 'unpark';
  return {
    summary: unparking
      ? 'bring a parked environment back: MWAA and the interface endpoints, the trigger, the pool'
      : 'delete an idle environment\'s MWAA and interface endpoints, keep data and state (parkable only)',
    usage: `xetl ${action} --env <name> [--dry-run]${unparking ? ' [--wait-minutes N]' : ''}`,
    // A parkable environment is checked in account B; any other is refused before any AWS call.
    account: (ctx) => (ctx.env.parkable ? 'analytics' : undefined),
    options: { 'dry-run': { type: 'boolean' }, ...(unparking ? { 'wait-minutes': { type: 'string' } } : {}) },
    optionHelp: [
      '--dry-run               check and print what would happen; change nothing',
      ...(unparking ? ['--wait-minutes N        how long to wait for MWAA to be AVAILABLE (default 60)'] : []),
    ],
    examples: unparking
      ? [`xetl unpark --env dev --dry-run`, `xetl unpark --env dev`]
      : [`xetl park --env dev --dry-run`, `xetl park --env dev`, `xetl cost --env dev --parked   # what dev costs parked`],
    validate: (v: Values) => void (unparking && wholeNumber(v, 'wait-minutes', 60, 1, 240)),
    async run(ctx, v, _p, io) {
      requireParkable(ctx, action);
      const deployer = new TerraformStackDeployer({ repoRoot: REPO_ROOT, names: ctx.names, profile: ctx.clients.options.profile });
      const options = {
        deployer,
        dryRun: Boolean(v['dry-run']),
        waitTimeoutMs: wholeNumber(v, 'wait-minutes', 60, 1, 240) * 60_000,
        onProgress: (line: string) => io.err(`${action}: ${line}`),
        monthlySaving: () => monthlySaving(ctx),
      };
      const r = unparking ? await unpark(ctx, options) : await park(ctx, options);
      if (v.json) printJson(io, r);
      else renderPark(r).forEach((l) => io.out(l));
      return EXIT.ok;
    },
  };
}

export const parkCommand = parkCommandFor('park');
