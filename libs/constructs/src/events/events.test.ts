// Types of cdktf's jest matchers (registered at runtime by Testing.setupJest in the jest setup).
import type {} from 'cdktf/lib/testing/adapters/jest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { PARKED_ENABLED, Naming, loadConfig, selectEnvironment } from '@xetl/config';
import { ParkSwitch } from '../park/park-switch';
import { DataKey } from '../storage/data-key';
import { allStatements, resourcesOf, synthJson, testStack } from '../test-helpers';
import { PipelineEventBus } from './pipeline-event-bus';
import { SourceEventForwarder } from './source-event-forwarder';
import { TriggerFunction } from './trigger-function';
import { TriggerQueue } from './trigger-queue';

const names = new Naming(selectEnvironment(loadConfig(), 'dev'));
const A = names.accountId('source');
const B = names.accountId('analytics');

function zip(): string {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'xetl-trigger-')), 'trigger.zip');
  fs.writeFileSync(f, 'PK');
  return f;
}

function sideA() {
  const stack = testStack();
  const key = new DataKey(stack, 'Key', { alias: 'alias/a', description: 'a', accountId: A });
  new SourceEventForwarder(stack, 'Fwd', { names, encryptionKey: key });
  return { json: synthJson(stack), raw: Testing.synth(stack) };
}

function sideB(parkable = false) {
  const stack = testStack();
  const key = new DataKey(stack, 'Key', { alias: 'alias/b', description: 'b', accountId: B });
  const queue = new TriggerQueue(stack, 'Queue', { names, encryptionKey: key });
  new PipelineEventBus(stack, 'Bus', { names, queue });
  // Any resource stands in for the MWAA environment the mapping waits for.
  const environment = parkable ? new SqsQueue(stack, 'StandInForMwaa', { name: 'stand-in' }) : undefined;
  new TriggerFunction(stack, 'Trigger', {
    names, encryptionKey: key, queue, packagePath: zip(), vpcId: 'vpc-1', subnetIds: ['subnet-a', 'subnet-b'],
    endpointSecurityGroupId: 'sg-endpoints', logRetentionDays: 30,
    ...(parkable ? { park: new ParkSwitch(stack, 'Park', { names }), mappingDependsOn: [environment!] } : {}),
  });
  return { json: synthJson(stack), raw: Testing.synth(stack) };
}

/** Minimal EventBridge matcher for the pattern shape used here (exact values and wildcard). */
function matches(pattern: any, event: any): boolean {
  return Object.entries(pattern).every(([k, v]) => {
    if (Array.isArray(v)) {
      return v.some((p: any) => (typeof p === 'object' && p.wildcard
        ? new RegExp(`^${p.wildcard.split('*').map((x: string) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(event?.[k])
        : p === event?.[k]));
    }
    return matches(v, event?.[k]);
  });
}

const s3Event = (bucket: string, key: string, type = 'Object Created') => ({
  source: 'aws.s3', 'detail-type': type, detail: { bucket: { name: bucket }, object: { key, etag: 'e', size: 1 } },
});

describe('events: the trigger path', () => {
  test('both rules match only marker keys of the source bucket', () => {
    const patterns = [
      ...resourcesOf(sideA().json, 'aws_cloudwatch_event_rule'),
      ...resourcesOf(sideB().json, 'aws_cloudwatch_event_rule'),
    ].map((r) => JSON.parse(String(r.event_pattern)));
    expect(patterns).toHaveLength(2);
    for (const p of patterns) {
      expect(matches(p, s3Event(names.sourceBucket, 'products/year=2026/month=11/day=21/_SUCCESS'))).toBe(true);
      expect(matches(p, s3Event(names.sourceBucket, 'products/year=2026/month=11/day=21/part-0001.csv'))).toBe(false);
      expect(matches(p, s3Event(names.sourceBucket, 'other/year=2026/month=11/day=21/_SUCCESS'))).toBe(false);
      expect(matches(p, s3Event(names.targetBucket, 'products/year=2026/month=11/day=21/_SUCCESS'))).toBe(false);
      expect(matches(p, s3Event(names.sourceBucket, 'products/year=2026/month=11/day=21/_SUCCESS', 'Object Tags Added'))).toBe(false);
    }
  });

  test("account A's rule targets B's bus through a role that may only PutEvents there, with retries and an encrypted DLQ", () => {
    const { json } = sideA();
    const [target] = resourcesOf(json, 'aws_cloudwatch_event_target');
    expect(target).toMatchObject({
      arn: `arn:aws:events:eu-west-1:${B}:event-bus/xetl-dev-pipeline`,
      retry_policy: { maximum_retry_attempts: 185, maximum_event_age_in_seconds: 86400 },
      dead_letter_config: { arn: expect.stringMatching(/aws_sqs_queue\./) },
    });
    const [policy] = resourcesOf(json, 'aws_iam_role_policy');
    expect(JSON.parse(String(policy.policy)).Statement).toEqual([
      { Sid: 'PutOnPipelineBus', Effect: 'Allow', Action: ['events:PutEvents'], Resource: `arn:aws:events:eu-west-1:${B}:event-bus/xetl-dev-pipeline` },
    ]);
    const trust = JSON.parse(String(resourcesOf(json, 'aws_iam_role')[0].assume_role_policy)).Statement[0];
    expect(trust.Principal).toEqual({ Service: ['events.amazonaws.com'] });
    expect(trust.Condition.ArnEquals['aws:SourceArn']).toBe(`arn:aws:events:eu-west-1:${A}:rule/xetl-dev-forward-markers`);
    for (const q of resourcesOf(json, 'aws_sqs_queue')) expect(q.kms_master_key_id).toMatch(/aws_kms_key/);
  });

  test("the bus policy admits only account A's forwarder role, and only S3 object-created events, with one bus-policy mechanism", () => {
    const { json } = sideB();
    expect(resourcesOf(json, 'aws_cloudwatch_event_permission')).toHaveLength(0);
    const [busPolicy] = resourcesOf(json, 'aws_cloudwatch_event_bus_policy');
    expect(JSON.parse(String(busPolicy.policy)).Statement).toEqual([{
      Sid: 'SourceForwarderOnly', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` },
      Action: ['events:PutEvents'], Resource: expect.stringMatching(/aws_cloudwatch_event_bus\./),
      Condition: {
        ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${A}:role/xetl-dev-events-forwarder` },
        StringEquals: { 'events:source': 'aws.s3', 'events:detail-type': 'Object Created' },
      },
    }]);
  });

  test('queue and DLQ are encrypted; the queue admits EventBridge for its rule only and redrives to the DLQ', () => {
    const { json } = sideB();
    const queues = resourcesOf(json, 'aws_sqs_queue');
    expect(queues.map((q) => q.name).sort()).toEqual(['xetl-dev-trigger', 'xetl-dev-trigger-dlq']);
    for (const q of queues) expect(q.kms_master_key_id).toMatch(/aws_kms_key/);
    const main = queues.find((q) => q.name === 'xetl-dev-trigger')!;
    expect(JSON.parse(String(main.redrive_policy))).toEqual({ deadLetterTargetArn: expect.stringMatching(/aws_sqs_queue\./), maxReceiveCount: 5 });
    const allows = resourcesOf(json, 'aws_sqs_queue_policy').flatMap((p) => JSON.parse(String(p.policy)).Statement).filter((s: any) => s.Effect === 'Allow');
    expect(allows).toEqual([{
      Sid: 'TriggerRuleOnly', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: ['sqs:SendMessage'],
      Resource: expect.stringMatching(/aws_sqs_queue\./),
      Condition: { ArnEquals: { 'aws:SourceArn': `arn:aws:events:eu-west-1:${B}:rule/xetl-dev-pipeline/xetl-dev-trigger-markers` } },
    }]);
  });

  test('the Lambda runs python3.12 in the private subnets with its own SG and partial batch failures', () => {
    const { raw, json } = sideB();
    expect(raw).toHaveResourceWithProperties(LambdaFunction, {
      function_name: 'xetl-dev-trigger', runtime: 'python3.12', handler: 'xetl_trigger.handler.handler',
      environment: { variables: expect.objectContaining({ XETL_DAG_ID: 'xetl_products_pipeline' }) },
      vpc_config: { subnet_ids: ['subnet-a', 'subnet-b'], security_group_ids: [expect.stringMatching(/aws_security_group\./)] },
    });
    expect(raw).toHaveResourceWithProperties(LambdaEventSourceMapping, { function_response_types: ['ReportBatchItemFailures'], batch_size: 10 });
    const egress = resourcesOf(json, 'aws_vpc_security_group_egress_rule');
    expect(egress).toEqual([expect.objectContaining({ from_port: 443, to_port: 443, referenced_security_group_id: 'sg-endpoints' })]);
    expect(resourcesOf(json, 'aws_cloudwatch_log_group')[0]).toMatchObject({ name: '/aws/lambda/xetl-dev-trigger', retention_in_days: 30 });
  });

  test('reserves no concurrency (new accounts have a quota of 10, all unreserved); the queue mapping bounds it at 2', () => {
    const { json } = sideB();
    const [fn] = resourcesOf(json, 'aws_lambda_function');
    expect(fn.reserved_concurrent_executions).toBeUndefined();
    expect(resourcesOf(json, 'aws_lambda_event_source_mapping')[0]).toMatchObject({ scaling_config: { maximum_concurrency: 2 } });
  });

  test("the function and its queue mapping are created after the role's inline policy", () => {
    const { json } = sideB();
    const policies = Object.keys(json.resource.aws_iam_role_policy).map((id) => `aws_iam_role_policy.${id}`);
    const [fn] = resourcesOf(json, 'aws_lambda_function');
    const [mapping] = resourcesOf(json, 'aws_lambda_event_source_mapping');
    for (const r of [fn, mapping]) expect(r.depends_on).toEqual(expect.arrayContaining(policies));
    expect(policies).toHaveLength(1);
  });

  test('every role is scoped: no wildcard action; ENI changes in the own VPC only; the trust pins the account; InvokeRestApi below Admin', () => {
    for (const { json } of [sideA(), sideB()]) {
      for (const s of allStatements(json).filter((x) => x.Effect === 'Allow')) {
        for (const a of [s.Action].flat()) expect(a).not.toContain('*');
      }
    }
    const role = resourcesOf(sideB().json, 'aws_iam_role_policy').flatMap((p) => JSON.parse(String(p.policy)).Statement);
    // Describe calls have no resource type; every ENI change is held to the function's own VPC.
    expect(role.filter((x: any) => [x.Resource].flat().includes('*'))).toEqual([
      { Sid: 'DescribeNetwork', Effect: 'Allow', Action: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'], Resource: '*' },
    ]);
    const vpc = { ArnEquals: { 'ec2:Vpc': `arn:aws:ec2:eu-west-1:${B}:vpc/vpc-1` } };
    const eni = `arn:aws:ec2:eu-west-1:${B}:network-interface/*`;
    expect(role.filter((x: any) => String(x.Sid).startsWith('NetworkInterfaces'))).toEqual([
      { Sid: 'NetworkInterfacesCreate', Effect: 'Allow', Action: ['ec2:CreateNetworkInterface'], Resource: eni },
      {
        Sid: 'NetworkInterfacesInOwnVpc', Effect: 'Allow', Action: ['ec2:CreateNetworkInterface'],
        Resource: [`arn:aws:ec2:eu-west-1:${B}:security-group/*`, `arn:aws:ec2:eu-west-1:${B}:subnet/*`], Condition: vpc,
      },
      {
        Sid: 'NetworkInterfacesManage', Effect: 'Allow', Action: ['ec2:AssignPrivateIpAddresses', 'ec2:DeleteNetworkInterface', 'ec2:UnassignPrivateIpAddresses'],
        Resource: eni, Condition: vpc,
      },
    ]);
    const trust = JSON.parse(String(resourcesOf(sideB().json, 'aws_iam_role').find((r) => r.name === 'xetl-dev-trigger')?.assume_role_policy)).Statement[0];
    expect(trust).toMatchObject({ Principal: { Service: ['lambda.amazonaws.com'] }, Condition: { StringEquals: { 'aws:SourceAccount': B } } });
    expect(role.find((s: any) => s.Sid === 'StartDagRunsBelowAdmin')).toMatchObject({
      Action: ['airflow:InvokeRestApi'], Resource: `arn:aws:airflow:eu-west-1:${B}:role/xetl-dev/User`,
    });
  });
});

describe('events: the trigger while parked', () => {
  test('without a park switch the mapping is always enabled', () => {
    const [mapping] = resourcesOf(sideB().json, 'aws_lambda_event_source_mapping');
    expect(mapping.enabled).toBeUndefined();
  });

  test("with one, the mapping is disabled while parked (events wait in the queue) and re-enabled only after MWAA exists", () => {
    const { json } = sideB(true);
    const [mapping] = resourcesOf(json, 'aws_lambda_event_source_mapping');
    expect(mapping.enabled).toBe(PARKED_ENABLED);
    expect(mapping.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_sqs_queue\.StandInForMwaa/)]));
    // The function, its queue and the DLQ stay: parking pauses delivery, it loses nothing.
    for (const type of ['aws_lambda_function', 'aws_sqs_queue', 'aws_lambda_event_source_mapping']) {
      for (const r of resourcesOf(json, type)) expect(r.count).toBeUndefined();
    }
  });
});
