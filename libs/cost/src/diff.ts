import type { Estimate, Part } from './model';
import { renderMarkdown, summarize, usd } from './render';

/** One summary row whose cost differs between the base (e.g. `main`) and the head. */
export interface CostChange {
  readonly part: Part;
  readonly account: string;
  readonly type: string;
  readonly what: string;
  readonly base: number;
  readonly head: number;
  readonly delta: number;
}

export interface CostDiff {
  readonly environment: string;
  readonly idleMonthly: { readonly base: number; readonly head: number; readonly delta: number };
  readonly perRun: { readonly base: number; readonly head: number; readonly delta: number };
  readonly monthly: { readonly base: number; readonly head: number; readonly delta: number };
  readonly changes: readonly CostChange[];
}

const UNITS = 10_000;
const minus = (x: number, y: number) => (Math.round(x * UNITS) - Math.round(y * UNITS)) / UNITS;
const pair = (base: number, head: number) => ({ base, head, delta: minus(head, base) });

/** Compares two estimates of one environment row by row (account, part, resource type, price). */
export function diffEstimates(base: Estimate, head: Estimate): CostDiff {
  const key = (r: { account: string; part: Part; type: string; priceKey: string }) => `${r.account}|${r.part}|${r.type}|${r.priceKey}`;
  const baseRows = new Map(summarize(base.lines).map((r) => [key(r), r]));
  const headRows = new Map(summarize(head.lines).map((r) => [key(r), r]));
  const changes: CostChange[] = [];
  for (const k of new Set([...baseRows.keys(), ...headRows.keys()])) {
    const b = baseRows.get(k);
    const h = headRows.get(k);
    const row = (h ?? b)!;
    const delta = minus(h?.usd ?? 0, b?.usd ?? 0);
    if (delta !== 0) changes.push({ part: row.part, account: row.account, type: row.type, what: row.what, base: b?.usd ?? 0, head: h?.usd ?? 0, delta });
  }
  changes.sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta));
  return {
    environment: head.environment,
    idleMonthly: pair(base.totals.idleMonthly, head.totals.idleMonthly),
    perRun: pair(base.totals.perRun, head.totals.perRun),
    monthly: pair(base.totals.monthly, head.totals.monthly),
    changes,
  };
}

export function signed(value: number, part: Part): string {
  if (value === 0) return '±$0';
  return `${value > 0 ? '+' : '−'}${usd(Math.abs(value), part)}`;
}

/**
 * The pull-request section of one environment: its totals, the difference from the base branch
 * and the rows that changed, then the full estimate folded away. Without a base estimate (a new
 * environment, or the base did not synthesize) it says so and shows the estimate alone.
 */
export function renderCostComment(head: Estimate, base: Estimate | undefined, options: { baseLabel?: string } = {}): string {
  const label = options.baseLabel ?? 'main';
  const out: string[] = [];
  const t = head.totals;
  if (!base) {
    out.push(`### Cost of \`${head.environment}\`: ${usd(t.idleMonthly, 'idle')} a month always on, ${usd(t.perRun, 'run')} per partition run`, '', `No estimate for \`${label}\` to compare with.`, '');
  } else {
    const d = diffEstimates(base, head);
    out.push(
      `### Cost of \`${head.environment}\`: ${usd(t.idleMonthly, 'idle')} a month always on (${signed(d.idleMonthly.delta, 'idle')} vs \`${label}\`), ${usd(t.perRun, 'run')} per partition run (${signed(d.perRun.delta, 'run')})`,
      '',
    );
    if (d.changes.length === 0) out.push(`No cost change from \`${label}\`.`, '');
    else {
      out.push(`| | account | resource | what | \`${label}\` | this PR | change |`, '|---|---|---|---|--:|--:|--:|');
      for (const c of d.changes) {
        out.push(`| ${c.part === 'idle' ? 'month' : 'run'} | ${c.account} | \`${c.type}\` | ${c.what} | ${usd(c.base, c.part)} | ${usd(c.head, c.part)} | ${signed(c.delta, c.part)} |`);
      }
      out.push('', `Month at ${t.runsPerMonth} runs: ${usd(d.monthly.head, 'idle')} (${signed(d.monthly.delta, 'idle')}).`, '');
    }
  }
  out.push('<details><summary>Full estimate</summary>', '', renderMarkdown(head, { heading: '' }).trim(), '', '</details>', '');
  return out.join('\n');
}
