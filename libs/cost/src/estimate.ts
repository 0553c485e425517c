import * as fs from 'node:fs';
import * as path from 'node:path';
import { PARKED_COUNT } from '@xetl/config';
import { ASSUMPTIONS, DEFAULT_ASSUMPTIONS, type AssumptionName, type Assumptions } from './assumptions';
import type { AccountTotals, Estimate, LineItem, TypeCount, UnpricedResource, UsedPrice } from './model';
import { PRICE_CATALOG } from './price-catalog';
import { COUNTED_IN_TYPES, FREE_TYPES, PRICERS, type PricingContext } from './pricers';
import { STALE_AFTER_DAYS, snapshotAgeDays, type PriceSnapshot } from './snapshot';
import type { DataBuckets, StackInput } from './stacks';

export interface EstimateInput {
  readonly environment: string;
  readonly stacks: readonly StackInput[];
  readonly snapshot: PriceSnapshot;
  readonly assumptions?: Assumptions;
  readonly dataBuckets?: DataBuckets;
  readonly now?: Date;
  /**
   * Price the stacks as while parked (`xetl park`): resources whose count is the park switch's
   * (`PARKED_COUNT`) are gone and the trigger's event source mapping polls nothing.
   * @default false — as deployed and unparked
   */
  readonly parked?: boolean;
}

/** What the estimate leaves out, printed with every estimate so nobody mistakes it for a bill. */
export const NOT_COUNTED: readonly string[] = [
  'free tiers (the estimate prices every request and GB from the first)',
  'interface endpoint data processing ($0.01/GB; a run sends a few MB through endpoints)',
  'data transfer across AZs and the VPC peering (a run moves tens of MB)',
  'noncurrent object versions kept by the lifecycle rules after a partition is replaced',
  'taxes, support plans, savings plans and credits',
];

/** Money in ten-thousandths of a dollar, so totals are exact sums of the rounded line items. */
const UNITS = 10_000;
const toUnits = (usd: number) => Math.round(usd * UNITS);
const fromUnits = (units: number) => units / UNITS;
/** Idle lines are rounded to cents, run lines to hundredths of a cent. */
function roundLine(usd: number, part: 'idle' | 'run'): number {
  return part === 'idle' ? Math.round(usd * 100) / 100 : Math.round(usd * UNITS) / UNITS;
}
const sum = (xs: readonly number[]) => fromUnits(xs.reduce((t, x) => t + toUnits(x), 0));

/**
 * How many instances a resource block makes: `count` and `for_each` when literal, and the park
 * switch's count (one unparked, none parked); any other expression cannot be evaluated here.
 */
function instances(attrs: Record<string, unknown>, parked: boolean): number | string {
  if (attrs.count === PARKED_COUNT) return parked ? 0 : 1;
  if (attrs.count !== undefined) return typeof attrs.count === 'number' ? attrs.count : 'count is an expression the estimator cannot evaluate';
  if (attrs.for_each !== undefined) {
    if (Array.isArray(attrs.for_each)) return attrs.for_each.length;
    if (attrs.for_each && typeof attrs.for_each === 'object') return Object.keys(attrs.for_each).length;
    return 'for_each is an expression the estimator cannot evaluate';
  }
  return 1;
}

function tally(entries: { type: string; reason: string }[]): TypeCount[] {
  const byType = new Map<string, TypeCount>();
  for (const e of entries) {
    const prev = byType.get(e.type);
    byType.set(e.type, { type: e.type, count: (prev?.count ?? 0) + 1, reason: prev?.reason ?? e.reason });
  }
  return [...byType.values()].sort((x, y) => x.type.localeCompare(y.type));
}

function defaultFileSize(stack: StackInput, relativePath: string): number | undefined {
  if (!stack.dir) return undefined;
  try {
    return fs.statSync(path.resolve(stack.dir, relativePath)).size;
  } catch {
    return undefined;
  }
}

/**
 * Prices every resource of the stacks: always-on cost per month and the cost of one partition
 * run, per line item and per account; free, counted-elsewhere and unpriced resources listed by
 * type. A price missing from the snapshot makes its component unpriced, never zero.
 */
export function estimate(input: EstimateInput, options: { fileSize?: PricingContext['fileSize'] } = {}): Estimate {
  const a = input.assumptions ?? DEFAULT_ASSUMPTIONS;
  const parked = input.parked ?? false;
  const ctx: PricingContext = { a, dataBuckets: input.dataBuckets ?? {}, fileSize: options.fileSize ?? defaultFileSize, parked };
  let parkable = false;
  const lines: LineItem[] = [];
  const freeEntries: { type: string; reason: string }[] = [];
  const countedEntries: { type: string; reason: string }[] = [];
  const unpriced: UnpricedResource[] = [];
  const used = new Map<string, UsedPrice>();
  const assumptionsUsed = new Set<AssumptionName>(['runsPerMonth']);

  for (const stack of input.stacks) {
    const regionPrices = input.snapshot.regions[stack.region] ?? {};
    for (const type of Object.keys(stack.resources).sort()) {
      for (const [name, attrs] of Object.entries(stack.resources[type])) {
        const address = `${type}.${name}`;
        if ((attrs as Record<string, unknown>).count === PARKED_COUNT) parkable = true;
        const n = instances(attrs as Record<string, unknown>, parked);
        if (typeof n === 'string') {
          unpriced.push({ address, type, stack: stack.name, reason: n });
          continue;
        }
        if (n === 0) continue;
        if (FREE_TYPES[type]) {
          freeEntries.push({ type, reason: FREE_TYPES[type] });
          continue;
        }
        if (COUNTED_IN_TYPES[type]) {
          countedEntries.push({ type, reason: COUNTED_IN_TYPES[type] });
          continue;
        }
        const pricer = PRICERS[type];
        if (!pricer) {
          unpriced.push({ address, type, stack: stack.name, reason: 'resource type unknown to the estimator' });
          continue;
        }
        const outcome = pricer({ stack, type, name, attrs, address }, ctx);
        if (outcome.kind === 'free') freeEntries.push({ type, reason: outcome.reason });
        else if (outcome.kind === 'counted-in') countedEntries.push({ type, reason: outcome.reason });
        else if (outcome.kind === 'unpriced') unpriced.push({ address, type, stack: stack.name, reason: outcome.reason });
        else {
          for (const d of outcome.drafts) {
            const def = PRICE_CATALOG[d.priceKey];
            const entry = regionPrices[d.priceKey];
            if (!def || !entry) {
              unpriced.push({ address, type, stack: stack.name, reason: `${d.component}: no price ${d.priceKey} for ${stack.region} in the snapshot` });
              continue;
            }
            used.set(`${stack.region}/${d.priceKey}`, { region: stack.region, key: d.priceKey, usd: entry.usd, unit: def.unit, basis: entry.basis, asOf: entry.asOf, source: entry.source });
            d.uses?.forEach((u) => assumptionsUsed.add(u));
            // 12 significant digits: enough for any bill, and no 25.200000000000003 in the JSON.
            const quantity = Number((d.quantity * n).toPrecision(12));
            lines.push({
              stack: stack.name, account: stack.account, region: stack.region, address, type,
              component: n > 1 ? `${d.component} (× ${n})` : d.component,
              part: d.part, quantity, unit: def.unit, priceKey: d.priceKey, unitPrice: entry.usd,
              usd: roundLine(quantity * entry.usd, d.part), parkable: outcome.parkable ?? false,
            });
          }
        }
      }
    }
  }

  const idle = lines.filter((l) => l.part === 'idle');
  const run = lines.filter((l) => l.part === 'run');
  const idleMonthly = sum(idle.map((l) => l.usd));
  const perRun = sum(run.map((l) => l.usd));
  const byAccount: AccountTotals[] = [...new Set(input.stacks.map((s) => s.account))].map((account) => {
    const stacks = input.stacks.filter((s) => s.account === account);
    const sides = [...new Set(stacks.map((s) => s.side).filter(Boolean))];
    return {
      account,
      side: sides.length === 1 ? sides[0] : undefined,
      stacks: stacks.map((s) => s.name),
      idleMonthly: sum(idle.filter((l) => l.account === account).map((l) => l.usd)),
      perRun: sum(run.filter((l) => l.account === account).map((l) => l.usd)),
    };
  });

  const now = input.now ?? new Date();
  const ageDays = snapshotAgeDays(input.snapshot, now);
  const stale = ageDays > STALE_AFTER_DAYS;
  const prices = [...used.values()].sort((x, y) => `${x.region}/${x.key}`.localeCompare(`${y.region}/${y.key}`));
  const warnings: string[] = [];
  if (stale) warnings.push(`the price snapshot is ${ageDays} days old (dated ${input.snapshot.date}, more than ${STALE_AFTER_DAYS}); refresh it: npx nx run cost:refresh-prices`);
  const handEntered = prices.filter((p) => p.basis === 'hand-entered');
  const carried = prices.filter((p) => p.basis === 'carried-over');
  if (handEntered.length + carried.length) {
    const list = (ps: UsedPrice[]) => ps.map((p) => `${p.region}/${p.key}`).join(', ');
    const parts = [
      ...(handEntered.length ? [`${handEntered.length} hand-entered (${list(handEntered)})`] : []),
      ...(carried.length ? [`${carried.length} carried over from another region (${list(carried)})`] : []),
    ];
    warnings.push(`${handEntered.length + carried.length} of ${prices.length} prices used are not confirmed by the Price List API: ${parts.join(', ')}; refresh with credentials to replace them`);
  }
  if (unpriced.length) warnings.push(`${unpriced.length} resources or components are not priced and not in the totals (see "not priced")`);

  return {
    environment: input.environment,
    stacks: input.stacks.map((s) => ({ name: s.name, account: s.account, region: s.region, side: s.side })),
    snapshot: { date: input.snapshot.date, source: input.snapshot.source, ageDays, stale },
    parkable,
    parked,
    assumptions: a,
    assumptionsUsed: (Object.keys(ASSUMPTIONS) as AssumptionName[]).filter((k) => assumptionsUsed.has(k)),
    lines,
    totals: {
      idleMonthly,
      idleParkedMonthly: sum(idle.filter((l) => !l.parkable).map((l) => l.usd)),
      perRun,
      runsPerMonth: a.runsPerMonth,
      monthly: Math.round((idleMonthly + a.runsPerMonth * perRun) * 100) / 100,
      byAccount,
    },
    free: tally(freeEntries),
    countedElsewhere: tally(countedEntries),
    unpriced,
    prices,
    warnings,
  };
}
