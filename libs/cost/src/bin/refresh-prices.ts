/**
 * refresh-prices.ts [--snapshot <file>] [--region <r>]... [--dry-run]
 *
 * Rewrites the price snapshot from the AWS Price List API for every region of xetl.config.ts
 * (and any region already in the snapshot). Needs credentials allowed `pricing:GetProducts`;
 * the API answers in us-east-1. Keys it cannot match keep their figure and are listed; the exit
 * code is 3 when any were left, 2 when nothing could be asked.
 *
 *   npx nx run cost:refresh-prices
 *   npx nx run cost:refresh-prices -- --dry-run
 */
import * as fs from 'node:fs';
import { PricingClient } from '@aws-sdk/client-pricing';
import { loadConfig } from '@xetl/config';
import { sdkGetProducts } from '../pricing-client';
import { refreshSnapshot } from '../refresh';
import { DEFAULT_SNAPSHOT_PATH, loadSnapshot } from '../snapshot';

function args(name: string): string[] {
  return process.argv.flatMap((a, i, all) => (a === name && all[i + 1] ? [all[i + 1]] : []));
}

async function main(): Promise<number> {
  const file = args('--snapshot')[0] ?? DEFAULT_SNAPSHOT_PATH;
  const old = loadSnapshot(file);
  const regions = [...new Set([...args('--region'), ...(args('--region').length ? [] : [...loadConfig().environments.map((e) => e.region), ...Object.keys(old.regions)])])];
  const getProducts = sdkGetProducts(new PricingClient({ region: 'us-east-1' }));
  let result;
  try {
    result = await refreshSnapshot(old, getProducts, { regions, today: new Date().toISOString().slice(0, 10) });
  } catch (err) {
    const e = err as Error;
    if (e.name === 'CredentialsProviderError') {
      console.error('refresh-prices: no AWS credentials; the refresh needs pricing:GetProducts. The checked-in snapshot is unchanged.');
    } else {
      console.error(`refresh-prices: ${e.name}: ${e.message.split('\n')[0]}. The checked-in snapshot is unchanged.`);
    }
    return 2;
  }
  for (const c of result.changed) console.log(`changed ${c.key}: $${c.from} -> $${c.to}`);
  for (const p of result.problems) console.error(`not refreshed: ${p}`);
  console.log(`refresh-prices: ${result.refreshed.length} prices from the Price List API, ${result.changed.length} changed, ${result.problems.length} not refreshed (regions ${regions.join(', ')})`);
  if (!process.argv.includes('--dry-run')) {
    fs.writeFileSync(file, JSON.stringify(result.snapshot, null, 2) + '\n');
    console.log(`wrote ${file} (snapshot date ${result.snapshot.date})`);
  }
  return result.problems.length ? 3 : 0;
}

main().then((code) => {
  process.exitCode = code;
});
