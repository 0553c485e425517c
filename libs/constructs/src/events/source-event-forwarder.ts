import { Construct } from 'constructs';
import { markerEventPattern } from '@xetl/config';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { ScopedRole } from '../iam/scoped-role';
import { createEncryptedQueue } from './encrypted-queue';
import { EVENTS_PUT_ACTIONS, KMS_EVENTS_TO_SQS_ACTIONS } from './event-patterns';
import type { SourceEventForwarderProps } from './source-event-forwarder-props';

/**
 * Account A's half of the trigger: a rule on A's default bus matching S3 `Object Created` for the
 * source bucket's marker keys only, whose target is account B's pipeline bus (ARN from `Naming`, so
 * the accounts deploy in any order), delivered through a role that may only `events:PutEvents` on
 * that bus, with a retry policy and a CMK-encrypted dead-letter queue. The bucket itself must send
 * its events to EventBridge (every `SecureBucket` does).
 *
 * @example
 * new SourceEventForwarder(this, 'MarkerForwarder', { names, encryptionKey: dataKey });
 */
export class SourceEventForwarder extends Construct {
  readonly ruleArn: string;
  readonly role: ScopedRole;
  readonly deadLetterQueueArn: string;
  readonly deadLetterQueueUrl: string;

  constructor(scope: Construct, id: string, props: SourceEventForwarderProps) {
    super(scope, id);
    const { names } = props;
    const account = names.accountId('source');
    const ruleArn = names.eventRuleArn('source', names.markerForwardRuleName);

    const rule = new CloudwatchEventRule(this, 'Rule', {
      name: names.markerForwardRuleName,
      description: `xetl ${names.env.name}: marker objects of ${names.sourceBucket} -> account ${names.accountId('analytics')}'s pipeline bus`,
      eventPattern: JSON.stringify(markerEventPattern({ bucketName: names.sourceBucket, prefix: names.productsPrefix })),
    });
    this.ruleArn = rule.arn;

    this.role = new ScopedRole(this, 'Role', {
      roleName: names.eventsForwarderRoleName,
      accountId: account,
      partition: names.partition,
      description: `xetl ${names.env.name}: EventBridge forwards marker events to ${names.pipelineEventBus} in account ${names.accountId('analytics')}`,
      trustedServices: ['events.amazonaws.com'],
      serviceTrustConditions: { StringEquals: { 'aws:SourceAccount': account }, ArnEquals: { 'aws:SourceArn': ruleArn } },
    });
    this.role.addToPrincipalPolicy({ Sid: 'PutOnPipelineBus', Effect: 'Allow', Action: [...EVENTS_PUT_ACTIONS], Resource: names.pipelineEventBusArn });

    const { queue: dlq, policy } = createEncryptedQueue(this, 'DeadLetterQueue', {
      name: names.markerForwardDlq, encryptionKey: props.encryptionKey, retentionSeconds: 1_209_600,
    });
    policy.add({
      Sid: 'ForwardRuleFailures', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' },
      Action: ['sqs:SendMessage'], Resource: dlq.arn, Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
    });
    props.encryptionKey.grantToService('events.amazonaws.com', [...KMS_EVENTS_TO_SQS_ACTIONS], { ArnEquals: { 'aws:SourceArn': ruleArn } });
    this.deadLetterQueueArn = dlq.arn;
    this.deadLetterQueueUrl = dlq.url;

    new CloudwatchEventTarget(this, 'ToPipelineBus', {
      rule: rule.name,
      targetId: 'pipeline-bus',
      arn: names.pipelineEventBusArn,
      roleArn: this.role.roleArn,
      retryPolicy: { maximumRetryAttempts: props.maximumRetryAttempts ?? 185, maximumEventAgeInSeconds: props.maximumEventAgeSeconds ?? 86_400 },
      deadLetterConfig: { arn: dlq.arn },
    });
  }
}
