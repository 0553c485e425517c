import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig, selectEnvironment } from '@xetl/config';
import { environmentStackNames, type PriceSnapshot } from '@xetl/cost';
import { costSections } from './cost-summary';

const config = loadConfig();
const snapshot: PriceSnapshot = {
  date: '2026-12-01', source: 'test', currency: 'USD',
  regions: { 'eu-west-1': { 'vpc.interface-endpoint.hour': { usd: 0.011, basis: 'hand-entered', asOf: '2026-12-01', source: 'https://aws.amazon.com/privatelink/pricing/' } } },
};

/** Minimal synthesized stacks of every planned environment: each analytics stack has `endpoints` interface endpoints in 2 AZs. */
function outDir(endpoints: Record<string, number>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cost-out-'));
  for (const name of ['dev', 'stage', 'prod']) {
    const env = selectEnvironment(config, name);
    for (const s of environmentStackNames(env)) {
      const account = env.accounts[s.side];
      const resource = s.name === `xetl-${name}-analytics`
        ? { aws_vpc_endpoint: Object.fromEntries(Array.from({ length: endpoints[name] ?? 0 }, (_, i) => [`E${i}`, { vpc_endpoint_type: 'Interface', service_name: `com.amazonaws.eu-west-1.s${i}`, subnet_ids: ['a', 'b'] }])) }
        : { aws_iam_role: { R: {} } };
      fs.mkdirSync(path.join(dir, 'stacks', s.name), { recursive: true });
      fs.writeFileSync(path.join(dir, 'stacks', s.name, 'cdk.tf.json'), JSON.stringify({ provider: { aws: [{ region: env.region, allowed_account_ids: [account] }] }, resource }));
    }
  }
  return dir;
}

describe('the cost part of the PR comment', () => {
  test('only environments whose stacks changed get a section, with the difference from the base', () => {
    const sections = costSections(config, { headOut: outDir({ dev: 3, stage: 1, prod: 1 }), baseOut: outDir({ dev: 2, stage: 1, prod: 1 }), snapshot, now: new Date('2026-12-01') });
    expect(sections.map((s) => s.environment)).toEqual(['dev']);
    // One more endpoint in 2 AZs: 1,460 h × $0.011 = $16.06 a month.
    expect(sections[0].markdown.split('\n')[0]).toBe('### Cost of `dev`: $48.18 a month always on (+$16.06 vs `main`), $0.0000 per partition run (±$0)');
    expect(sections[0].markdown).toContain('| month | 222222222222 | `aws_vpc_endpoint` | Interface VPC endpoint, per AZ | $32.12 | $48.18 | +$16.06 |');
  });

  test('an environment the base does not have is estimated alone', () => {
    const base = outDir({ dev: 1, stage: 1, prod: 1 });
    fs.rmSync(path.join(base, 'stacks', 'xetl-prod-analytics'), { recursive: true });
    const sections = costSections(config, { headOut: outDir({ dev: 1, stage: 1, prod: 1 }), baseOut: base, snapshot, now: new Date('2026-12-01') });
    expect(sections.map((s) => s.environment)).toEqual(['prod']);
    expect(sections[0].markdown).toContain('No estimate for `main` to compare with.');
  });
});
