// Types of cdktf's jest matchers (registered at runtime by Testing.setupJest in the jest setup).
import type {} from 'cdktf/lib/testing/adapters/jest';
import { TerraformOutput, Testing } from 'cdktf';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { MwaaEnvironment } from '@cdktf/provider-aws/lib/mwaa-environment';
import { PARKED_COUNT, applyDefaults, Naming, type EnvironmentConfig } from '@xetl/config';
import { ParkSwitch } from '../park/park-switch';
import { AccessLogBucket } from '../storage/access-log-bucket';
import { DataKey } from '../storage/data-key';
import { SecureBucket } from '../storage/secure-bucket';
import { resourcesOf, synthJson, testStack } from '../test-helpers';
import { AirflowEnvironment, SECRETS_MANAGER_BACKEND } from './airflow-environment';

const env = applyDefaults('dev', { region: 'eu-west-1', accounts: { source: '111111111111', analytics: '222222222222' } });
const names = new Naming(env);

function build(mwaa: EnvironmentConfig['mwaa'] = env.mwaa, withPark = false) {
  const stack = testStack();
  const key = new DataKey(stack, 'Key', { alias: names.analyticsKeyAlias, description: 'test', accountId: '222222222222' });
  const logs = new AccessLogBucket(stack, 'Logs', { bucketName: 'logs', accountId: '222222222222', retentionDays: 30 });
  const bucket = new SecureBucket(stack, 'Airflow', { bucketName: names.airflowBucket, region: 'eu-west-1', encryptionKey: key, accessLogs: logs });
  const endpoint = new VpcEndpoint(stack, 'SqsEndpoint', { vpcId: 'vpc-1', serviceName: 'com.amazonaws.eu-west-1.sqs', vpcEndpointType: 'Interface' });
  const park = withPark ? new ParkSwitch(stack, 'Park', { names }) : undefined;
  const airflow = new AirflowEnvironment(stack, 'Mwaa', {
    names, encryptionKey: key, sourceBucket: bucket, requirementsObjectVersion: 'v1',
    subnetIds: ['subnet-a', 'subnet-b'], securityGroupIds: ['sg-m'], mwaa, logRetentionDays: 30, dependsOn: [endpoint], park,
  });
  new TerraformOutput(stack, 'webserver_url', { value: airflow.webserverUrl });
  return { json: synthJson(stack) as ReturnType<typeof synthJson> & { output: Record<string, { value: unknown }> }, raw: Testing.synth(stack) };
}

describe('AirflowEnvironment', () => {
  const { json, raw } = build();

  test('serves the webserver privately, with a customer-managed key, in two private subnets', () => {
    expect(raw).toHaveResourceWithProperties(MwaaEnvironment, {
      name: 'xetl-dev',
      airflow_version: '3.0.6',
      environment_class: 'mw1.small',
      webserver_access_mode: 'PRIVATE_ONLY',
      kms_key: expect.stringMatching(/aws_kms_key\..*\.arn/),
      source_bucket_arn: expect.stringMatching(/aws_s3_bucket\..*\.arn/),
      dag_s3_path: 'dags',
      requirements_s3_path: 'dags/requirements.txt',
      requirements_s3_object_version: 'v1',
      network_configuration: { subnet_ids: ['subnet-a', 'subnet-b'], security_group_ids: ['sg-m'] },
    });
  });

  test('writes into its five log groups, created first with retention and the key', () => {
    const groups = resourcesOf(json, 'aws_cloudwatch_log_group') as any[];
    expect(groups.map((g) => g.name).sort()).toEqual([
      'airflow-xetl-dev-DAGProcessing', 'airflow-xetl-dev-Scheduler', 'airflow-xetl-dev-Task', 'airflow-xetl-dev-WebServer', 'airflow-xetl-dev-Worker',
    ]);
    for (const g of groups) expect(g).toMatchObject({ retention_in_days: 30, kms_key_id: expect.stringMatching(/aws_kms_key\..*\.arn/) });
    const [mwaa] = resourcesOf(json, 'aws_mwaa_environment') as any[];
    expect(mwaa.depends_on).toEqual(expect.arrayContaining(Object.keys(json.resource.aws_cloudwatch_log_group).map((k) => `aws_cloudwatch_log_group.${k}`)));
  });

  test('turns every log type on', () => {
    const [mwaa] = resourcesOf(json, 'aws_mwaa_environment') as any[];
    const types = Object.keys(mwaa.logging_configuration).sort();
    expect(types).toEqual(['dag_processing_logs', 'scheduler_logs', 'task_logs', 'webserver_logs', 'worker_logs']);
    for (const t of types) expect(mwaa.logging_configuration[t]).toMatchObject({ enabled: true, log_level: expect.stringMatching(/^(INFO|WARNING)$/) });
  });

  test('reads connections and variables from Secrets Manager under the configured prefixes', () => {
    const [mwaa] = resourcesOf(json, 'aws_mwaa_environment') as any[];
    expect(mwaa.airflow_configuration_options['secrets.backend']).toBe(SECRETS_MANAGER_BACKEND);
    expect(JSON.parse(mwaa.airflow_configuration_options['secrets.backend_kwargs'])).toEqual({
      connections_prefix: 'airflow/connections', variables_prefix: 'airflow/variables',
    });
  });

  test('trusts both MWAA service principals and gives the role only scoped statements', () => {
    const role = resourcesOf(json, 'aws_iam_role').find((r) => r.name === 'xetl-dev-mwaa');
    expect(JSON.parse(String(role?.assume_role_policy)).Statement[0].Principal.Service).toEqual(['airflow-env.amazonaws.com', 'airflow.amazonaws.com']);
    const [policy] = resourcesOf(json, 'aws_iam_role_policy');
    const statements = JSON.parse(String(policy.policy)).Statement as any[];
    const wildcardResource = statements.filter((s) => [s.Resource].flat().includes('*')).map((s) => s.Sid).sort();
    // Each of these actions has no resource type: only "*" grants it (the IAM check in infra:security).
    expect(wildcardResource).toEqual(['CheckAccountPublicAccessBlock', 'EnvironmentMetrics', 'FindLogGroups']);
    for (const s of statements) for (const a of s.Action) expect(a).not.toContain('*');
    const bySid = Object.fromEntries(statements.filter((s) => s.Sid).map((s) => [s.Sid, s]));
    expect(bySid.CeleryQueue.Resource).toBe('arn:aws:sqs:eu-west-1:*:airflow-celery-*');
    expect(bySid.SecretsBackend.Resource).toBe('arn:aws:secretsmanager:eu-west-1:222222222222:secret:airflow/*');
    expect(bySid.EnvironmentLogs.Resource).toContain('arn:aws:logs:eu-west-1:222222222222:log-group:airflow-xetl-dev-*');
    expect(bySid.PublishEnvironmentMetrics.Resource).toBe('arn:aws:airflow:eu-west-1:222222222222:environment/xetl-dev');
  });

  test('starts DAGs unpaused: a new DAG runs on its first marker without a manual unpause', () => {
    const [mwaa] = resourcesOf(json, 'aws_mwaa_environment') as any[];
    expect(mwaa.airflow_configuration_options['core.dags_are_paused_at_creation']).toBe('False');
  });

  test("is created after the execution role's inline policy and the network's endpoints", () => {
    const [mwaa] = resourcesOf(json, 'aws_mwaa_environment') as any[];
    const policies = Object.keys(json.resource.aws_iam_role_policy).map((id) => `aws_iam_role_policy.${id}`);
    expect(policies).toHaveLength(1);
    expect(mwaa.depends_on).toEqual(expect.arrayContaining([...policies, expect.stringMatching(/^aws_vpc_endpoint\.SqsEndpoint/)]));
  });

  test('may list its whole bucket (MWAA lists beyond dags/), reads objects only under dags/', () => {
    const [policy] = resourcesOf(json, 'aws_iam_role_policy');
    const statements = JSON.parse(String(policy.policy)).Statement as any[];
    const bucketList = statements.filter((s) => [s.Action].flat().includes('s3:ListBucket') && !s.Condition);
    expect(bucketList).toEqual([expect.objectContaining({ Sid: 'InspectSourceBucket', Resource: expect.arrayContaining([expect.stringMatching(/aws_s3_bucket\..*\.arn\}$/)]) })]);
    const reads = statements.filter((s) => [s.Action].flat().includes('s3:GetObject'));
    for (const s of reads) expect(s.Resource).toMatch(/\/dags\/\*$/);
  });

  test('reads Airflow secrets with GetSecretValue only, the one call the Secrets Manager backend makes', () => {
    const [policy] = resourcesOf(json, 'aws_iam_role_policy');
    const backend = JSON.parse(String(policy.policy)).Statement.find((s: any) => s.Sid === 'SecretsBackend');
    expect(backend.Action).toEqual(['secretsmanager:GetSecretValue']);
  });

  test('lets the role use the key only through SQS, S3 and Secrets Manager', () => {
    const [key] = resourcesOf(json, 'aws_kms_key');
    const viaServices = JSON.parse(String(key.policy)).Statement
      .filter((s: any) => String(s.Sid).startsWith('Mwaa'))
      .map((s: any) => s.Condition.StringEquals['kms:ViaService']).sort();
    expect(viaServices).toEqual(['s3.eu-west-1.amazonaws.com', 'secretsmanager.eu-west-1.amazonaws.com', 'sqs.eu-west-1.amazonaws.com']);
  });
});

describe('AirflowEnvironment log levels (mwaa.logLevels)', () => {
  const levelsOf = (mwaa: EnvironmentConfig['mwaa']) => {
    const [environment] = resourcesOf(build(mwaa).json, 'aws_mwaa_environment') as any[];
    return Object.fromEntries(Object.entries(environment.logging_configuration).map(([t, c]: [string, any]) => [t, [c.enabled, c.log_level]]));
  };

  test("by default: scheduler, worker and task logs at INFO, DAG processing and the webserver at WARNING", () => {
    expect(levelsOf(env.mwaa)).toEqual({
      dag_processing_logs: [true, 'WARNING'], scheduler_logs: [true, 'INFO'], task_logs: [true, 'INFO'],
      webserver_logs: [true, 'WARNING'], worker_logs: [true, 'INFO'],
    });
  });

  test("as configured per type, every type still on (dev: all WARNING but task logs)", () => {
    const dev = applyDefaults('dev', {
      region: 'eu-west-1', accounts: { source: '111111111111', analytics: '222222222222' },
      mwaa: { logLevels: { scheduler: 'WARNING', worker: 'WARNING' } },
    });
    expect(levelsOf(dev.mwaa)).toEqual({
      dag_processing_logs: [true, 'WARNING'], scheduler_logs: [true, 'WARNING'], task_logs: [true, 'INFO'],
      webserver_logs: [true, 'WARNING'], worker_logs: [true, 'WARNING'],
    });
  });
});

describe('AirflowEnvironment with a park switch', () => {
  const { json } = build(env.mwaa, true);

  test('exists only while unparked; its role and policy stay', () => {
    const [environment] = resourcesOf(json, 'aws_mwaa_environment') as any[];
    expect(environment.count).toBe(PARKED_COUNT);
    for (const type of ['aws_iam_role', 'aws_iam_role_policy']) for (const r of resourcesOf(json, type)) expect(r.count).toBeUndefined();
  });

  test('reads the webserver URL over the instances: "" while parked, not a reference Terraform refuses', () => {
    const [id] = Object.keys(json.resource.aws_mwaa_environment);
    expect(json.output.webserver_url.value).toBe(`\${join("", aws_mwaa_environment.${id}[*].webserver_url)}`);
    // Without a switch, the plain attribute.
    expect(build().json.output.webserver_url.value).toBe(`\${aws_mwaa_environment.${Object.keys(build().json.resource.aws_mwaa_environment)[0]}.webserver_url}`);
  });
});
