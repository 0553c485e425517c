import { testStack, synthJson, resourcesOf } from '../test-helpers';
import { GithubActionsRole, MANAGED_POLICY_MAX_CHARS, chunkStatements } from './github-actions-role';
import type { PolicyStatement } from '../iam/policy';

const base = {
  roleName: 'r', description: 'd', providerArn: 'arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com',
  providerHost: 'token.actions.githubusercontent.com', audience: 'sts.amazonaws.com',
};
const stmt = (i: number): PolicyStatement => ({ Sid: `S${i}`, Effect: 'Allow', Action: ['s3:GetObject'], Resource: `arn:aws:s3:::bucket-${'x'.repeat(200)}-${i}/*` });

describe('GithubActionsRole', () => {
  test('pins every claim of each trust exactly, and a pull request number alone by StringLike', () => {
    const stack = testStack();
    new GithubActionsRole(stack, 'R', {
      ...base, statements: [stmt(1)],
      trusts: [
        { exact: { sub: 'repo:o/r:ref:refs/heads/main', ref: 'refs/heads/main', job_workflow_ref: 'o/r/.github/workflows/ci.yml@refs/heads/main' } },
        { exact: { sub: 'repo:o/r:pull_request' }, pullRequestRefs: { job_workflow_ref: 'o/r/.github/workflows/ci.yml@refs/pull/*/merge' } },
      ],
    });
    const trust = JSON.parse(resourcesOf(synthJson(stack), 'aws_iam_role')[0].assume_role_policy as string).Statement;
    const host = 'token.actions.githubusercontent.com';
    expect(trust.map((t: any) => t.Condition)).toEqual([
      { StringEquals: { [`${host}:aud`]: 'sts.amazonaws.com', [`${host}:job_workflow_ref`]: 'o/r/.github/workflows/ci.yml@refs/heads/main', [`${host}:ref`]: 'refs/heads/main', [`${host}:sub`]: 'repo:o/r:ref:refs/heads/main' } },
      { StringEquals: { [`${host}:aud`]: 'sts.amazonaws.com', [`${host}:sub`]: 'repo:o/r:pull_request' }, StringLike: { [`${host}:job_workflow_ref`]: 'o/r/.github/workflows/ci.yml@refs/pull/*/merge' } },
    ]);
  });

  test('refuses a trust without sub, a wildcard in an exact claim, and any other wildcard', () => {
    const role = (trusts: any[]) => () => new GithubActionsRole(testStack(), 'R', { ...base, trusts, statements: [] });
    expect(role([])).toThrow('name at least one trust');
    expect(role([{ exact: { ref: 'refs/heads/main' } }])).toThrow('every trust pins the sub claim');
    expect(role([{ exact: { sub: 'repo:o/r:*' } }])).toThrow('claims must be exact, got repo:o/r:*');
    expect(role([{ exact: { sub: 'repo:o/r:pull_request' }, pullRequestRefs: { job_workflow_ref: 'o/r/.github/workflows/*' } }]))
      .toThrow('a wildcard may only stand for a pull request number (refs/pull/*/merge), got o/r/.github/workflows/*');
    expect(role([{ exact: { sub: 'repo:o/r:pull_request' }, pullRequestRefs: { ref: 'refs/*/pull/*/merge' } }])).toThrow('a wildcard may only stand for a pull request number');
  });

  test('splits its permissions into managed policies under IAM\'s size limit, in order', () => {
    const stack = testStack();
    const statements = Array.from({ length: 60 }, (_, i) => stmt(i));
    new GithubActionsRole(stack, 'R', { ...base, trusts: [{ exact: { sub: 'repo:o/r:pull_request' } }], statements });
    const policies = resourcesOf(synthJson(stack), 'aws_iam_policy');
    expect(policies.length).toBeGreaterThan(1);
    for (const p of policies) expect((p.policy as string).length).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
    const sids = policies.flatMap((p) => JSON.parse(p.policy as string).Statement.map((s: PolicyStatement) => s.Sid));
    expect(sids).toEqual(statements.map((s) => s.Sid));
    expect(resourcesOf(synthJson(stack), 'aws_iam_role_policy_attachment')).toHaveLength(policies.length);
  });

  test('chunking refuses a statement that alone exceeds the limit', () => {
    expect(() => chunkStatements([stmt(1)], 100)).toThrow('alone exceeds 100 characters');
  });
});
