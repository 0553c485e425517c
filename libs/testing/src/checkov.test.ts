import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acceptingEntry, loadAccepted } from './checkov';

const failure = (check: string, resource: string) => ({ check, resource, name: 'n', file: '/cdk.tf.json' });

describe('checkov acceptances', () => {
  test('an entry accepts only the resources and stacks it names', () => {
    const accepted = [{ check: 'CKV_AWS_338', reason: 'r', resources: ['^resource\\.Airflow_Logs_'], stacks: ['^xetl-dev-'] }];
    expect(acceptingEntry(failure('CKV_AWS_338', 'resource.Airflow_Logs_x'), accepted, 'xetl-dev-analytics')).toBe(accepted[0]);
    expect(acceptingEntry(failure('CKV_AWS_338', 'resource.Airflow_Logs_x'), accepted, 'xetl-prod-analytics')).toBeUndefined();
    expect(acceptingEntry(failure('CKV_AWS_338', 'resource.Other_x'), accepted, 'xetl-dev-analytics')).toBeUndefined();
    expect(acceptingEntry(failure('CKV_AWS_144', 'resource.Airflow_Logs_x'), accepted, 'xetl-dev-analytics')).toBeUndefined();
  });

  test('the shipped file names resources for every entry and accepts short log retention for no prod stack', () => {
    const entries = loadAccepted();
    for (const e of entries) expect({ check: e.check, resources: e.resources.length > 0 }).toEqual({ check: e.check, resources: true });
    const retention = entries.filter((e) => e.check === 'CKV_AWS_338');
    expect(retention.length).toBeGreaterThan(0);
    for (const e of retention) {
      for (const stack of ['xetl-prod-analytics', 'xetl-prod-source']) {
        expect({ stack, accepted: !e.stacks || e.stacks.some((r) => new RegExp(r).test(stack)) }).toEqual({ stack, accepted: false });
      }
    }
    // Event notifications are on for every bucket (CKV2_AWS_62 needs no acceptance any more).
    expect(entries.map((e) => e.check)).not.toContain('CKV2_AWS_62');
  });

  test('refuses an entry that would accept every resource', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'checkov-')), 'accepted.json');
    fs.writeFileSync(file, JSON.stringify({ accepted: [{ check: 'CKV_AWS_1', reason: 'r' }] }));
    expect(() => loadAccepted(file)).toThrow('CKV_AWS_1 accepts every resource; name them in "resources"');
  });
});
