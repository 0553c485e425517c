import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAssumptions } from './assumptions';
import { diffEstimates, renderCostComment } from './diff';
import { estimate } from './estimate';
import { renderMarkdown, renderText, summarize } from './render';
import { loadSnapshot } from './snapshot';
import { stackFromJson } from './stacks';

const FIXTURES = path.join(__dirname, '__fixtures__');
const snapshot = loadSnapshot(path.join(FIXTURES, 'snapshot.fixture.json'));
const json = () => JSON.parse(fs.readFileSync(path.join(FIXTURES, 'small-stack.cdk.tf.json'), 'utf8'));
const now = new Date('2026-01-15T00:00:00Z');
const run = (j = json(), assume: string[] = []) =>
  estimate({ environment: 'fixture', stacks: [stackFromJson('fixture', j, { side: 'analytics' })], snapshot, assumptions: parseAssumptions(assume), dataBuckets: { source: 'fixture-source' }, now });

describe('summary rows', () => {
  test('sum the lines of one type and price, and their USD adds up to the totals', () => {
    const e = run();
    const rows = summarize(e.lines);
    const mwaaLogs = rows.find((r) => r.priceKey === 'logs.ingest.gb' && r.type === 'aws_mwaa_environment');
    expect(mwaaLogs).toMatchObject({ resources: 1, what: 'Airflow logs (1 INFO, 1 WARNING) ingestion', unit: 'GB', unitPrice: 0.5 });
    const total = (part: string) => rows.filter((r) => r.part === part).reduce((t, r) => t + Math.round(r.usd * 10_000), 0) / 10_000;
    expect([total('idle'), total('run')]).toEqual([e.totals.idleMonthly, e.totals.perRun]);
  });
});

describe('text report', () => {
  const text = renderText(run()).join('\n');

  test('shows both parts with subtotals, totals, the parked figure and the month', () => {
    const e = run();
    const lines = renderText(e);
    expect(lines).toContain(`  total always on: $${e.totals.idleMonthly.toFixed(2)} a month`);
    expect(lines).toContain(`  total per run: $${e.totals.perRun.toFixed(4)}`);
    expect(lines.filter((l) => l.trim().startsWith('subtotal'))).toHaveLength(2);
    expect(lines).toContain(`month at ${e.totals.runsPerMonth} runs: $${e.totals.idleMonthly.toFixed(2)} + ${e.totals.runsPerMonth} × $${e.totals.perRun.toFixed(4)} = $${e.totals.monthly.toFixed(2)}`);
    // The fixture has no park switch: the figure is what parking would leave, and the report says it cannot.
    expect(lines).toContain(`  parked: cannot park (config parkable is false); parked it would idle at $${e.totals.idleParkedMonthly.toFixed(2)} a month`);
    const parkable = renderText({ ...e, parkable: true });
    expect(parkable).toContain(`  parked (xetl park: MWAA and interface endpoints deleted, trigger paused, data and state kept): $${e.totals.idleParkedMonthly.toFixed(2)} a month`);
    // Priced as parked, the report says so and has no parked line of its own.
    const asParked = renderText({ ...e, parkable: true, parked: true });
    expect(asParked[0]).toMatch(/, priced as parked$/);
    expect(asParked.some((l) => l.includes('xetl park:'))).toBe(false);
  });

  test('lists free, counted and unpriced resources, the assumptions used and what is not counted', () => {
    expect(text).toContain('free (no charge of their own): aws_iam_role ×1, aws_vpc_endpoint ×1');
    expect(text).toContain('  fixture aws_made_up_thing.Thing: resource type unknown to the estimator');
    expect(text).toMatch(/^ {2}glueJobMinutes=3 minutes: billed duration of one Glue job run .*\(default: /m);
    expect(renderText(run(json(), ['glueJobMinutes=6'])).join('\n')).toMatch(/^ {2}glueJobMinutes=6 minutes: .*\(set by --assume\)$/m);
    expect(text).toContain('not counted: free tiers');
  });

  test('--detail lists each resource by address', () => {
    const detail = renderText(run(), { detail: true }).join('\n');
    expect(detail).toMatch(/^ {4}aws_vpc_endpoint\.Sts +interface endpoint sts, 2 AZs /m);
  });
});

describe('markdown report and pull-request section', () => {
  test('the markdown report has both tables with the totals', () => {
    const e = run();
    const md = renderMarkdown(e);
    expect(md.split('\n')[0]).toBe(`### \`fixture\`: $${e.totals.idleMonthly.toFixed(2)} a month always on, $${e.totals.perRun.toFixed(4)} per partition run`);
    expect(md).toContain(`| | | **total always on** | | | **$${e.totals.idleMonthly.toFixed(2)}** |`);
    expect(md).toContain('| 123456789012 | `aws_vpc_endpoint` | interface endpoint sts, 2 AZs | 1,460 Hrs | $0.01 | $14.60 |');
    expect(md).toContain('`aws_made_up_thing.Thing` (resource type unknown to the estimator)');
  });

  test('removing the interface endpoint shows −$14.60 a month against the base', () => {
    const base = run();
    const j = json();
    delete j.resource.aws_vpc_endpoint.Sts;
    const head = run(j);
    const d = diffEstimates(base, head);
    expect(d.idleMonthly).toEqual({ base: 489.51, head: 474.91, delta: -14.6 });
    expect(d.changes).toEqual([{ part: 'idle', account: '123456789012', type: 'aws_vpc_endpoint', what: 'interface endpoint sts, 2 AZs', base: 14.6, head: 0, delta: -14.6 }]);
    const md = renderCostComment(head, base);
    expect(md.split('\n')[0]).toBe(`### Cost of \`fixture\`: $${head.totals.idleMonthly.toFixed(2)} a month always on (−$14.60 vs \`main\`), $${head.totals.perRun.toFixed(4)} per partition run (±$0)`);
    expect(md).toContain('| month | 123456789012 | `aws_vpc_endpoint` | interface endpoint sts, 2 AZs | $14.60 | $0.00 | −$14.60 |');
  });

  test('an unchanged stack says so, and a missing base says there is nothing to compare with', () => {
    expect(renderCostComment(run(), run())).toContain('No cost change from `main`.');
    expect(renderCostComment(run(), undefined)).toContain('No estimate for `main` to compare with.');
  });
});
