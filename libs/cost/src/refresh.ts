/**
 * Refreshes the price snapshot from the AWS Price List API (`pricing:GetProducts`). Each key of
 * the price catalog is looked up per region with its matcher; a key whose matcher finds no
 * product, several products at different prices, or a different unit keeps its old figure and
 * is reported, so a refresh never writes a price it is unsure of.
 */
import { PRICE_CATALOG, type PriceListMatcher } from './price-catalog';
import type { PriceEntry, PriceSnapshot } from './snapshot';

export interface GetProductsInput {
  readonly ServiceCode: string;
  readonly Filters: { readonly Type: 'TERM_MATCH'; readonly Field: string; readonly Value: string }[];
  readonly FormatVersion: 'aws_v1';
  readonly NextToken?: string;
  readonly MaxResults?: number;
}
/** The part of a GetProducts response the refresh reads: each PriceList item is a JSON document. */
export interface GetProductsOutput {
  readonly PriceList?: readonly unknown[];
  readonly NextToken?: string;
}
export type GetProducts = (input: GetProductsInput) => Promise<GetProductsOutput>;

/** One product's on-demand price, as read from a Price List item. */
export interface ProductPrice {
  readonly sku: string;
  readonly usagetype: string;
  readonly unit: string;
  readonly usd: number;
  readonly description: string;
}

interface PriceDimension { unit?: string; beginRange?: string; description?: string; pricePerUnit?: { USD?: string } }
interface PriceListItem {
  product?: { sku?: string; attributes?: Record<string, string> };
  terms?: { OnDemand?: Record<string, { priceDimensions?: Record<string, PriceDimension> }> };
}

/**
 * The on-demand price of a Price List item. Tiered prices give their first tier that costs
 * something: free tiers are left out on purpose (the estimate prices usage from the first unit).
 */
export function productPrice(item: unknown): ProductPrice | undefined {
  const doc = (typeof item === 'string' ? JSON.parse(item) : item) as PriceListItem;
  const usagetype = doc.product?.attributes?.usagetype;
  const terms = Object.values(doc.terms?.OnDemand ?? {});
  if (!usagetype || terms.length === 0) return undefined;
  const dims = Object.values(terms[0].priceDimensions ?? {})
    .map((d) => ({ ...d, usd: Number(d.pricePerUnit?.USD), begin: Number(d.beginRange ?? 0) }))
    .filter((d) => Number.isFinite(d.usd))
    .sort((x, y) => x.begin - y.begin);
  const chosen = dims.find((d) => d.usd > 0) ?? dims[0];
  if (!chosen) return undefined;
  return { sku: doc.product?.sku ?? '', usagetype, unit: chosen.unit ?? '', usd: chosen.usd, description: chosen.description ?? '' };
}

/** Units compare without case, punctuation or the Hours/Hrs spelling difference. */
export function sameUnit(x: string, y: string): boolean {
  const norm = (u: string) => u.toLowerCase().replace(/[^a-z0-9]/g, '').replace(/^hours?$/, 'hrs').replace(/month$/, 'mo');
  return norm(x) === norm(y);
}

async function allProducts(getProducts: GetProducts, matcher: PriceListMatcher, region: string): Promise<unknown[]> {
  const Filters: GetProductsInput['Filters'] = [
    { Type: 'TERM_MATCH', Field: 'regionCode', Value: region },
    ...Object.entries(matcher.attributes ?? {}).map(([Field, Value]) => ({ Type: 'TERM_MATCH' as const, Field, Value })),
  ];
  const items: unknown[] = [];
  let NextToken: string | undefined;
  for (let page = 0; page < 50; page++) {
    const out = await getProducts({ ServiceCode: matcher.serviceCode, Filters, FormatVersion: 'aws_v1', MaxResults: 100, ...(NextToken ? { NextToken } : {}) });
    items.push(...(out.PriceList ?? []));
    NextToken = out.NextToken;
    if (!NextToken) break;
  }
  return items;
}

export type LookupResult = { readonly ok: true; readonly price: ProductPrice } | { readonly ok: false; readonly problem: string };

/** Looks up one catalog key in one region. */
export async function lookupPrice(getProducts: GetProducts, region: string, key: string, cache = new Map<string, Promise<unknown[]>>()): Promise<LookupResult> {
  const def = PRICE_CATALOG[key];
  if (!def) return { ok: false, problem: `${key}: not in the price catalog` };
  // Keys of one service and filter set share one paginated query.
  const query = JSON.stringify([region, def.priceList.serviceCode, def.priceList.attributes ?? {}]);
  if (!cache.has(query)) cache.set(query, allProducts(getProducts, def.priceList, region));
  const matched = (await cache.get(query)!)
    .map(productPrice)
    .filter((p): p is ProductPrice => p !== undefined && def.priceList.usagetype.test(p.usagetype));
  if (matched.length === 0) return { ok: false, problem: `${region}/${key}: no ${def.priceList.serviceCode} product has a usage type matching ${def.priceList.usagetype}` };
  const distinct = [...new Set(matched.map((p) => p.usd))];
  if (distinct.length > 1) {
    return { ok: false, problem: `${region}/${key}: ${matched.length} products match with different prices (${matched.map((p) => `${p.usagetype} $${p.usd}`).join(', ')}); narrow the matcher` };
  }
  const [price] = matched;
  if (!sameUnit(price.unit, def.unit)) return { ok: false, problem: `${region}/${key}: the Price List prices it per "${price.unit}", the catalog per "${def.unit}"` };
  return { ok: true, price };
}

export interface RefreshResult {
  readonly snapshot: PriceSnapshot;
  readonly refreshed: readonly string[];
  readonly changed: readonly { readonly key: string; readonly from: number; readonly to: number }[];
  readonly problems: readonly string[];
}

/**
 * Looks up every catalog key in every region and returns the new snapshot. Its date is the
 * oldest figure's date, so a partial refresh does not make old figures look new.
 */
export async function refreshSnapshot(old: PriceSnapshot, getProducts: GetProducts, options: { regions: readonly string[]; today: string }): Promise<RefreshResult> {
  const regions: Record<string, Record<string, PriceEntry>> = {};
  const refreshed: string[] = [];
  const changed: { key: string; from: number; to: number }[] = [];
  const problems: string[] = [];
  const cache = new Map<string, Promise<unknown[]>>();
  for (const region of [...options.regions].sort()) {
    const prices: Record<string, PriceEntry> = { ...(old.regions[region] ?? {}) };
    for (const key of Object.keys(PRICE_CATALOG).sort()) {
      const result = await lookupPrice(getProducts, region, key, cache);
      if (!result.ok) {
        problems.push(result.problem);
        continue;
      }
      const before = prices[key];
      prices[key] = { usd: result.price.usd, basis: 'price-list-api', asOf: options.today, source: `AWS Price List API, ${PRICE_CATALOG[key].priceList.serviceCode} ${result.price.usagetype}`, sku: result.price.sku };
      refreshed.push(`${region}/${key}`);
      if (before && before.usd !== result.price.usd) changed.push({ key: `${region}/${key}`, from: before.usd, to: result.price.usd });
    }
    regions[region] = Object.fromEntries(Object.entries(prices).sort(([x], [y]) => x.localeCompare(y)));
  }
  for (const [region, prices] of Object.entries(old.regions)) regions[region] ??= prices as Record<string, PriceEntry>;
  const dates = Object.values(regions).flatMap((r) => Object.values(r).map((e) => e.asOf)).sort();
  const allRefreshed = problems.length === 0;
  return {
    snapshot: {
      date: dates[0] ?? options.today,
      source: allRefreshed
        ? `AWS Price List API (on-demand, USD), refreshed ${options.today}.`
        : `AWS Price List (on-demand, USD): ${refreshed.length} figures from the Price List API on ${options.today}, the others as before (see each price's basis).`,
      currency: 'USD',
      regions: Object.fromEntries(Object.entries(regions).sort(([x], [y]) => x.localeCompare(y))),
    },
    refreshed,
    changed,
    problems,
  };
}
