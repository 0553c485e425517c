import { ExternalRole } from './grantee';
import { ScopedRole } from './scoped-role';
import { resourcesOf, synthJson, testStack } from '../test-helpers';

describe('ScopedRole', () => {
  test('trusts a role in another account by account root narrowed to that role', () => {
    const stack = testStack();
    new ScopedRole(stack, 'R', {
      roleName: 'r', accountId: '111111111111', description: 'd',
      trustedRoles: [new ExternalRole('arn:aws:iam::222222222222:role/x', 'arn:aws:iam::222222222222:root')],
    });
    const json = synthJson(stack);
    const trust = JSON.parse(resourcesOf(json, 'aws_iam_role')[0].assume_role_policy as string);
    expect(trust.Statement).toEqual([{
      Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:root' }, Action: ['sts:AssumeRole'],
      Condition: { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::222222222222:role/x' } },
    }]);
  });

  test('has no policy at all until something grants it one, and never a managed policy', () => {
    const stack = testStack();
    new ScopedRole(stack, 'R', { roleName: 'r', accountId: '1', description: 'd', trustedServices: ['glue.amazonaws.com'] });
    const json = synthJson(stack);
    expect(json.resource.aws_iam_role_policy).toBeUndefined();
    expect(json.resource.aws_iam_role_policy_attachment).toBeUndefined();
    expect(JSON.stringify(json)).not.toContain('managed_policy_arns');
  });

  test('carries the tags granted to it, and refuses a second value for one key', () => {
    const stack = testStack();
    const role = new ScopedRole(stack, 'R', { roleName: 'r', accountId: '1', description: 'd', trustedServices: ['glue.amazonaws.com'] });
    role.addTag('RedshiftDbRoles', 'xetl_pipeline');
    role.addTag('RedshiftDbRoles', 'xetl_pipeline');
    role.addTag('team', 'data');
    expect(resourcesOf(synthJson(stack), 'aws_iam_role')[0].tags).toEqual({ RedshiftDbRoles: 'xetl_pipeline', team: 'data' });
    expect(() => role.addTag('RedshiftDbRoles', 'admin')).toThrow('tag RedshiftDbRoles is already xetl_pipeline, not admin');
  });

  test('refuses a role nobody can assume', () => {
    expect(() => new ScopedRole(testStack(), 'R', { roleName: 'r', accountId: '1', description: 'd' })).toThrow('name at least one trusted service or role');
  });
});
