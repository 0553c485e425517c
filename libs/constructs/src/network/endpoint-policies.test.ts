import { INTERFACE_ENDPOINT_ACTIONS, INTERFACE_ENDPOINT_SERVICES, interfaceEndpointPolicy, s3GatewayEndpointPolicy } from './endpoint-policies';

describe('endpoint policies', () => {
  test('cover every service a private MWAA and the DAG call, and nothing else', () => {
    expect(INTERFACE_ENDPOINT_SERVICES).toEqual([
      'ecr.api', 'ecr.dkr', 'glue', 'kms', 'logs', 'monitoring', 'redshift-data', 'secretsmanager', 'sns', 'sqs',
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
    for (const [service, actions] of Object.entries(INTERFACE_ENDPOINT_ACTIONS)) {
      const prefix = service === 'monitoring' ? 'cloudwatch' : service.startsWith('ecr') ? 'ecr' : service;
      expect([...actions].sort()).toEqual(actions);
      for (const a of actions) {
        expect(a.startsWith(`${prefix}:`)).toBe(true);
        expect(a).not.toContain('*');
      }
    }
  });

  test('admit only principals of the given accounts, except for ECR image pulls', () => {
    const sqs = JSON.parse(interfaceEndpointPolicy('sqs', ['222222222222', '111111111111', '222222222222'])).Statement[0];
    expect(sqs.Condition).toEqual({ StringEquals: { 'aws:PrincipalAccount': ['111111111111', '222222222222'] } });
    const one = JSON.parse(interfaceEndpointPolicy('sns', ['222222222222'])).Statement[0];
    expect(one.Condition).toEqual({ StringEquals: { 'aws:PrincipalAccount': '222222222222' } });
    expect(JSON.parse(interfaceEndpointPolicy('ecr.dkr', ['222222222222'])).Statement[0].Condition).toBeUndefined();
    expect(() => interfaceEndpointPolicy('ec2', ['222222222222'])).toThrow(/no endpoint policy/);
  });

  test('S3: the named buckets for the accounts, and AWS-owned layers read-only', () => {
    const policy = JSON.parse(s3GatewayEndpointPolicy({
      bucketArns: ['arn:aws:s3:::a'], accounts: ['222222222222'], awsOwnedObjectArns: ['arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*'],
    }));
    expect(policy.Statement[0]).toMatchObject({ Resource: ['arn:aws:s3:::a', 'arn:aws:s3:::a/*'], Condition: { StringEquals: { 'aws:PrincipalAccount': '222222222222' } } });
    expect(policy.Statement[1]).toEqual({
      Sid: 'AwsOwnedImageLayers', Effect: 'Allow', Principal: '*', Action: ['s3:GetObject'],
      Resource: ['arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*'],
    });
  });
});
