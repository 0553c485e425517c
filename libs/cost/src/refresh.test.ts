import * as fs from 'node:fs';
import * as path from 'node:path';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import { sdkGetProducts } from './pricing-client';
import { lookupPrice, productPrice, refreshSnapshot, sameUnit, type GetProducts, type GetProductsInput, type GetProductsOutput } from './refresh';
import { snapshotProblems, type PriceSnapshot } from './snapshot';

// A GetProducts answer in the Price List's aws_v1 shape (see the fixture's own note): no call
// to the real Price List API can be made without credentials, so every test here serves it
// from a stub and says so in its name.
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '__fixtures__', 'price-list-get-products.fixture.json'), 'utf8')) as {
  pages: GetProductsOutput[];
  sqs: GetProductsOutput;
};

/** Stub of GetProducts: MWAA answers with the fixture's two pages, SQS with its one product, others with nothing. */
function stubGetProducts(calls: GetProductsInput[] = []): GetProducts {
  return async (input) => {
    calls.push(input);
    if (input.ServiceCode === 'AmazonMWAA') return input.NextToken === 'page-2' ? fixture.pages[1] : fixture.pages[0];
    if (input.ServiceCode === 'AWSQueueService') return fixture.sqs;
    return { PriceList: [] };
  };
}

const entry = (usd: number, asOf = '2026-01-01') => ({ usd, basis: 'hand-entered' as const, asOf, source: 'https://aws.amazon.com/managed-workflows-for-apache-airflow/pricing/' });
const old: PriceSnapshot = {
  date: '2026-01-01',
  source: 'hand-entered test snapshot',
  currency: 'USD',
  regions: { 'us-east-1': { 'mwaa.environment.mw1.small': entry(0.5), 'kms.key.month': entry(1) }, 'eu-west-1': { 'kms.key.month': entry(1) } },
};

describe('reading Price List items (recorded-shape fixture)', () => {
  test('a product gives its SKU, usage type, unit and on-demand price', () => {
    expect(productPrice(fixture.pages[0].PriceList![0])).toEqual({
      sku: 'FX1SMALLENV0000A', usagetype: 'USE1-Airflow-SmallEnvironment', unit: 'Hrs', usd: 0.49, description: '$0.49 per Hrs for Small Environment',
    });
  });

  test('a tiered price gives its first tier that costs something, not the free tier', () => {
    expect(productPrice(fixture.sqs.PriceList![0])).toMatchObject({ usagetype: 'USE1-Requests-RBP', unit: 'Requests', usd: 0.0000004 });
  });

  test('an item without on-demand terms or usage type gives nothing', () => {
    expect(productPrice(JSON.stringify({ product: { attributes: { usagetype: 'X' } }, terms: {} }))).toBeUndefined();
    expect(productPrice({ product: {}, terms: { OnDemand: { a: { priceDimensions: {} } } } })).toBeUndefined();
  });

  test('units compare without case, punctuation or the Hours/Hrs spelling', () => {
    expect(sameUnit('Hrs', 'Hours')).toBe(true);
    expect(sameUnit('GB-Mo', 'GB-Month')).toBe(true);
    expect(sameUnit('Requests', 'API Requests')).toBe(false);
  });
});

describe('looking up one catalog key (GetProducts stub)', () => {
  test('follows NextToken across pages and filters on the region and the usage type', async () => {
    const calls: GetProductsInput[] = [];
    const result = await lookupPrice(stubGetProducts(calls), 'us-east-1', 'mwaa.environment.mw1.medium');
    expect(result).toEqual({ ok: true, price: expect.objectContaining({ sku: 'FX1MEDIUMENV000D', usd: 0.74 }) });
    expect(calls.map((c) => c.NextToken)).toEqual([undefined, 'page-2']);
    expect(calls[0]).toMatchObject({ ServiceCode: 'AmazonMWAA', FormatVersion: 'aws_v1', Filters: [{ Type: 'TERM_MATCH', Field: 'regionCode', Value: 'us-east-1' }] });
  });

  test('no product, or several at different prices, is a problem and no price', async () => {
    expect(await lookupPrice(stubGetProducts(), 'us-east-1', 'mwaa.environment.mw1.micro')).toEqual({
      ok: false, problem: 'us-east-1/mwaa.environment.mw1.micro: no AmazonMWAA product has a usage type matching /Airflow-MicroEnvironment$/',
    });
    const twice: GetProducts = async () => ({ PriceList: [fixture.pages[0].PriceList![0], String(fixture.pages[0].PriceList![0]).replace('0.4900000000', '0.5100000000')] });
    const result = await lookupPrice(twice, 'us-east-1', 'mwaa.environment.mw1.small');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toMatch(/2 products match with different prices .*narrow the matcher/);
  });

  test('a unit other than the catalog\'s is a problem, so a per-10k price never lands as a per-request one', async () => {
    const perTenK: GetProducts = async () => ({ PriceList: [String(fixture.pages[0].PriceList![0]).replace('"unit":"Hrs"', '"unit":"10K Requests"')] });
    expect(await lookupPrice(perTenK, 'us-east-1', 'mwaa.environment.mw1.small')).toEqual({
      ok: false, problem: 'us-east-1/mwaa.environment.mw1.small: the Price List prices it per "10K Requests", the catalog per "Hrs"',
    });
  });
});

describe('refreshing the snapshot (GetProducts stub)', () => {
  test('matched keys take the Price List figure; the others keep theirs and are reported; the date is the oldest figure\'s', async () => {
    const r = await refreshSnapshot(old, stubGetProducts(), { regions: ['us-east-1'], today: '2026-12-01' });
    expect(r.refreshed).toEqual([
      'us-east-1/mwaa.environment.mw1.medium', 'us-east-1/mwaa.environment.mw1.small', 'us-east-1/mwaa.metadb.gb-month',
      'us-east-1/mwaa.scheduler.mw1.small', 'us-east-1/mwaa.worker.mw1.small', 'us-east-1/sqs.request',
    ]);
    expect(r.changed).toEqual([{ key: 'us-east-1/mwaa.environment.mw1.small', from: 0.5, to: 0.49 }]);
    expect(r.snapshot.regions['us-east-1']['mwaa.environment.mw1.small']).toEqual({
      usd: 0.49, basis: 'price-list-api', asOf: '2026-12-01', source: 'AWS Price List API, AmazonMWAA USE1-Airflow-SmallEnvironment', sku: 'FX1SMALLENV0000A',
    });
    expect(r.snapshot.regions['us-east-1']['kms.key.month']).toEqual(old.regions['us-east-1']['kms.key.month']);
    expect(r.snapshot.regions['eu-west-1']).toEqual(old.regions['eu-west-1']); // a region not asked for is kept
    expect(r.problems).toContain('us-east-1/kms.key.month: no awskms product has a usage type matching /KMS-Keys$/');
    expect(r.snapshot.date).toBe('2026-01-01');
    expect(r.snapshot.source).toMatch(/^AWS Price List \(on-demand, USD\): 6 figures from the Price List API on 2026-12-01/);
    expect(snapshotProblems(r.snapshot)).toEqual([]);
  });

  test('through the SDK PricingClient (aws-sdk-client-mock stub of the API): the command carries the input', async () => {
    const mock = mockClient(PricingClient);
    mock.on(GetProductsCommand).resolves({ PriceList: fixture.sqs.PriceList as string[] });
    try {
      const result = await lookupPrice(sdkGetProducts(new PricingClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } })), 'eu-west-1', 'sqs.request');
      expect(result).toEqual({ ok: true, price: expect.objectContaining({ usd: 0.0000004 }) });
      expect(mock.commandCalls(GetProductsCommand)[0].args[0].input).toEqual({
        ServiceCode: 'AWSQueueService', FormatVersion: 'aws_v1', MaxResults: 100, Filters: [{ Type: 'TERM_MATCH', Field: 'regionCode', Value: 'eu-west-1' }],
      });
    } finally {
      mock.restore();
    }
  });
});
