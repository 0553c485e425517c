import * as fs from 'node:fs';
import * as path from 'node:path';
import { CostError } from './errors';
import { PRICE_CATALOG } from './price-catalog';

/**
 * Where a figure comes from:
 * - `price-list-api`: written by the refresh script from the AWS Price List API.
 * - `cross-checked`: hand-entered and matching a stored copy of Price List data (`crossCheck`).
 * - `hand-entered`: typed from the public pricing page, not cross-checked.
 * - `carried-over`: no figure was found for this region; another region's figure stands in
 *   (`carriedFrom`) until a refresh replaces it.
 */
export type PriceBasis = 'price-list-api' | 'cross-checked' | 'hand-entered' | 'carried-over';

export interface PriceEntry {
  /** USD per `unit` of the price catalog. */
  readonly usd: number;
  readonly basis: PriceBasis;
  /** The day the figure was entered or refreshed (YYYY-MM-DD). */
  readonly asOf: string;
  /** The page or API the figure comes from. */
  readonly source: string;
  /** A stored copy of Price List data that agrees with the figure. */
  readonly crossCheck?: string;
  /** For `carried-over`: the region whose figure stands in. */
  readonly carriedFrom?: string;
  /** Price List SKU, for refreshed figures. */
  readonly sku?: string;
}

export interface PriceSnapshot {
  /** The day the snapshot was built or last refreshed (YYYY-MM-DD); its age triggers a warning. */
  readonly date: string;
  /** What the figures are: the AWS Price List, and how they got here. */
  readonly source: string;
  readonly currency: 'USD';
  readonly regions: Readonly<Record<string, Readonly<Record<string, PriceEntry>>>>;
}

/** A snapshot older than this many days makes every estimate carry a warning. */
export const STALE_AFTER_DAYS = 90;

/** The checked-in snapshot, refreshed by `npx nx run cost:refresh-prices`. */
export const DEFAULT_SNAPSHOT_PATH = path.resolve(__dirname, '../prices/aws-price-snapshot.json');

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const BASES: readonly PriceBasis[] = ['price-list-api', 'cross-checked', 'hand-entered', 'carried-over'];

/** Problems of a snapshot's shape, one line each; an empty list for a good snapshot. */
export function snapshotProblems(value: unknown): string[] {
  const s = value as PriceSnapshot;
  const problems: string[] = [];
  if (typeof s !== 'object' || s === null) return ['the snapshot is not a JSON object'];
  if (typeof s.date !== 'string' || !DATE.test(s.date)) problems.push('date must be YYYY-MM-DD');
  if (typeof s.source !== 'string' || !s.source) problems.push('source is missing');
  if (s.currency !== 'USD') problems.push('currency must be USD');
  if (typeof s.regions !== 'object' || s.regions === null) return [...problems, 'regions is missing'];
  for (const [region, prices] of Object.entries(s.regions)) {
    for (const [key, e] of Object.entries(prices)) {
      const where = `regions.${region}.${key}`;
      if (!PRICE_CATALOG[key]) problems.push(`${where}: not a key of the price catalog`);
      if (typeof e.usd !== 'number' || !Number.isFinite(e.usd) || e.usd < 0) problems.push(`${where}.usd must be a number >= 0`);
      if (!BASES.includes(e.basis)) problems.push(`${where}.basis must be one of ${BASES.join(', ')}`);
      if (typeof e.asOf !== 'string' || !DATE.test(e.asOf)) problems.push(`${where}.asOf must be YYYY-MM-DD`);
      if (typeof e.source !== 'string' || !e.source) problems.push(`${where}.source is missing`);
      if (e.basis === 'carried-over' && !e.carriedFrom) problems.push(`${where}: carried-over needs carriedFrom`);
    }
  }
  return problems;
}

export function loadSnapshot(file: string = DEFAULT_SNAPSHOT_PATH): PriceSnapshot {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CostError(`cannot read the price snapshot ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  const problems = snapshotProblems(value);
  if (problems.length) throw new CostError(`price snapshot ${file}: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`);
  return value as PriceSnapshot;
}

/** Whole days from the snapshot's date to `now` (UTC). */
export function snapshotAgeDays(snapshot: PriceSnapshot, now: Date): number {
  return Math.floor((now.getTime() - Date.parse(`${snapshot.date}T00:00:00Z`)) / 86_400_000);
}
