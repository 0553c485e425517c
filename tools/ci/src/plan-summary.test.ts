import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kindOf, renderSummary, summarizePlan } from './plan-summary';

const rc = (address: string, actions: string[]) => ({ address, type: address.split('.')[0], change: { actions } });
const plan = {
  resource_changes: [
    rc('aws_s3_object.Assets_Dag_1', ['update']),
    rc('aws_s3_object.Assets_Dag_2', ['create']),
    rc('aws_s3_object.Assets_Old', ['delete']),
    rc('aws_glue_job.Job', ['delete', 'create']),
    rc('aws_iam_role.Glue', ['no-op']),
    rc('aws_iam_policy_document.X', ['read']),
  ],
};

describe('plan summary', () => {
  test('classifies Terraform action lists', () => {
    expect([['create'], ['update'], ['delete'], ['delete', 'create'], ['create', 'delete'], ['no-op'], ['read']].map(kindOf))
      .toEqual(['add', 'change', 'destroy', 'replace', 'replace', undefined, undefined]);
  });

  test('counts per resource type and lists replacements and destroys', () => {
    const s = summarizePlan(plan);
    expect(s.totals).toEqual({ add: 1, change: 1, replace: 1, destroy: 1 });
    expect(s.byType).toEqual({
      aws_s3_object: { add: 1, change: 1, replace: 0, destroy: 1 },
      aws_glue_job: { add: 0, change: 0, replace: 1, destroy: 0 },
    });
    expect(s.replaced).toEqual(['aws_glue_job.Job']);
    expect(s.destroyed).toEqual(['aws_s3_object.Assets_Old']);
  });

  test('renders a table and a red CAUTION block for replacements and destroys', () => {
    const md = renderSummary(summarizePlan(plan), { stack: 'xetl-dev-analytics' });
    expect(md).toContain('### `xetl-dev-analytics`: 1 to add, 1 to change, 1 to replace, 1 to destroy');
    expect(md).toContain('| `aws_glue_job` :red_circle: |  |  | 1 |  |');
    expect(md).toContain('| `aws_s3_object` :red_circle: | 1 | 1 |  | 1 |');
    expect(md).toContain('> [!CAUTION]');
    expect(md).toContain('> - :red_circle: **replace** `aws_glue_job.Job`');
    expect(md).toContain('> - :red_circle: **destroy** `aws_s3_object.Assets_Old`');
  });

  test('an asset-only change shows only object updates, without the red block', () => {
    const md = renderSummary(summarizePlan({ resource_changes: [rc('aws_s3_object.Dag', ['update'])] }), { stack: 's' });
    expect(md).toContain('0 to add, 1 to change, 0 to replace, 0 to destroy');
    expect(md).not.toContain('CAUTION');
  });

  test('says so when nothing changes', () => {
    expect(renderSummary(summarizePlan({ resource_changes: [rc('aws_iam_role.R', ['no-op'])] }), { stack: 's' }))
      .toContain('No changes.');
  });

  test('the CLI the workflows call reads `terraform show -json` output', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'plan-')), 'plan.json');
    fs.writeFileSync(file, JSON.stringify(plan));
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'tools/ci/src/bin/plan-summary.ts', file, '--stack', 'xetl-dev-analytics'], {
      cwd: path.resolve(__dirname, '../../..'), encoding: 'utf8',
    });
    expect(out).toContain('### `xetl-dev-analytics`: 1 to add');
  });
});
