import { Testing } from 'cdktf';
import { loadConfig, selectEnvironment } from '@xetl/config';
import { SourceAccountStack } from './source-account-stack';

const config = loadConfig();
type Statement = { Sid?: string; Effect: string; Principal?: any; Action: string | string[]; Resource?: string | string[]; Condition?: any };

function synth(envName: string) {
  const app = Testing.app();
  const stack = new SourceAccountStack(app, selectEnvironment(config, envName));
  return { stack, json: JSON.parse(Testing.synth(stack)) };
}

function policies(json: any, type: string, attr = 'policy'): Statement[] {
  return Object.values(json.resource[type] ?? {}).flatMap((r: any) => JSON.parse(r[attr]).Statement);
}

describe('SourceAccountStack (dev: account A 111111111111, account B 222222222222)', () => {
  const { json } = synth('dev');
  const B = 'arn:aws:iam::222222222222';

  test('pins the provider to account A and keeps state in its S3 backend with locking', () => {
    expect(json.provider.aws[0].allowed_account_ids).toEqual(['111111111111']);
    expect(json.terraform.backend.s3).toEqual({
      bucket: 'xetl-tfstate-111111111111-eu-west-1', key: 'xetl/dev/xetl-dev-source.tfstate',
      region: 'eu-west-1', dynamodb_table: 'xetl-tfstate-lock', encrypt: true,
    });
  });

  test('creates the source, target and access-log buckets under derived names', () => {
    const names = Object.values(json.resource.aws_s3_bucket).map((b: any) => b.bucket).sort();
    expect(names).toEqual([
      'xetl-dev-source-111111111111-eu-west-1',
      'xetl-dev-source-logs-111111111111-eu-west-1',
      'xetl-dev-target-111111111111-eu-west-1',
    ]);
  });

  test("grants account B's Glue and MWAA roles read on products/ and nothing else", () => {
    const crossAccount = policies(json, 'aws_s3_bucket_policy').filter((s) => s.Effect === 'Allow' && JSON.stringify(s.Principal).includes('222222222222'));
    const admitted = new Set(crossAccount.flatMap((s) => [s.Condition.ArnEquals['aws:PrincipalArn']].flat()));
    expect([...admitted].sort()).toEqual([`${B}:role/xetl-dev-glue`, `${B}:role/xetl-dev-mwaa`]);
    expect(new Set(crossAccount.flatMap((s) => [s.Action].flat()))).toEqual(new Set(['s3:GetBucketLocation', 's3:ListBucket', 's3:GetObject']));
    for (const s of crossAccount) expect(JSON.stringify(s.Resource)).toContain('Source_Bucket');
  });

  test('lets only the unload role write the target prefix', () => {
    const target = policies(json, 'aws_s3_bucket_policy').filter((s) => JSON.stringify(s.Resource).includes('Target_Bucket'));
    const writers = target.filter((s) => s.Effect === 'Allow' && [s.Action].flat().includes('s3:PutObject'));
    expect(writers).toHaveLength(1);
    expect(writers[0].Condition.ArnEquals['aws:PrincipalArn']).toMatch(/aws_iam_role\.Unload_Role_.*\.arn/);
    const deny = target.find((s) => s.Sid?.startsWith('OnlyNamedWriters'));
    expect(deny?.Condition.ArnNotEquals['aws:PrincipalArn']).toMatch(/aws_iam_role\.Unload_Role_.*\.arn/);
  });

  test("trusts only account B's Redshift role to assume the unload role", () => {
    // Roles assumed by principals (the marker forwarder's role is assumed by EventBridge only).
    const trust = policies(json, 'aws_iam_role', 'assume_role_policy').filter((s) => s.Principal.AWS);
    expect(trust).toEqual([{
      Effect: 'Allow', Principal: { AWS: `${B}:root` }, Action: ['sts:AssumeRole'],
      Condition: { ArnEquals: { 'aws:PrincipalArn': `${B}:role/xetl-dev-redshift` } },
    }]);
  });

  test("the key lets account B's roles only decrypt, only through S3", () => {
    const crossAccount = policies(json, 'aws_kms_key').filter((s) => JSON.stringify(s.Principal).includes('222222222222'));
    expect(crossAccount).toHaveLength(1);
    expect(crossAccount[0].Action).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
    expect(crossAccount[0].Condition.StringEquals).toEqual({ 'kms:ViaService': 's3.eu-west-1.amazonaws.com' });
  });

  test('no Allow statement has a wildcard action, and no managed policy is attached', () => {
    const all = [...policies(json, 'aws_s3_bucket_policy'), ...policies(json, 'aws_kms_key'), ...policies(json, 'aws_iam_role_policy'), ...policies(json, 'aws_iam_role', 'assume_role_policy')];
    const wildcards = all.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action].flat()).filter((a) => a.includes('*'));
    expect(wildcards).toEqual([]);
    expect(json.resource.aws_iam_role_policy_attachment).toBeUndefined();
    expect(JSON.stringify(json)).not.toMatch(/arn:aws:iam::aws:policy\//);
  });

  test('the unload role may write only the target prefix', () => {
    const inline = policies(json, 'aws_iam_role_policy');
    const s3 = inline.filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:')));
    for (const s of s3) expect(JSON.stringify(s.Resource)).toContain('Target_Bucket');
  });

  test('data buckets refuse destroy unless the environment allows it', () => {
    const prod = synth('prod').json;
    for (const b of Object.values(prod.resource.aws_s3_bucket) as any[]) expect(b.lifecycle.prevent_destroy).toBe(true);
    for (const b of Object.values(json.resource.aws_s3_bucket) as any[]) expect(b.lifecycle.prevent_destroy).toBe(false);
  });
});

describe('SourceAccountStack with one account for both sides (local)', () => {
  const { json } = synth('local');
  test('uses a local backend and still names the analytics roles by ARN', () => {
    expect(json.terraform.backend.local.path).toContain('.work/terraform-state/xetl-local-source.tfstate');
    expect(JSON.stringify(json)).toContain('arn:aws:iam::123456789012:role/xetl-local-glue');
  });
});
