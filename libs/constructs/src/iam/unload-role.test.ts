import { applyDefaults, Naming } from '@xetl/config';
import { resourcesOf, synthJson, testStack } from '../test-helpers';
import { UnloadRole } from './unload-role';

const names = new Naming(applyDefaults('dev', { region: 'eu-west-1', accounts: { source: '111111111111', analytics: '222222222222' } }));

describe('UnloadRole', () => {
  const stack = testStack();
  new UnloadRole(stack, 'Unload', { names });
  const json = synthJson(stack);

  test("is named from Naming and trusted only by account B's Redshift role", () => {
    const [role] = resourcesOf(json, 'aws_iam_role');
    expect(role.name).toBe('xetl-dev-unload');
    expect(JSON.parse(String(role.assume_role_policy)).Statement).toEqual([{
      Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:root' }, Action: ['sts:AssumeRole'],
      Condition: { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::222222222222:role/xetl-dev-redshift' } },
    }]);
  });

  test('has no permission until a bucket grants it one', () => {
    expect(json.resource.aws_iam_role_policy).toBeUndefined();
  });
});
