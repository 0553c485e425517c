import { AccessLogBucket } from './access-log-bucket';
import { DataKey } from './data-key';
import { SecureBucket } from './secure-bucket';
import { ExternalRole } from '../iam/grantee';
import { ScopedRole } from '../iam/scoped-role';
import { allStatements, asArray, resourcesOf, synthJson, testStack } from '../test-helpers';

function build(props: { allowDestroy?: boolean; transitionDays?: number } = {}) {
  const stack = testStack();
  const key = new DataKey(stack, 'Key', { alias: 'alias/test-data', description: 'test', accountId: '111111111111' });
  const logs = new AccessLogBucket(stack, 'Logs', { bucketName: 'test-logs', accountId: '111111111111', retentionDays: 30 });
  const bucket = new SecureBucket(stack, 'Data', {
    bucketName: 'test-data', region: 'eu-west-1', encryptionKey: key, accessLogs: logs,
    allowDestroy: props.allowDestroy, transitionToInfrequentAccessDays: props.transitionDays,
  });
  return { stack, key, bucket };
}

const glue = new ExternalRole('arn:aws:iam::222222222222:role/xetl-dev-glue', 'arn:aws:iam::222222222222:root');
const mwaa = new ExternalRole('arn:aws:iam::222222222222:role/xetl-dev-mwaa', 'arn:aws:iam::222222222222:root');

function bucketPolicy(json: ReturnType<typeof synthJson>, bucketName: string) {
  const policies = resourcesOf(json, 'aws_s3_bucket_policy');
  const buckets = json.resource.aws_s3_bucket;
  const id = Object.keys(buckets).find((k) => buckets[k].bucket === bucketName);
  const policy = policies.find((p) => String(p.bucket).includes(`aws_s3_bucket.${id}.`));
  return JSON.parse(policy?.policy as string).Statement as Array<Record<string, any>>;
}

describe('SecureBucket defaults', () => {
  const { stack } = build();
  const json = synthJson(stack);

  test('encrypts with the customer-managed key and a bucket key', () => {
    const sse = resourcesOf(json, 'aws_s3_bucket_server_side_encryption_configuration')
      .find((r) => JSON.stringify(r).includes('aws:kms')) as any;
    expect(sse.rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe('aws:kms');
    expect(sse.rule[0].apply_server_side_encryption_by_default.kms_master_key_id).toMatch(/aws_kms_key\.Key_[0-9A-F]+\.arn/);
    expect(sse.rule[0].bucket_key_enabled).toBe(true);
  });

  test('blocks all public access and disables ACLs', () => {
    for (const pab of resourcesOf(json, 'aws_s3_bucket_public_access_block')) {
      expect(pab).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    }
    for (const own of resourcesOf(json, 'aws_s3_bucket_ownership_controls')) {
      expect(own).toMatchObject({ rule: { object_ownership: 'BucketOwnerEnforced' } });
    }
  });

  test('versions objects and logs access to the log bucket', () => {
    expect(resourcesOf(json, 'aws_s3_bucket_versioning')).toHaveLength(2);
    const logging = resourcesOf(json, 'aws_s3_bucket_logging')[0] as any;
    expect(logging).toMatchObject({ target_prefix: 'test-data/' });
    expect(logging.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_policy\.Logs_Policy_/)]);
  });

  test('refuses plain HTTP and old TLS', () => {
    const sids = bucketPolicy(json, 'test-data').filter((s) => s.Effect === 'Deny').map((s) => s.Sid);
    expect(sids).toEqual(['DenyInsecureTransport', 'DenyOutdatedTls']);
  });

  test('aborts multipart uploads and expires old versions, with no transition by default', () => {
    const lifecycle = resourcesOf(json, 'aws_s3_bucket_lifecycle_configuration').find((l) => JSON.stringify(l).includes('abort-incomplete')) as any;
    expect(lifecycle.rule.map((r: any) => r.id)).toEqual(['abort-incomplete-multipart-uploads', 'expire-noncurrent-versions']);
  });

  test('protects data from destroy', () => {
    const b = Object.values(json.resource.aws_s3_bucket).find((r) => r.bucket === 'test-data') as any;
    expect(b.lifecycle).toEqual({ prevent_destroy: true });
    expect(b.force_destroy).toBe(false);
  });

  test('rotates its key', () => {
    expect(resourcesOf(json, 'aws_kms_key')[0]).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
  });
});

describe('SecureBucket options', () => {
  test('a throwaway environment may destroy data', () => {
    const json = synthJson(build({ allowDestroy: true }).stack);
    const b = Object.values(json.resource.aws_s3_bucket).find((r) => r.bucket === 'test-data') as any;
    expect(b.lifecycle).toEqual({ prevent_destroy: false });
    expect(b.force_destroy).toBe(true);
  });

  test('every bucket, data or access-log, sends its events to EventBridge (free on the default bus; CKV2_AWS_62)', () => {
    const notifications = resourcesOf(synthJson(build().stack), 'aws_s3_bucket_notification');
    expect(notifications).toHaveLength(2);
    for (const n of notifications) expect(n.eventbridge).toBe(true);
  });

  test('expires the prefixes it is told to, each after its own days', () => {
    const stack = testStack();
    const key = new DataKey(stack, 'Key', { alias: 'alias/k', description: 'test', accountId: '111111111111' });
    const logs = new AccessLogBucket(stack, 'Logs', { bucketName: 'l', accountId: '111111111111', retentionDays: 30 });
    new SecureBucket(stack, 'Staging', {
      bucketName: 'staging', region: 'eu-west-1', encryptionKey: key, accessLogs: logs,
      expirePrefixes: { 'glue-temp/': 7, 'quarantine/': 90 },
    });
    const lifecycle = resourcesOf(synthJson(stack), 'aws_s3_bucket_lifecycle_configuration').find((l) => JSON.stringify(l).includes('expire-prefix')) as any;
    expect(lifecycle.rule.filter((r: any) => r.id.startsWith('expire-prefix'))).toEqual([
      { id: 'expire-prefix-glue-temp', status: 'Enabled', filter: [{ prefix: 'glue-temp/' }], expiration: [{ days: 7 }] },
      { id: 'expire-prefix-quarantine', status: 'Enabled', filter: [{ prefix: 'quarantine/' }], expiration: [{ days: 90 }] },
    ]);
    expect(() => new SecureBucket(stack, 'Bad', {
      bucketName: 'bad', region: 'eu-west-1', encryptionKey: key, accessLogs: logs, expirePrefixes: { 'glue-temp': 7 },
    })).toThrow('expirePrefixes: "glue-temp" must be a folder ending in "/"');
  });

  test('a transition to STANDARD_IA is added when asked', () => {
    const json = synthJson(build({ transitionDays: 90 }).stack);
    expect(JSON.stringify(json.resource.aws_s3_bucket_lifecycle_configuration)).toContain('"storage_class":"STANDARD_IA"');
  });
});

describe('SecureBucket grants', () => {
  test('grantRead admits exactly the named roles, on exactly the prefix, through the key too', () => {
    const { stack, bucket } = build();
    bucket.grantRead([glue, mwaa], 'products/');
    const json = synthJson(stack);
    const allows = bucketPolicy(json, 'test-data').filter((s) => s.Effect === 'Allow');
    expect(allows.map((s) => s.Action)).toEqual([['s3:GetBucketLocation'], ['s3:ListBucket'], ['s3:GetObject']]);
    for (const s of allows) {
      expect(s.Principal).toEqual({ AWS: 'arn:aws:iam::222222222222:root' });
      expect(s.Condition.ArnEquals['aws:PrincipalArn']).toEqual([glue.roleArn, mwaa.roleArn]);
    }
    expect(allows[1].Condition.StringLike['s3:prefix']).toEqual(['products/', 'products/*']);
    expect(allows[2].Resource).toMatch(/\/products\/\*$/);

    const keyPolicy = JSON.parse(resourcesOf(json, 'aws_kms_key')[0].policy as string).Statement;
    const keyGrant = keyPolicy.find((s: any) => s.Sid === 'DataRead1');
    expect(keyGrant.Action).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
    expect(keyGrant.Condition).toEqual({
      ArnEquals: { 'aws:PrincipalArn': [glue.roleArn, mwaa.roleArn] },
      StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
    });
  });

  test('grantWrite to a role of the stack also writes the role policy', () => {
    const { stack, bucket } = build();
    const role = new ScopedRole(stack, 'Writer', { roleName: 'writer', accountId: '111111111111', description: 'd', trustedRoles: [glue] });
    bucket.grantWrite([role], 'products/');
    const json = synthJson(stack);
    const inline = JSON.parse(resourcesOf(json, 'aws_iam_role_policy')[0].policy as string).Statement;
    expect(inline.map((s: any) => s.Action)).toEqual(expect.arrayContaining([
      ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject'],
      ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
    ]));
    // The role's own statement carries the via-service condition too: the key policy delegates to
    // IAM (its account statement), so the role policy is where a direct decrypt is refused.
    const keyUse = inline.find((s: any) => [s.Action].flat().includes('kms:Encrypt'));
    expect(keyUse.Condition).toEqual({ StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } });
  });

  test('restrictWritesTo denies everyone else object writes under the prefix', () => {
    const { stack, bucket } = build();
    bucket.restrictWritesTo([glue], 'products/');
    const deny = bucketPolicy(synthJson(stack), 'test-data').find((s) => s.Sid?.startsWith('OnlyNamedWriters'));
    expect(deny).toMatchObject({
      Effect: 'Deny', Principal: '*', Action: ['s3:DeleteObject', 's3:PutObject'],
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': glue.roleArn } },
    });
  });

  test('no Allow statement anywhere carries a wildcard action', () => {
    const { stack, bucket } = build();
    bucket.grantRead([glue], 'products/');
    const allows = allStatements(synthJson(stack)).filter((s) => s.Effect === 'Allow');
    expect(allows.flatMap((s) => asArray(s.Action)).filter((a) => a.includes('*'))).toEqual([]);
  });
});

describe('AccessLogBucket', () => {
  const { stack } = build();
  const json = synthJson(stack);
  test('accepts only S3 log delivery from its own account', () => {
    const allow = bucketPolicy(json, 'test-logs').find((s) => s.Effect === 'Allow');
    expect(allow).toMatchObject({
      Principal: { Service: 'logging.s3.amazonaws.com' }, Action: ['s3:PutObject'],
      Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
    });
  });
  test('uses S3-managed encryption, which S3 log delivery requires', () => {
    expect(JSON.stringify(json.resource.aws_s3_bucket_server_side_encryption_configuration)).toContain('"sse_algorithm":"AES256"');
  });
});
