import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { COST_DOC_BEGIN, COST_DOC_END, renderCostOverview, type Estimate } from '@xetl/cost';
import { REPO_ROOT } from '@xetl/testing';
import { commandHelp, main } from '../main';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}
async function cost(args: string[]) {
  const c = capture();
  const code = await main(['cost', ...args], c.io);
  return { code, out: c.out.join('\n'), err: c.err };
}
const units = (xs: number[]) => xs.reduce((t, x) => t + Math.round(x * 10_000), 0) / 10_000;

// The real app synthesizes every environment once, as `npx nx run infra:synth` does.
const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'xetl-cost-')), 'cdktf.out');
beforeAll(() => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'apps/infra/src/main.ts'], { cwd: REPO_ROOT, env: { ...process.env, CDKTF_OUTDIR: outdir }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`synth failed: ${r.stderr}`);
}, 120_000);

describe('xetl cost on the synthesized dev and prod stacks', () => {
  const estimates: Record<string, Estimate> = {};
  beforeAll(async () => {
    for (const env of ['dev', 'prod']) {
      const r = await cost(['--env', env, '--out', outdir, '--json']);
      expect(r.code).toBe(0);
      estimates[env] = JSON.parse(r.out);
    }
  });

  test.each(['dev', 'prod'])('%s: the totals are the sums of the line items, per part and per account', (env) => {
    const e = estimates[env];
    expect(units(e.lines.filter((l) => l.part === 'idle').map((l) => l.usd))).toBe(e.totals.idleMonthly);
    expect(units(e.lines.filter((l) => l.part === 'run').map((l) => l.usd))).toBe(e.totals.perRun);
    expect(units(e.totals.byAccount.map((a) => a.idleMonthly))).toBe(e.totals.idleMonthly);
    expect(units(e.totals.byAccount.map((a) => a.perRun))).toBe(e.totals.perRun);
    expect(e.totals.byAccount.map((a) => a.side)).toEqual(['source', 'analytics']);
    expect(e.stacks.map((s) => s.name)).toEqual([`xetl-${env}-source`, `xetl-${env}-analytics`, `xetl-${env}-bootstrap-source`, `xetl-${env}-bootstrap-analytics`]);
  });

  test.each(['dev', 'prod'])('%s: every synthesized resource is priced, free or counted elsewhere; none is unknown', (env) => {
    const e = estimates[env];
    let resources = 0;
    for (const s of e.stacks) {
      const json = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', s.name, 'cdk.tf.json'), 'utf8'));
      resources += Object.values(json.resource as Record<string, object>).reduce((n, byName) => n + Object.keys(byName).length, 0);
    }
    const priced = new Set(e.lines.map((l) => `${l.stack}/${l.address}`)).size;
    const listed = [...e.free, ...e.countedElsewhere].reduce((n, t) => n + t.count, 0);
    expect(e.unpriced).toEqual([]);
    expect(priced + listed).toBe(resources);
    for (const type of ['aws_mwaa_environment', 'aws_vpc_endpoint', 'aws_kms_key', 'aws_secretsmanager_secret', 'aws_redshiftserverless_workgroup', 'aws_glue_job', 'aws_glue_crawler', 'aws_s3_bucket']) {
      expect({ type, priced: e.lines.some((l) => l.type === type) }).toEqual({ type, priced: true });
    }
  });

  test('dev idles for less than prod', () => {
    expect(estimates.dev.totals.idleMonthly).toBeLessThan(estimates.prod.totals.idleMonthly);
    expect(estimates.dev.totals.idleParkedMonthly).toBeLessThan(estimates.dev.totals.idleMonthly / 10);
  });

  test('docs/cost.md carries the estimates of the deployed environments as `npx nx run cost:docs` writes them', async () => {
    const stage: Estimate = JSON.parse((await cost(['--env', 'stage', '--out', outdir, '--json'])).out);
    const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'cost.md'), 'utf8');
    const block = doc.slice(doc.indexOf(COST_DOC_BEGIN), doc.indexOf(COST_DOC_END) + COST_DOC_END.length);
    expect(block).toBe(renderCostOverview([estimates.dev, stage, estimates.prod]));
  });

  test('the interface endpoints are priced per AZ from their subnets: dev in one AZ, prod in two (network.endpointAzs)', () => {
    const endpoints = (env: string) => estimates[env].lines.filter((l) => l.priceKey === 'vpc.interface-endpoint.hour');
    expect(endpoints('dev').length).toBe(14);
    expect(endpoints('prod').length).toBe(14);
    expect(endpoints('dev').every((l) => l.quantity === 730 && l.component.endsWith(', 1 AZ'))).toBe(true);
    expect(endpoints('prod').every((l) => l.quantity === 2 * 730 && l.component.endsWith(', 2 AZs'))).toBe(true);
  });

  test("dev's MWAA logs are priced at its configured levels: four types at WARNING, task logs at INFO", () => {
    expect(estimates.dev.lines.filter((l) => l.type === 'aws_mwaa_environment' && l.component.startsWith('Airflow logs')).map((l) => l.component))
      .toEqual([expect.stringMatching(/^Airflow logs \(1 INFO, 4 WARNING\) ingestion$/), expect.stringMatching(/^Airflow logs \(1 INFO, 4 WARNING\) storage/)]);
  });

  test('--parked prices dev as parked: exactly the parked figure, without MWAA, the interface endpoints or the trigger\'s polls', async () => {
    const r = await cost(['--env', 'dev', '--out', outdir, '--json', '--parked']);
    expect(r.code).toBe(0);
    const parked: Estimate = JSON.parse(r.out);
    expect(parked.parked).toBe(true);
    expect(parked.totals.idleMonthly).toBe(estimates.dev.totals.idleParkedMonthly);
    expect(parked.lines.filter((l) => l.type === 'aws_mwaa_environment' || l.priceKey === 'vpc.interface-endpoint.hour' || l.type === 'aws_lambda_event_source_mapping')).toEqual([]);
    expect(estimates.dev.parkable).toBe(true);
    expect(parked.unpriced).toEqual([]);
  });

  test('prod cannot park: --parked is a usage error, and the overview says "cannot park"', async () => {
    expect(estimates.prod.parkable).toBe(false);
    const r = await cost(['--env', 'prod', '--out', outdir, '--parked']);
    expect(r.code).toBe(2);
    expect(r.err).toEqual(['xetl cost: prod cannot park (config parkable is false), so it has no parked cost; see docs/cost.md']);
  });
});

describe('xetl cost options', () => {
  test('text report: always-on and per-run tables, totals, assumptions and warnings', async () => {
    const r = await cost(['--env', 'dev', '--out', outdir]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^xetl cost: dev \(eu-west-1\), 4 stacks$/m);
    expect(r.out).toMatch(/^ {2}total always on: \$[\d,]+\.\d\d a month$/m);
    expect(r.out).toMatch(/^ {2}total per run: \$\d+\.\d{4}$/m);
    expect(r.out).toContain('assumptions (xetl cost --assume name=value):');
    expect(r.out).toMatch(/^warning: \d+ of \d+ prices used are not confirmed by the Price List API/m);
  });

  test('--assume glueJobMinutes=6 adds exactly three more flex minutes of 2 DPUs to each run', async () => {
    const base: Estimate = JSON.parse((await cost(['--env', 'dev', '--out', outdir, '--json'])).out);
    const longer: Estimate = JSON.parse((await cost(['--env', 'dev', '--out', outdir, '--json', '--assume', 'glueJobMinutes=6'])).out);
    const flex = base.prices.find((p) => p.key === 'glue.etl-flex.dpu-hour')!.usd;
    expect(Math.round((longer.totals.perRun - base.totals.perRun) * 10_000) / 10_000).toBe(Math.round(2 * (3 / 60) * flex * 10_000) / 10_000);
    expect(longer.totals.idleMonthly).toBe(base.totals.idleMonthly);
    expect(longer.assumptions.glueJobMinutes).toBe(6);
  });

  test('--markdown prints the tables; --base prints the difference', async () => {
    const md = await cost(['--env', 'prod', '--out', outdir, '--markdown']);
    expect(md.out).toMatch(/^### `prod`: \$[\d,]+\.\d\d a month always on/);
    expect(md.out).toContain('| account | resource | what | quantity | unit price | USD/month |');
    const same = await cost(['--env', 'dev', '--out', outdir, '--base', outdir]);
    expect(same.out).toContain(`difference from ${outdir}: always on ±$0 a month, per run ±$0, month ±$0`);
    const comment = await cost(['--env', 'dev', '--out', outdir, '--base', outdir, '--markdown']);
    expect(comment.out).toContain('No cost change from');
  });

  test('no synthesized stacks, a bad --assume: one line each, exit 2', async () => {
    const missing = await cost(['--env', 'dev', '--out', path.join(outdir, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toEqual([`xetl cost: ${path.join(outdir, 'nope', 'stacks', 'xetl-dev-source', 'cdk.tf.json')} not found; synthesize first: npx nx run infra:synth (or XETL_ENV=<env> npx nx run infra:synth)`]);
    const bad = await cost(['--env', 'dev', '--out', outdir, '--assume', 'glueJobMinutes=soon']);
    expect(bad.code).toBe(2);
    expect(bad.err).toEqual(['xetl cost: --assume glueJobMinutes must be a number >= 0 (minutes), got "soon"']);
  });

  test('--help shows usage, options and examples', async () => {
    const c = capture();
    expect(await main(['cost', '--help'], c.io)).toBe(0);
    expect(c.out.join('\n')).toBe(commandHelp('cost'));
    expect(commandHelp('cost')).toContain('--assume name=value');
  });
});
