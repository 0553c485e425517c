import { testStack, synthJson, resourcesOf } from '../test-helpers';
import { GithubActionsRole, MANAGED_POLICY_MAX_CHARS, chunkStatements } from './github-actions-role';
import type { PolicyStatement } from '../iam/policy';

const base = {
  roleName: 'r', description: 'd', providerArn: 'arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com',
  providerHost: 'token.actions.githubusercontent.com', audience: 'sts.amazonaws.com',
};
const stmt = (i: number): PolicyStatement => ({ Sid: `S${i}`, Effect: 'Allow', Action: ['s3:GetObject'], Resource: `arn:aws:s3:::bucket-${'x'.repeat(200)}-${i}/*` });

describe('GithubActionsRole', () => {
  test('refuses wildcard or missing subjects', () => {
    expect(() => new GithubActionsRole(testStack(), 'R', { ...base, subjects: ['repo:o/r:*'], statements: [] })).toThrow('subjects must be exact');
    expect(() => new GithubActionsRole(testStack(), 'R', { ...base, subjects: [], statements: [] })).toThrow('name at least one subject');
  });

  test('splits its permissions into managed policies under IAM\'s size limit, in order', () => {
    const stack = testStack();
    const statements = Array.from({ length: 60 }, (_, i) => stmt(i));
    new GithubActionsRole(stack, 'R', { ...base, subjects: ['repo:o/r:pull_request'], statements });
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
