import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Construct } from 'constructs';
import { App, Aspects, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { MwaaEnvironment } from '@cdktf/provider-aws/lib/mwaa-environment';
import { RedshiftserverlessWorkgroup } from '@cdktf/provider-aws/lib/redshiftserverless-workgroup';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { AccessLogBucket } from '../storage/access-log-bucket';
import { DataKey } from '../storage/data-key';
import { SecureBucket } from '../storage/secure-bucket';
import { SecurityGuards, exemptFromGuard } from './security-guards';

/** Builds a guarded stack with `build`, synthesizes it the way `cdktf synth` does, returns the error. */
function synthError(build: (stack: TerraformStack) => void): string | undefined {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'guards-')) });
  const stack = new TerraformStack(app, 'guarded');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  Aspects.of(stack).add(new SecurityGuards());
  build(stack);
  try {
    app.synth();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'glue.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

function role(scope: Construct, id = 'Role'): IamRole {
  return new IamRole(scope, id, { name: 'r', assumeRolePolicy: trust });
}

function inlinePolicy(stack: TerraformStack, statement: object): void {
  new IamRolePolicy(stack, 'Offender', { role: role(stack).id, policy: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }) });
}

describe('security guards pass secure constructs', () => {
  test('a SecureBucket with its key and log bucket synthesizes', () => {
    expect(synthError((stack) => {
      const key = new DataKey(stack, 'Key', { alias: 'alias/k', description: 'd', accountId: '111111111111' });
      const logs = new AccessLogBucket(stack, 'Logs', { bucketName: 'logs', accountId: '111111111111', retentionDays: 30 });
      new SecureBucket(stack, 'Data', { bucketName: 'data', region: 'eu-west-1', encryptionKey: key, accessLogs: logs });
    })).toBeUndefined();
  });
});

describe('security guards fail synth, naming the construct', () => {
  test('on a "*" action', () => {
    const err = synthError((stack) => inlinePolicy(stack, { Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b' }));
    expect(err).toContain('[iam-wildcard-action] guarded/Offender');
  });

  test('on a service-wide wildcard such as s3:*', () => {
    const err = synthError((stack) => inlinePolicy(stack, { Effect: 'Allow', Action: ['s3:*'], Resource: 'arn:aws:s3:::b' }));
    expect(err).toContain('wildcard action(s) s3:*');
  });

  test('on a data action over every resource', () => {
    const err = synthError((stack) => inlinePolicy(stack, { Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' }));
    expect(err).toContain('[iam-unscoped-data-action] guarded/Offender');
  });

  test('but not on a Deny with a wildcard (TLS-only statements are denies)', () => {
    expect(synthError((stack) => inlinePolicy(stack, { Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::b' }))).toBeUndefined();
  });

  test('on an AWS-managed full-access policy', () => {
    const err = synthError((stack) => {
      new IamRolePolicyAttachment(stack, 'Attach', { role: role(stack).name, policyArn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess' });
    });
    expect(err).toContain('[iam-managed-full-access] guarded/Attach');
  });

  test('on a bare bucket: no TLS-only policy, no CMK, no public access block, ACLs on', () => {
    const err = synthError((stack) => new S3Bucket(stack, 'Public', { bucket: 'public' }));
    for (const rule of ['s3-tls-only', 's3-cmk-encryption', 's3-public-access-block', 's3-ownership-enforced']) {
      expect(err).toContain(`[${rule}] guarded/Public`);
    }
  });

  test('an exemption needs a reason and covers only its rule', () => {
    expect(() => exemptFromGuard(new TerraformStack(new App(), 's'), 's3-cmk-encryption', ' ')).toThrow('needs a reason');
    const err = synthError((stack) => {
      const b = new S3Bucket(stack, 'Logs', { bucket: 'logs' });
      exemptFromGuard(b, 's3-cmk-encryption', 'S3 log delivery requires SSE-S3');
    });
    expect(err).not.toContain('[s3-cmk-encryption]');
    expect(err).toContain('[s3-tls-only] guarded/Logs');
  });

  test('on a VPC endpoint policy that opens data actions to every account, but not when it pins the account', () => {
    const endpointPolicy = (condition?: object) => JSON.stringify({ Version: '2012-10-17', Statement: [{
      Effect: 'Allow', Principal: '*', Action: ['secretsmanager:GetSecretValue'], Resource: '*', ...(condition ? { Condition: condition } : {}),
    }] });
    const open = synthError((stack) => new VpcEndpoint(stack, 'Ep', { vpcId: 'vpc-1', serviceName: 'com.amazonaws.eu-west-1.secretsmanager', policy: endpointPolicy() }));
    expect(open).toContain('[iam-unscoped-data-action] guarded/Ep');
    const pinned = synthError((stack) => new VpcEndpoint(stack, 'Ep', {
      vpcId: 'vpc-1', serviceName: 'com.amazonaws.eu-west-1.secretsmanager',
      policy: endpointPolicy({ StringEquals: { 'aws:PrincipalAccount': ['111111111111'] } }),
    }));
    expect(pinned).toBeUndefined();
  });

  test('on a security group open to 0.0.0.0/0', () => {
    const err = synthError((stack) => new SecurityGroup(stack, 'Open', {
      name: 'open', description: 'd', ingress: [{ fromPort: 443, toPort: 443, protocol: 'tcp', cidrBlocks: ['0.0.0.0/0'], description: 'x' }],
    }));
    expect(err).toContain('[sg-open-to-world] guarded/Open');
  });

  test('on a public Redshift workgroup', () => {
    const err = synthError((stack) => new RedshiftserverlessWorkgroup(stack, 'Wg', { namespaceName: 'n', workgroupName: 'w', publiclyAccessible: true }));
    expect(err).toContain('[redshift-public] guarded/Wg');
  });

  test('on a public MWAA webserver', () => {
    const err = synthError((stack) => new MwaaEnvironment(stack, 'Mwaa', {
      name: 'm', executionRoleArn: 'arn:aws:iam::1:role/m', sourceBucketArn: 'arn:aws:s3:::airflow-x', dagS3Path: 'dags',
      networkConfiguration: { securityGroupIds: ['sg-1'], subnetIds: ['s-1', 's-2'] }, webserverAccessMode: 'PUBLIC_ONLY',
    }));
    expect(err).toContain('[mwaa-public] guarded/Mwaa');
  });

  test('on a log group without retention', () => {
    const err = synthError((stack) => new CloudwatchLogGroup(stack, 'Logs', { name: 'l' }));
    expect(err).toContain('[logs-retention] guarded/Logs');
  });
});
