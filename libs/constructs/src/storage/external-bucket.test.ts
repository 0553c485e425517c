import { ScopedRole } from '../iam/scoped-role';
import { resourcesOf, synthJson, testStack } from '../test-helpers';
import { ExternalBucket } from './external-bucket';

describe('ExternalBucket', () => {
  const stack = testStack();
  const role = new ScopedRole(stack, 'Reader', { roleName: 'reader', accountId: '222222222222', description: 'd', trustedServices: ['glue.amazonaws.com'] });
  const source = new ExternalBucket(stack, 'Source', { bucketName: 'src', region: 'eu-west-1', keyArnPattern: 'arn:aws:kms:eu-west-1:111111111111:key/*' });
  source.grantRead(role, 'products/');
  source.grantRead(role, 'other/');
  const json = synthJson(stack);

  test('creates no resource of its own', () => {
    expect(Object.keys(json.resource).sort()).toEqual(['aws_iam_role', 'aws_iam_role_policy']);
  });

  test('grantRead writes the S3 prefix statements and the KMS decrypt through S3 together', () => {
    const statements = JSON.parse(String(resourcesOf(json, 'aws_iam_role_policy')[0].policy)).Statement;
    expect(statements.slice(0, 4)).toEqual([
      { Effect: 'Allow', Action: ['s3:GetBucketLocation'], Resource: 'arn:aws:s3:::src' },
      { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: 'arn:aws:s3:::src', Condition: { StringLike: { 's3:prefix': ['products/', 'products/*'] } } },
      { Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::src/products/*' },
      {
        Sid: 'DecryptSourceThroughS3', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: 'arn:aws:kms:eu-west-1:111111111111:key/*',
        Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
      },
    ]);
    // A second grant to the same role keeps statement ids unique, as IAM requires.
    const sids = statements.map((s: { Sid?: string }) => s.Sid).filter(Boolean);
    expect(new Set(sids).size).toBe(sids.length);
  });

  test('refuses a role it cannot write a policy for', () => {
    expect(() => source.grantRead({ roleArn: 'arn:aws:iam::3:role/x', accountRootArn: 'arn:aws:iam::3:root' }, 'p/')).toThrow('grantRead needs a role of this stack');
  });
});
