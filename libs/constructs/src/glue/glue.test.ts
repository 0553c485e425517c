// Types of cdktf's jest matchers (registered at runtime by Testing.setupJest in the jest setup).
import type {} from 'cdktf/lib/testing/adapters/jest';
import { Testing } from 'cdktf';
import { GlueCrawler } from '@cdktf/provider-aws/lib/glue-crawler';
import { GlueJob } from '@cdktf/provider-aws/lib/glue-job';
import { GlueSecurityConfiguration } from '@cdktf/provider-aws/lib/glue-security-configuration';
import { applyDefaults, Naming } from '@xetl/config';
import { ScopedRole } from '../iam/scoped-role';
import { AccessLogBucket } from '../storage/access-log-bucket';
import { DataKey } from '../storage/data-key';
import { ExternalBucket } from '../storage/external-bucket';
import { SecureBucket } from '../storage/secure-bucket';
import { roleStatements, synthJson, testStack } from '../test-helpers';
import { FeedCrawler } from './crawler';
import { GlueRole } from './glue-role';
import { FeedJob } from './job';
import { GlueSecurityConfig } from './security-configuration';

const env = applyDefaults('dev', {
  region: 'eu-west-1', accounts: { source: '111111111111', analytics: '222222222222' }, glue: { executionClass: 'FLEX' },
});
const names = new Naming(env);

function build() {
  const stack = testStack();
  const key = new DataKey(stack, 'Key', { alias: names.analyticsKeyAlias, description: 'test', accountId: '222222222222' });
  const logs = new AccessLogBucket(stack, 'Logs', { bucketName: 'logs', accountId: '222222222222', retentionDays: 30 });
  const bucket = (id: string, name: string) => new SecureBucket(stack, id, { bucketName: name, region: 'eu-west-1', encryptionKey: key, accessLogs: logs });
  const role = new GlueRole(stack, 'GlueRole', { names });
  const securityConfiguration = new GlueSecurityConfig(stack, 'GlueSecurity', { names, encryptionKey: key, role, logRetentionDays: 30 });
  const crawler = new FeedCrawler(stack, 'Crawler', { names, role, securityConfiguration });
  const job = new FeedJob(stack, 'Job', {
    names, role, securityConfiguration, stagingBucket: bucket('Staging', names.stagingBucket), assetsBucket: bucket('Assets', names.assetsBucket), glue: env.glue,
  });
  new ExternalBucket(stack, 'Source', { bucketName: names.sourceBucket, region: 'eu-west-1', keyArnPattern: names.dataKeyArnPattern }).grantRead(role, 'products/');
  const caller = new ScopedRole(stack, 'Caller', { roleName: 'caller', accountId: '222222222222', description: 'test', trustedServices: ['airflow.amazonaws.com'] });
  crawler.grantRun(caller);
  job.grantRun(caller);
  return { json: synthJson(stack), raw: Testing.synth(stack) };
}


describe('Glue: role, security configuration, crawler and job', () => {
  const { json, raw } = build();

  test('crawls only new folders of the source prefix in account A, with the security configuration', () => {
    expect(raw).toHaveResourceWithProperties(GlueCrawler, {
      name: 'xetl-dev-products',
      s3_target: [expect.objectContaining({ path: `s3://${names.sourceBucket}/products/` })],
      recrawl_policy: { recrawl_behavior: 'CRAWL_NEW_FOLDERS_ONLY' },
      schema_change_policy: { update_behavior: 'LOG', delete_behavior: 'LOG' },
      security_configuration: expect.stringMatching(/aws_glue_security_configuration/),
    });
  });

  test('encrypts S3 output, logs and bookmarks with the key', () => {
    expect(raw).toHaveResourceWithProperties(GlueSecurityConfiguration, {
      encryption_configuration: {
        s3_encryption: { s3_encryption_mode: 'SSE-KMS', kms_key_arn: expect.stringMatching(/aws_kms_key/) },
        cloudwatch_encryption: { cloudwatch_encryption_mode: 'SSE-KMS', kms_key_arn: expect.stringMatching(/aws_kms_key/) },
        job_bookmarks_encryption: { job_bookmarks_encryption_mode: 'CSE-KMS', kms_key_arn: expect.stringMatching(/aws_kms_key/) },
      },
    });
  });

  test('lets the Glue role use the key only through S3 (its output) and Glue (the encrypted Data Catalog)', () => {
    const [key] = Object.values(json.resource.aws_kms_key) as any[];
    const grant = JSON.parse(key.policy).Statement.find((s: any) => s.Sid === 'GlueSecurityConfiguration');
    const via = { 'kms:ViaService': ['glue.eu-west-1.amazonaws.com', 's3.eu-west-1.amazonaws.com'] };
    expect(grant.Condition.StringEquals).toEqual(via);
    const own = roleStatements(json, 'xetl-dev-glue').filter((s) => [s.Action].flat().includes('kms:Encrypt'));
    for (const s of own) expect(s.Condition?.StringEquals?.['kms:ViaService']).toBeDefined();
    expect(own.some((s) => JSON.stringify(s.Condition) === JSON.stringify({ StringEquals: via }))).toBe(true);
  });

  test('creates the log groups Glue writes under the security configuration, with retention and the key, before the crawler and job', () => {
    const groups = Object.entries(json.resource.aws_cloudwatch_log_group) as Array<[string, any]>;
    expect(groups.map(([, g]) => g.name).sort()).toEqual([
      '/aws-glue/crawlers-role/xetl-dev-glue-xetl-dev-glue',
      '/aws-glue/jobs-xetl-dev-glue-xetl-dev-glue/error', '/aws-glue/jobs-xetl-dev-glue-xetl-dev-glue/logs-v2',
      '/aws-glue/jobs-xetl-dev-glue-xetl-dev-glue/output',
    ]);
    for (const [, g] of groups) expect(g).toMatchObject({ retention_in_days: 30, kms_key_id: expect.stringMatching(/aws_kms_key/) });
    const [job] = Object.values(json.resource.aws_glue_job) as any[];
    const [crawler] = Object.values(json.resource.aws_glue_crawler) as any[];
    expect(job.default_arguments['--continuous-log-logGroup']).toBe('/aws-glue/jobs-xetl-dev-glue-xetl-dev-glue/logs-v2');
    for (const r of [job, crawler]) expect([...r.depends_on].sort()).toEqual(groups.map(([k]) => `aws_cloudwatch_log_group.${k}`).sort());
  });

  test('encrypts the Data Catalog (metadata and connection passwords) with the key', () => {
    const [settings] = Object.values(json.resource.aws_glue_data_catalog_encryption_settings) as any[];
    expect(settings.data_catalog_encryption_settings).toEqual({
      encryption_at_rest: { catalog_encryption_mode: 'SSE-KMS', sse_aws_kms_key_id: expect.stringMatching(/aws_kms_key\..*\.arn/) },
      connection_password_encryption: { return_connection_password_encrypted: true, aws_kms_key_id: expect.stringMatching(/aws_kms_key\..*\.arn/) },
    });
  });

  test('runs the Glue 5.0 job from the assets bucket with sizing from config and the contract arguments', () => {
    expect(raw).toHaveResourceWithProperties(GlueJob, {
      glue_version: '5.0',
      worker_type: 'G.1X',
      number_of_workers: 2,
      execution_class: 'FLEX',
      timeout: 60,
      command: expect.objectContaining({ script_location: `s3://${names.assetsBucket}/glue-scripts/xetl_products_job.py` }),
      default_arguments: expect.objectContaining({
        '--extra-py-files': `s3://${names.assetsBucket}/glue-scripts/xetl_transform.zip`,
        '--extra-jars': `s3://${names.assetsBucket}/glue-scripts/xetl-transform.jar`,
        '--job-bookmark-option': 'job-bookmark-disable',
        '--enable-metrics': 'true',
        '--enable-continuous-cloudwatch-log': 'true',
        '--TempDir': `s3://${names.stagingBucket}/glue-temp/`,
        '--source_uri': `s3://${names.sourceBucket}/products`,
        '--staging_uri': `s3://${names.stagingBucket}`,
      }),
    });
  });

  test('leaves retries to Airflow (no Glue retries) and runs one partition at a time', () => {
    expect(raw).toHaveResourceWithProperties(GlueJob, { max_retries: 0, execution_property: { max_concurrent_runs: 1 } });
  });

  test('scopes the Glue role to the source prefix, staging prefixes, scripts, its logs and the database', () => {
    const statements = roleStatements(json, 'xetl-dev-glue');
    const resources = statements.flatMap((s) => [s.Resource].flat()).map(String);
    expect(resources).toEqual(expect.arrayContaining([
      `arn:aws:s3:::${names.sourceBucket}/products/*`,
      'arn:aws:kms:eu-west-1:111111111111:key/*',
      'arn:aws:glue:eu-west-1:222222222222:database/xetl_dev',
      'arn:aws:glue:eu-west-1:222222222222:table/xetl_dev/*',
      'arn:aws:logs:eu-west-1:222222222222:log-group:/aws-glue/*',
    ]));
    for (const prefix of ['curated', 'quarantine', 'manifests', 'glue-temp']) {
      const onPrefix = statements.filter((s) => [s.Resource].flat().some((r) => String(r).endsWith(`/${prefix}/*`) && String(r).includes('Staging')));
      // Writes its outputs, and reads them back to count what it reports in the manifest.
      expect(onPrefix.flatMap((s) => s.Action)).toEqual(expect.arrayContaining(['s3:PutObject', 's3:GetObject']));
    }
    for (const s of statements) {
      for (const a of s.Action) expect(a).not.toContain('*');
      if ([s.Resource].flat().includes('*')) expect(s).toMatchObject({ Action: ['cloudwatch:PutMetricData'], Condition: { StringEquals: { 'cloudwatch:namespace': 'Glue' } } });
    }
    const source = statements.find((s) => s.Sid === 'DecryptSourceThroughS3');
    expect(source?.Condition).toEqual({ StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } });
  });

  test("grantRun: exactly the calls of provider 9.12.0's GlueCrawlerOperator and GlueJobOperator (GetJob before StartJobRun)", () => {
    const statements = roleStatements(json, 'caller');
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(Object.keys(bySid).sort()).toEqual(['RunCrawler', 'RunJob']);
    expect(bySid.RunCrawler).toEqual({ Sid: 'RunCrawler', Effect: 'Allow', Action: ['glue:GetCrawler', 'glue:StartCrawler'], Resource: expect.stringMatching(/aws_glue_crawler\..*\.arn/) });
    expect(bySid.RunJob).toEqual({
      Sid: 'RunJob', Effect: 'Allow', Action: ['glue:BatchStopJobRun', 'glue:GetJob', 'glue:GetJobRun', 'glue:StartJobRun'],
      Resource: expect.stringMatching(/aws_glue_job\..*\.arn/),
    });
  });
});
