import { ASSUMPTIONS, type AssumptionDefinition } from './assumptions';
import { NOT_COUNTED } from './estimate';
import type { Estimate, LineItem, Part } from './model';
import { PRICE_CATALOG } from './price-catalog';

/** Line items of one account and part, summed by resource type and price. */
export interface SummaryRow {
  readonly account: string;
  readonly part: Part;
  readonly type: string;
  readonly priceKey: string;
  readonly resources: number;
  /** The component when all lines share it, else the price's description. */
  readonly what: string;
  readonly quantity: number;
  readonly unit: string;
  readonly unitPrice: number;
  readonly usd: number;
}

const UNITS = 10_000;

export function summarize(lines: readonly LineItem[]): SummaryRow[] {
  const groups = new Map<string, LineItem[]>();
  for (const l of lines) {
    const key = `${l.account}|${l.part}|${l.type}|${l.priceKey}`;
    groups.set(key, [...(groups.get(key) ?? []), l]);
  }
  const accounts = [...new Set(lines.map((l) => l.account))];
  const rank = (ls: LineItem[]) => accounts.indexOf(ls[0].account);
  const groupsInOrder = [...groups.values()].sort((x, y) => rank(x) - rank(y) || x[0].type.localeCompare(y[0].type));
  return groupsInOrder.map((ls) => {
    const [first] = ls;
    const components = new Set(ls.map((l) => l.component));
    return {
      account: first.account, part: first.part, type: first.type, priceKey: first.priceKey,
      resources: new Set(ls.map((l) => l.address)).size,
      what: components.size === 1 ? first.component : PRICE_CATALOG[first.priceKey].description,
      quantity: ls.reduce((t, l) => t + l.quantity, 0),
      unit: first.unit, unitPrice: first.unitPrice,
      usd: ls.reduce((t, l) => t + Math.round(l.usd * UNITS), 0) / UNITS,
    };
  });
}

export const usd = (value: number, part: Part) => `$${value.toLocaleString('en-US', { minimumFractionDigits: part === 'idle' ? 2 : 4, maximumFractionDigits: part === 'idle' ? 2 : 4 })}`;
const qty = (q: number) => (q === 0 ? '0' : q >= 100 ? Math.round(q).toLocaleString('en-US') : q >= 1 ? String(Math.round(q * 100) / 100) : q.toPrecision(3));
/** Prices under a tenth of a cent read better per million units. */
const price = (p: number) => (p > 0 && p < 0.001 ? `$${Number((p * 1e6).toPrecision(4))}/M` : `$${p}`);
const mb = (bytes: number) => `${Math.round(bytes / 1e6)} MB`;

function accountLabel(e: Estimate, account: string): string {
  const a = e.totals.byAccount.find((x) => x.account === account);
  return `account ${account}${a?.side ? ` (${a.side})` : ''}: ${a?.stacks.join(', ')}`;
}

function assumptionLines(e: Estimate): string[] {
  return e.assumptionsUsed.map((k) => {
    const d: AssumptionDefinition = ASSUMPTIONS[k];
    return `${k}=${e.assumptions[k]} ${d.unit}: ${d.description}${e.assumptions[k] === d.default ? ` (default: ${d.basis})` : ' (set by --assume)'}`;
  });
}

const typeList = (xs: readonly { type: string; count: number }[]) => (xs.length ? xs.map((x) => `${x.type} ×${x.count}`).join(', ') : 'none');

/** The parked figure in words: what `xetl park` saves, or that the environment cannot park. */
export function parkedLine(e: Estimate): string {
  const figure = usd(e.totals.idleParkedMonthly, 'idle');
  return e.parkable
    ? `parked (xetl park: MWAA and interface endpoints deleted, trigger paused, data and state kept): ${figure} a month`
    : `parked: cannot park (config parkable is false); parked it would idle at ${figure} a month`;
}

export function runHeading(e: Estimate): string {
  const a = e.assumptions;
  return `one partition run (${a.partitionRows.toLocaleString('en-US')} rows, ${mb(a.partitionRows * a.csvBytesPerRow)} of CSV)`;
}

/** The terminal report; `detail` lists every resource instead of one row per type and price. */
export function renderText(e: Estimate, options: { detail?: boolean } = {}): string[] {
  const out: string[] = [];
  const regions = [...new Set(e.stacks.map((s) => s.region))].join(', ');
  out.push(`xetl cost: ${e.environment} (${regions}), ${e.stacks.length} stacks${e.parked ? ', priced as parked' : ''}`);
  out.push(`prices: snapshot of ${e.snapshot.date} (${e.snapshot.ageDays} days old): ${e.snapshot.source}`);
  const table = (part: Part) => {
    for (const acct of e.totals.byAccount) {
      out.push(`  ${accountLabel(e, acct.account)}`);
      const rows = options.detail
        ? e.lines.filter((l) => l.account === acct.account && l.part === part).map((l) => ({ label: `${l.address.replace(/_[0-9A-F]{8}$/, '')}`, what: l.component, quantity: l.quantity, unit: l.unit, unitPrice: l.unitPrice, usd: l.usd }))
        : summarize(e.lines).filter((r) => r.account === acct.account && r.part === part).map((r) => ({ label: `${r.type}${r.resources > 1 ? ` ×${r.resources}` : ''}`, what: r.what, quantity: r.quantity, unit: r.unit, unitPrice: r.unitPrice, usd: r.usd }));
      for (const r of rows) {
        out.push(`    ${r.label.padEnd(36)} ${r.what.slice(0, 58).padEnd(58)} ${`${qty(r.quantity)} ${r.unit}`.padStart(24)} × ${price(r.unitPrice).padEnd(9)} ${usd(r.usd, part).padStart(10)}`);
      }
      out.push(`    ${'subtotal'.padEnd(36)} ${''.padEnd(58)} ${''.padStart(24)}   ${''.padEnd(9)} ${usd(part === 'idle' ? acct.idleMonthly : acct.perRun, part).padStart(10)}`);
    }
  };
  out.push('', 'always on, per month');
  table('idle');
  out.push(`  total always on: ${usd(e.totals.idleMonthly, 'idle')} a month`);
  if (!e.parked) out.push(`  ${parkedLine(e)}`);
  out.push('', runHeading(e));
  table('run');
  out.push(`  total per run: ${usd(e.totals.perRun, 'run')}`);
  out.push('', `month at ${e.totals.runsPerMonth} runs: ${usd(e.totals.idleMonthly, 'idle')} + ${e.totals.runsPerMonth} × ${usd(e.totals.perRun, 'run')} = ${usd(e.totals.monthly, 'idle')}`);
  out.push('', `free (no charge of their own): ${typeList(e.free)}`);
  out.push(`counted in another resource: ${typeList(e.countedElsewhere)}`);
  out.push(`not priced (not in the totals): ${e.unpriced.length ? '' : 'none'}`);
  for (const u of e.unpriced) out.push(`  ${u.stack} ${u.address}: ${u.reason}`);
  out.push('', 'assumptions (xetl cost --assume name=value):', ...assumptionLines(e).map((l) => `  ${l}`));
  out.push('', `not counted: ${NOT_COUNTED.join('; ')}`);
  for (const w of e.warnings) out.push(`warning: ${w}`);
  return out;
}

/** A Markdown report: one table per part, accounts as sections; for docs and pull requests. */
export function renderMarkdown(e: Estimate, options: { heading?: string } = {}): string {
  const out: string[] = [];
  out.push(options.heading ?? `### \`${e.environment}\`: ${usd(e.totals.idleMonthly, 'idle')} a month always on, ${usd(e.totals.perRun, 'run')} per partition run`);
  out.push('');
  const table = (part: Part, total: number, label: string) => {
    out.push(`| account | resource | what | quantity | unit price | ${part === 'idle' ? 'USD/month' : 'USD/run'} |`, '|---|---|---|--:|--:|--:|');
    for (const r of summarize(e.lines).filter((x) => x.part === part)) {
      out.push(`| ${r.account} | \`${r.type}\`${r.resources > 1 ? ` ×${r.resources}` : ''} | ${r.what} | ${qty(r.quantity)} ${r.unit} | ${price(r.unitPrice)} | ${usd(r.usd, part)} |`);
    }
    for (const a of e.totals.byAccount) out.push(`| ${a.account} | | **subtotal${a.side ? ` (${a.side})` : ''}** | | | ${usd(part === 'idle' ? a.idleMonthly : a.perRun, part)} |`);
    out.push(`| | | **${label}** | | | **${usd(total, part)}** |`, '');
  };
  out.push('**Always on, per month**', '');
  table('idle', e.totals.idleMonthly, 'total always on');
  if (!e.parked) out.push(`${parkedLine(e).replace(/^p/, 'P')}.`, '');
  out.push(`**${runHeading(e).replace(/^o/, 'O')}**`, '');
  table('run', e.totals.perRun, 'total per run');
  out.push(`Month at ${e.totals.runsPerMonth} runs: ${usd(e.totals.monthly, 'idle')}.`, '');
  out.push('<details><summary>Assumptions, free and unpriced resources, prices</summary>', '');
  out.push(...assumptionLines(e).map((l) => `- ${l}`), '');
  out.push(`Free: ${typeList(e.free)}.`, '', `Counted in another resource: ${typeList(e.countedElsewhere)}.`, '');
  out.push(`Not priced: ${e.unpriced.length ? e.unpriced.map((u) => `\`${u.address}\` (${u.reason})`).join('; ') : 'none'}.`, '');
  out.push(`Not counted: ${NOT_COUNTED.join('; ')}.`, '');
  out.push(`Prices: snapshot of ${e.snapshot.date} (${e.snapshot.ageDays} days old). ${e.snapshot.source}`, '', '</details>', '');
  for (const w of e.warnings) out.push(`> [!WARNING]`, `> ${w}`, '');
  return out.join('\n');
}

export const COST_DOC_BEGIN = '<!-- generated by npx nx run cost:docs: begin -->';
export const COST_DOC_END = '<!-- generated by npx nx run cost:docs: end -->';

/**
 * The generated part of docs/cost.md: one summary row per environment, then each environment's
 * tables folded away. The snapshot's age is left out so the text only changes with the stacks,
 * the snapshot's figures or the assumptions.
 */
export function renderCostOverview(estimates: readonly Estimate[]): string {
  const out = [COST_DOC_BEGIN, ''];
  const [first] = estimates;
  if (first) out.push(`Prices: snapshot of ${first.snapshot.date}. ${runHeading(first).replace(/^o/, 'O')}, default assumptions.`, '');
  out.push('| environment | region | always on, a month | parked, a month | one partition run | month at 30 runs |', '|---|---|--:|--:|--:|--:|');
  for (const e of estimates) {
    const regions = [...new Set(e.stacks.map((s) => s.region))].join(', ');
    const parked = e.parkable ? usd(e.totals.idleParkedMonthly, 'idle') : `cannot park (${usd(e.totals.idleParkedMonthly, 'idle')})`;
    out.push(`| \`${e.environment}\` | ${regions} | ${usd(e.totals.idleMonthly, 'idle')} | ${parked} | ${usd(e.totals.perRun, 'run')} | ${usd(e.totals.monthly, 'idle')} |`);
  }
  out.push('');
  for (const e of estimates) {
    const heading = `\`${e.environment}\`: ${usd(e.totals.idleMonthly, 'idle')} a month always on, ${usd(e.totals.perRun, 'run')} per run`;
    const body = renderMarkdown({ ...e, warnings: [] }, { heading: '' }).trim().replace(/ \(\d+ days old\)/, '');
    out.push(`<details><summary>${heading}</summary>`, '', body, '', '</details>', '');
  }
  out.push(COST_DOC_END);
  return out.join('\n');
}

/** Replaces the generated block of a document; throws when its markers are missing. */
export function replaceCostOverview(doc: string, overview: string): string {
  const begin = doc.indexOf(COST_DOC_BEGIN);
  const end = doc.indexOf(COST_DOC_END);
  if (begin < 0 || end < begin) throw new Error(`the document has no ${COST_DOC_BEGIN} ... ${COST_DOC_END} block`);
  return doc.slice(0, begin) + overview + doc.slice(end + COST_DOC_END.length);
}
