import * as fs from 'node:fs';
import * as path from 'node:path';
import { PARKED_COUNT } from '@xetl/config';
import { parseAssumptions } from './assumptions';
import { estimate } from './estimate';
import type { Estimate, LineItem } from './model';
import { loadSnapshot, type PriceSnapshot } from './snapshot';
import { stackFromJson, type StackInput } from './stacks';

const FIXTURES = path.join(__dirname, '__fixtures__');
const snapshot = loadSnapshot(path.join(FIXTURES, 'snapshot.fixture.json'));
const fixtureJson = () => JSON.parse(fs.readFileSync(path.join(FIXTURES, 'small-stack.cdk.tf.json'), 'utf8'));
const stack = (json = fixtureJson()): StackInput => stackFromJson('fixture', json, { side: 'analytics' });

/** Round figures so every line below can be computed by hand. */
const assumptions = parseAssumptions([
  'runsPerMonth=10', 'partitionRows=1048576', 'csvBytesPerRow=1024', 'csvFilesPerPartition=4', 'warehouseMbPerPartition=1024',
  'glueJobMinutes=6', 'crawlerMinutes=5', 'crawlerDpus=2', 'redshiftActiveSeconds=30', 'secretsCallsPerRun=20',
  'kmsRequestsPerKeyMonth=10000', 'mwaaMetaDatabaseGb=10', 'mwaaLogGbAtInfo=2', 'mwaaLogGbAtWarning=0.1',
  'mwaaDagBucketRequestsPerMonth=100000', 'flowLogGbPerMonth=2', 'unsetRetentionMonths=12', 'natGbPerMonth=100',
]);
const now = new Date('2026-01-15T00:00:00Z');
const run = (s: StackInput[] = [stack()], snap: PriceSnapshot = snapshot, parked = false): Estimate =>
  estimate({ environment: 'fixture', stacks: s, snapshot: snap, assumptions, dataBuckets: { source: 'fixture-source' }, now, parked });
/** Quantities to six decimals, so a third of an hour reads 0.333333. */
const pick = (l: LineItem) => [l.address, l.part, Math.round(l.quantity * 1e6) / 1e6, l.usd];

describe('estimate of the small fixture stack (hand-computed, us-east-1 prices)', () => {
  const e = run();

  test('always-on lines: quantity and USD a month', () => {
    const idle = e.lines.filter((l) => l.part === 'idle').map(pick);
    expect(idle).toEqual([
      ['aws_cloudwatch_log_group.FlowLogs', 'idle', 2, 1.0], // 1 flow log × 2 GB × $0.50 (vended)
      ['aws_cloudwatch_log_group.FlowLogs', 'idle', 2, 0.06], // 2 GB × 30/30 months × $0.03
      ['aws_kms_key.Key', 'idle', 1, 1.0],
      ['aws_kms_key.Key', 'idle', 10000, 0.03], // 10,000 × $0.000003
      ['aws_mwaa_environment.Airflow', 'idle', 730, 357.7], // 730 h × $0.49
      ['aws_mwaa_environment.Airflow', 'idle', 730, 40.15], // min_workers 2: one worker above the included one, × $0.055
      ['aws_mwaa_environment.Airflow', 'idle', 730, 40.15], // schedulers 3: one above the included 2, × $0.055
      ['aws_mwaa_environment.Airflow', 'idle', 10, 1.0], // 10 GB × $0.10
      ['aws_mwaa_environment.Airflow', 'idle', 2.1, 1.05], // 1 log type at INFO × 2 GB + 1 at WARNING × 0.1 GB = 2.1 GB × $0.50
      ['aws_mwaa_environment.Airflow', 'idle', 25.2, 0.76], // 2.1 GB × 12 months × $0.03 = 0.756
      ['aws_mwaa_environment.Airflow', 'idle', 100000, 0.5], // 100,000 × $0.000005
      ['aws_nat_gateway.Nat', 'idle', 730, 32.85], // 730 h × $0.045
      ['aws_nat_gateway.Nat', 'idle', 100, 4.5], // 100 GB × $0.045
      ['aws_redshiftserverless_namespace.Namespace', 'idle', 1, 0.4], // managed admin password secret
      ['aws_redshiftserverless_workgroup.Workgroup', 'idle', 0, 0], // no compute while no query runs
      ['aws_secretsmanager_secret.Variable', 'idle', 1, 0.4],
      ['aws_vpc_endpoint.Sts', 'idle', 1460, 14.6], // 2 AZs × 730 h × $0.01
    ]);
  });

  test('per-run lines: quantity and USD per partition run', () => {
    const perRun = e.lines.filter((l) => l.part === 'run').map(pick);
    expect(perRun).toEqual([
      ['aws_glue_crawler.Crawler', 'run', 0.333333, 0.1467], // 2 DPU × 10 min (5 min billed as 10) × $0.44 = 0.14667
      ['aws_glue_job.Job', 'run', 0.2, 0.088], // 2 × G.1X × 6 min = 0.2 DPU-h × $0.44
      ['aws_mwaa_environment.Airflow', 'run', 20, 0.0001], // 20 × $0.000005
      ['aws_redshiftserverless_workgroup.Workgroup', 'run', 0.133333, 0.05], // 8 RPU × 60 s (30 s billed as 60) × $0.375
      ['aws_redshiftserverless_workgroup.Workgroup', 'run', 1, 0.024], // 1 GB × $0.024
      ['aws_s3_bucket.Source', 'run', 8, 0], // 4 files + marker + 3 listings × $0.000005 = $0.00004
      ['aws_s3_bucket.Source', 'run', 8, 0], // 2 reads × 4 files × $0.0000004
      ['aws_s3_bucket.Source', 'run', 1, 0.023], // 1,048,576 rows × 1,024 bytes = 1 GB × $0.023
    ]);
  });

  test('totals: always on, parked, per run and month, each the sum of its rounded lines', () => {
    expect(e.totals.idleMonthly).toBe(496.15);
    // Parked: without the six MWAA lines (441.31) and the interface endpoint (14.60).
    expect(e.totals.idleParkedMonthly).toBe(40.24);
    expect(e.totals.perRun).toBe(0.3318);
    expect(e.totals.monthly).toBe(499.47); // 496.15 + 10 × 0.3318
    const cents = (xs: number[]) => xs.reduce((t, x) => t + Math.round(x * 10_000), 0) / 10_000;
    expect(cents(e.lines.filter((l) => l.part === 'idle').map((l) => l.usd))).toBe(e.totals.idleMonthly);
    expect(cents(e.lines.filter((l) => l.part === 'run').map((l) => l.usd))).toBe(e.totals.perRun);
    expect(e.totals.byAccount).toEqual([{ account: '123456789012', side: 'analytics', stacks: ['fixture'], idleMonthly: 496.15, perRun: 0.3318 }]);
  });

  test('free, counted-elsewhere and unknown types are listed by type, never priced at zero', () => {
    expect(e.free).toEqual([
      { type: 'aws_iam_role', count: 1, reason: 'IAM has no charge' },
      { type: 'aws_vpc_endpoint', count: 1, reason: 'gateway endpoints (S3, DynamoDB) have no charge' },
    ]);
    expect(e.countedElsewhere.map((c) => [c.type, c.count])).toEqual([['aws_flow_log', 1], ['aws_secretsmanager_secret_version', 1]]);
    expect(e.unpriced).toEqual([{ address: 'aws_made_up_thing.Thing', type: 'aws_made_up_thing', stack: 'fixture', reason: 'resource type unknown to the estimator' }]);
    expect(e.lines.some((l) => l.type === 'aws_made_up_thing')).toBe(false);
    expect(e.warnings).toContain('1 resources or components are not priced and not in the totals (see "not priced")');
  });

  test('every resource of the stack is priced, free, counted elsewhere or listed as unpriced', () => {
    const json = fixtureJson();
    const all = Object.entries(json.resource as Record<string, object>).flatMap(([t, byName]) => Object.keys(byName).map((n) => `${t}.${n}`));
    const priced = new Set(e.lines.map((l) => l.address));
    const listed = e.free.reduce((n, f) => n + f.count, 0) + e.countedElsewhere.reduce((n, c) => n + c.count, 0) + e.unpriced.length;
    expect(priced.size + listed).toBe(all.length);
  });

  test('only the assumptions some line depends on are reported', () => {
    expect(e.assumptionsUsed).toContain('glueJobMinutes');
    expect(e.assumptionsUsed).not.toContain('lambdaSecondsPerRun'); // the fixture has no Lambda
  });
});

describe('estimate edge cases', () => {
  test('a price missing from the snapshot makes that component unpriced, and the others still priced', () => {
    const json = fixtureJson();
    json.resource.aws_mwaa_environment.Airflow.environment_class = 'mw1.xlarge';
    const e = run([stack(json)]);
    expect(e.unpriced.filter((u) => u.type === 'aws_mwaa_environment').map((u) => u.reason)).toEqual([
      'environment mw1.xlarge: no price mwaa.environment.mw1.xlarge for us-east-1 in the snapshot',
      '1 worker above the included one (min_workers): no price mwaa.worker.mw1.xlarge for us-east-1 in the snapshot',
      '1 scheduler above the included 2: no price mwaa.scheduler.mw1.xlarge for us-east-1 in the snapshot',
    ]);
    expect(e.lines.filter((l) => l.type === 'aws_mwaa_environment').map((l) => l.priceKey)).toContain('mwaa.metadb.gb-month');
  });

  test('a region missing from the snapshot leaves every priced component of that stack unpriced', () => {
    const json = fixtureJson();
    json.provider.aws[0].region = 'ap-south-1';
    const e = run([stack(json)]);
    expect(e.lines).toEqual([]);
    expect(e.unpriced.length).toBeGreaterThan(20);
    expect(e.totals.idleMonthly).toBe(0);
  });

  test('a literal count multiplies the lines; an expression count is unpriced', () => {
    const json = fixtureJson();
    json.resource.aws_kms_key.Key.count = 3;
    json.resource.aws_secretsmanager_secret.Variable.count = '${var.n}';
    const e = run([stack(json)]);
    expect(e.lines.filter((l) => l.type === 'aws_kms_key').map((l) => [l.component, l.usd])).toEqual([
      ['customer managed key (× 3)', 3], ['key requests (× 3)', 0.09],
    ]);
    expect(e.unpriced).toContainEqual({ address: 'aws_secretsmanager_secret.Variable', type: 'aws_secretsmanager_secret', stack: 'fixture', reason: 'count is an expression the estimator cannot evaluate' });
  });

  test("the park switch's count is one instance unparked and none parked; parked, the stack costs the parked figure", () => {
    const json = fixtureJson();
    json.resource.aws_mwaa_environment.Airflow.count = PARKED_COUNT;
    json.resource.aws_vpc_endpoint.Sts.count = PARKED_COUNT;
    const plain = run();
    const unparked = run([stack(json)]);
    // The switch changes nothing while off: the same lines as the fixture without it.
    expect(unparked.lines).toEqual(plain.lines);
    expect(unparked.unpriced).toEqual(plain.unpriced);
    expect([unparked.parkable, unparked.parked, plain.parkable]).toEqual([true, false, false]);
    const parked = run([stack(json)], snapshot, true);
    expect(parked.parked).toBe(true);
    expect(parked.lines.some((l) => ['aws_mwaa_environment', 'aws_vpc_endpoint'].includes(l.type))).toBe(false);
    // 496.15 - 441.31 (MWAA) - 14.60 (the endpoint in 2 AZs) = 40.24
    expect(parked.totals.idleMonthly).toBe(40.24);
    expect(parked.totals.idleMonthly).toBe(unparked.totals.idleParkedMonthly);
    // What runs still costs the same (the DAG's Secrets Manager calls go with MWAA).
    expect(parked.totals.perRun).toBe(0.3317);
  });

  test("MWAA's log groups created by the stack are counted in MWAA, whose log storage then follows their retention", () => {
    const json = fixtureJson();
    json.resource.aws_mwaa_environment.Airflow.name = 'fx';
    json.resource.aws_cloudwatch_log_group.MwaaScheduler = { name: 'airflow-fx-Scheduler', retention_in_days: 90 };
    json.resource.aws_cloudwatch_log_group.MwaaTask = { name: 'airflow-fx-Task', retention_in_days: 90 };
    json.resource.aws_cloudwatch_log_group.Other = { name: 'airflow-other-Task', retention_in_days: 90 };
    const e = run([stack(json)]);
    const mwaaLogs = e.lines.filter((l) => l.type === 'aws_mwaa_environment' && l.component.startsWith('Airflow logs')).map(pick);
    // 2.1 GB a month (as above), kept 90 days = 3 months × 2.1 GB = 6.3 GB-Mo × $0.03 = 0.189
    expect(mwaaLogs).toEqual([['aws_mwaa_environment.Airflow', 'idle', 2.1, 1.05], ['aws_mwaa_environment.Airflow', 'idle', 6.3, 0.19]]);
    expect(e.lines.filter((l) => l.address.startsWith('aws_cloudwatch_log_group.Mwaa'))).toEqual([]);
    expect(e.countedElsewhere).toContainEqual({ type: 'aws_cloudwatch_log_group', count: 2, reason: "Airflow's logs are priced on aws_mwaa_environment.Airflow (per log level)" });
    // A group of another environment's name is not MWAA's: priced as an unrecognised writer.
    expect(e.lines.some((l) => l.address === 'aws_cloudwatch_log_group.Other')).toBe(true);
  });

  test('FLEX execution uses the flex price; a micro class includes one scheduler', () => {
    const json = fixtureJson();
    json.resource.aws_glue_job.Job.execution_class = 'FLEX';
    json.resource.aws_mwaa_environment.Airflow = { environment_class: 'mw1.micro' };
    const e = run([stack(json)]);
    expect(e.unpriced.map((u) => u.reason)).toEqual(expect.arrayContaining([
      expect.stringContaining('no price glue.etl-flex.dpu-hour'),
      expect.stringContaining('no price mwaa.environment.mw1.micro'),
    ]));
    expect(e.unpriced.some((u) => u.reason.includes('scheduler'))).toBe(false);
  });

  test('a snapshot older than 90 days makes the estimate warn; 90 days does not', () => {
    const at = (iso: string) => estimate({ environment: 'x', stacks: [stack()], snapshot, assumptions, now: new Date(iso) });
    expect(at('2026-03-31T12:00:00Z').snapshot).toEqual({ date: '2026-01-01', source: snapshot.source, ageDays: 89, stale: false });
    expect(at('2026-04-01T00:00:00Z').warnings.some((w) => w.includes('days old'))).toBe(false);
    const old = at('2026-04-02T00:00:00Z');
    expect(old.snapshot.stale).toBe(true);
    expect(old.warnings[0]).toBe('the price snapshot is 91 days old (dated 2026-01-01, more than 90); refresh it: npx nx run cost:refresh-prices');
  });

  test('prices that are not confirmed by the Price List are named in a warning', () => {
    const e = run();
    const w = e.warnings.find((x) => x.includes('not confirmed'));
    expect(w).toBe('3 of 21 prices used are not confirmed by the Price List API: 3 hand-entered (us-east-1/logs.vended-ingest.gb, us-east-1/redshift-serverless.rpu-hour, us-east-1/redshift.managed-storage.gb-month); refresh with credentials to replace them');
  });
});
