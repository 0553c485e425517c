import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '@xetl/config';
import { CostError } from './errors';
import { PRICE_CATALOG } from './price-catalog';
import { DEFAULT_SNAPSHOT_PATH, loadSnapshot, snapshotProblems } from './snapshot';

describe('the checked-in price snapshot', () => {
  const snapshot = loadSnapshot();
  const regions = Object.keys(snapshot.regions);

  test('has a date, the Price List as source, and no shape problem', () => {
    expect(snapshotProblems(snapshot)).toEqual([]);
    expect(snapshot.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(snapshot.source).toMatch(/AWS Price List/);
  });

  test('covers every region of xetl.config.ts with every key of the price catalog', () => {
    for (const region of new Set(loadConfig().environments.map((e) => e.region))) {
      expect({ region, missing: Object.keys(PRICE_CATALOG).filter((k) => !snapshot.regions[region]?.[k]) }).toEqual({ region, missing: [] });
    }
  });

  test('every figure names its page, and cross-checked and carried-over figures name their evidence', () => {
    for (const region of regions) {
      for (const [key, e] of Object.entries(snapshot.regions[region])) {
        expect({ key, source: e.source.startsWith('https://') || e.source.startsWith('AWS Price List API') }).toEqual({ key, source: true });
        if (e.basis === 'cross-checked') expect({ key, crossCheck: /^https:\/\//.test(e.crossCheck ?? '') }).toEqual({ key, crossCheck: true });
        if (e.basis === 'carried-over') expect({ key, usd: e.usd }).toEqual({ key, usd: snapshot.regions[e.carriedFrom!][key].usd });
      }
    }
  });

  test('the default path is the file in libs/cost/prices', () => {
    expect(path.relative(path.resolve(__dirname, '../../..'), DEFAULT_SNAPSHOT_PATH)).toBe(path.join('libs', 'cost', 'prices', 'aws-price-snapshot.json'));
  });
});

describe('snapshot validation', () => {
  const good = { date: '2026-01-01', source: 's', currency: 'USD', regions: { 'us-east-1': { 'kms.key.month': { usd: 1, basis: 'hand-entered', asOf: '2026-01-01', source: 'https://x' } } } };

  test('names each problem with its field', () => {
    expect(snapshotProblems(good)).toEqual([]);
    expect(snapshotProblems({ ...good, date: '1 Jan', currency: 'EUR' })).toEqual(['date must be YYYY-MM-DD', 'currency must be USD']);
    expect(snapshotProblems({ ...good, regions: { 'us-east-1': { 'no.such.key': { usd: -1, basis: 'guessed', asOf: '2026-01-01', source: 'x' } } } })).toEqual([
      'regions.us-east-1.no.such.key: not a key of the price catalog',
      'regions.us-east-1.no.such.key.usd must be a number >= 0',
      'regions.us-east-1.no.such.key.basis must be one of price-list-api, cross-checked, hand-entered, carried-over',
    ]);
    expect(snapshotProblems({ ...good, regions: { 'us-east-1': { 'kms.key.month': { ...good.regions['us-east-1']['kms.key.month'], basis: 'carried-over' } } } }))
      .toEqual(['regions.us-east-1.kms.key.month: carried-over needs carriedFrom']);
  });

  test('a missing or malformed file is one line naming the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snapshot-'));
    expect(() => loadSnapshot(path.join(dir, 'nope.json'))).toThrow(CostError);
    expect(() => loadSnapshot(path.join(dir, 'nope.json'))).toThrow(/^cannot read the price snapshot .*nope\.json: ENOENT/);
    fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ ...good, date: 'x', currency: 'EUR' }));
    expect(() => loadSnapshot(path.join(dir, 'bad.json'))).toThrow(/bad\.json: date must be YYYY-MM-DD \(and 1 more\)$/);
  });
});
