import type { Naming } from '@xetl/config';
import { usageError } from './errors';

/**
 * The partition layout of docs/data-contract.md: one UTC day, typed `YYYY-MM-DD`, stored as
 * `products/year=YYYY/month=MM/day=DD/`.
 */
export interface Partition {
  readonly date: string;
  readonly year: string;
  readonly month: string;
  readonly day: string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parsePartition(text: string, flag = '--date'): Partition {
  const m = DATE.exec(text ?? '');
  const parsed = m ? new Date(`${text}T00:00:00Z`) : undefined;
  const valid = parsed && !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(text);
  if (!m || !valid) throw usageError(`${flag} must be a real calendar day as YYYY-MM-DD, got "${text}"`);
  return { date: text, year: m[1], month: m[2], day: m[3] };
}

/** Today in UTC: a drop at 23:30 in New York still belongs to the UTC day the pipeline uses. */
export function todayUtc(now: Date): Partition {
  return parsePartition(now.toISOString().slice(0, 10));
}

/** `products/year=YYYY/month=MM/day=DD/` — with the trailing slash. */
export function partitionPrefix(names: Naming, p: Partition): string {
  return `${names.productsPrefix}/year=${p.year}/month=${p.month}/day=${p.day}/`;
}

/** The producer's completion marker; the event-driven trigger keys on it (docs/operations.md). */
export const MARKER_NAME = '_SUCCESS';

export function markerKey(names: Naming, p: Partition): string {
  return `${partitionPrefix(names, p)}${MARKER_NAME}`;
}
