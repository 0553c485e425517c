import { applyDefaults, Naming } from '@xetl/config';
import {
  AIRFLOW_ENV_ENDPOINT_ACTIONS, INTERFACE_ENDPOINT_ACTIONS, INTERFACE_ENDPOINT_SERVICES, airflowEnvEndpointPolicy, interfaceEndpointPolicy,
  s3GatewayEndpointPolicy,
} from './endpoint-policies';

const names = new Naming(applyDefaults('dev', { region: 'eu-west-1', accounts: { source: '111111111111', analytics: '222222222222' } }));
const oneAccount = new Naming(applyDefaults('local', { region: 'us-east-1', accounts: { source: '123456789012', analytics: '123456789012' } }));
const statements = (text: string) => JSON.parse(text).Statement as any[];
const BOTH = ['111111111111', '222222222222'];

describe('endpoint policies', () => {
  test('cover every service a private MWAA and the DAG call, and nothing else', () => {
    expect(INTERFACE_ENDPOINT_SERVICES).toEqual([
      'ecr.api', 'ecr.dkr', 'glue', 'kms', 'logs', 'monitoring', 'redshift-data', 'redshift-serverless', 'secretsmanager', 'sns', 'sqs',
    ]);
  });

  test("let through exactly the calls of provider 9.12.0's operators, hooks and triggers the DAG uses", () => {
    expect(INTERFACE_ENDPOINT_ACTIONS.glue).toEqual(['glue:BatchStopJobRun', 'glue:GetCrawler', 'glue:GetJob', 'glue:GetJobRun', 'glue:StartCrawler', 'glue:StartJobRun']);
    expect(INTERFACE_ENDPOINT_ACTIONS['redshift-data']).toEqual([
      'redshift-data:BatchExecuteStatement', 'redshift-data:CancelStatement', 'redshift-data:DescribeStatement',
      'redshift-data:ExecuteStatement', 'redshift-data:GetStatementResult',
    ]);
    expect(INTERFACE_ENDPOINT_ACTIONS.secretsmanager).toEqual(['secretsmanager:GetSecretValue']);
    expect(INTERFACE_ENDPOINT_ACTIONS.sns).toEqual(['sns:Publish']);
  });

  test('list sorted actions of their own service, never a wildcard', () => {
    for (const [service, actions] of Object.entries({ ...INTERFACE_ENDPOINT_ACTIONS, airflow: AIRFLOW_ENV_ENDPOINT_ACTIONS })) {
      const prefix = service === 'monitoring' ? 'cloudwatch' : service.startsWith('ecr') ? 'ecr' : service;
      expect([...actions].sort()).toEqual(actions);
      for (const a of actions) {
        expect(a.startsWith(`${prefix}:`)).toBe(true);
        expect(a).not.toContain('*');
      }
    }
  });

  test('admit principals of the environment\'s accounts calling resources of those accounts only', () => {
    for (const service of ['glue', 'kms', 'logs', 'monitoring', 'redshift-data', 'redshift-serverless', 'sns']) {
      const [s] = statements(interfaceEndpointPolicy(service, names));
      // A call on a resource always names its account: present, it must be ours. Calls without a
      // resource (PutMetricData, DescribeLogGroups, statement reads) act in the caller's own account.
      expect(s.Condition).toEqual({
        StringEquals: { 'aws:PrincipalAccount': BOTH },
        StringEqualsIfExists: { 'aws:ResourceAccount': BOTH },
      });
    }
    const [one] = statements(interfaceEndpointPolicy('sns', oneAccount));
    expect(one.Condition.StringEquals).toEqual({ 'aws:PrincipalAccount': '123456789012' });
    expect(() => interfaceEndpointPolicy('ec2', names)).toThrow(/no endpoint policy/);
  });

  test('Secrets Manager: only the environment\'s Airflow secrets pass, never the Redshift admin secret', () => {
    const all = statements(interfaceEndpointPolicy('secretsmanager', names));
    expect(all).toEqual([{
      Sid: 'AirflowSecretsOnly', Effect: 'Allow', Principal: '*', Action: ['secretsmanager:GetSecretValue'],
      Resource: 'arn:aws:secretsmanager:eu-west-1:222222222222:secret:airflow/*',
      Condition: { StringEquals: { 'aws:PrincipalAccount': BOTH } },
    }]);
  });

  test('SQS: our queues by account, and MWAA\'s Celery queue (in an account MWAA owns) by name', () => {
    const [ours, celery] = statements(interfaceEndpointPolicy('sqs', names));
    expect(ours.Condition.StringEqualsIfExists).toEqual({ 'aws:ResourceAccount': BOTH });
    expect(celery).toEqual({
      Sid: 'MwaaCeleryQueue', Effect: 'Allow', Principal: '*', Action: INTERFACE_ENDPOINT_ACTIONS.sqs,
      Resource: 'arn:aws:sqs:eu-west-1:*:airflow-celery-*', Condition: { StringEquals: { 'aws:PrincipalAccount': BOTH } },
    });
  });

  test('ECR: image pulls from repositories of this region only (the caller and the images are MWAA\'s, in accounts AWS does not publish)', () => {
    for (const service of ['ecr.api', 'ecr.dkr']) {
      const all = statements(interfaceEndpointPolicy(service, names));
      expect(all.map((s) => [s.Sid, s.Action, s.Resource])).toEqual([
        ['AuthorizationToken', ['ecr:GetAuthorizationToken'], '*'],
        ['PullImagesOfThisRegion', ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], 'arn:aws:ecr:eu-west-1:*:repository/*'],
      ]);
    }
  });

  test('airflow.env: the environment\'s Airflow REST API and login tokens, by principals of account B', () => {
    expect(statements(airflowEnvEndpointPolicy(names))).toEqual([{
      Sid: 'ThisEnvironmentOnly', Effect: 'Allow', Principal: '*', Action: ['airflow:CreateCliToken', 'airflow:CreateWebLoginToken', 'airflow:InvokeRestApi'],
      Resource: ['arn:aws:airflow:eu-west-1:222222222222:environment/xetl-dev', 'arn:aws:airflow:eu-west-1:222222222222:role/xetl-dev/*'],
      Condition: { StringEquals: { 'aws:PrincipalAccount': '222222222222' } },
    }]);
  });

  test('S3: the named buckets, owned by and called from the environment\'s accounts, and AWS-owned layers read-only', () => {
    const policy = JSON.parse(s3GatewayEndpointPolicy({
      bucketArns: ['arn:aws:s3:::a'], accounts: ['222222222222'], awsOwnedObjectArns: ['arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*'],
    }));
    expect(policy.Statement[0]).toMatchObject({
      Resource: ['arn:aws:s3:::a', 'arn:aws:s3:::a/*'],
      Condition: { StringEquals: { 'aws:PrincipalAccount': '222222222222' }, StringEqualsIfExists: { 'aws:ResourceAccount': '222222222222' } },
    });
    expect(policy.Statement[1]).toEqual({
      Sid: 'AwsOwnedImageLayers', Effect: 'Allow', Principal: '*', Action: ['s3:GetObject'],
      Resource: ['arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*'],
    });
  });
});
