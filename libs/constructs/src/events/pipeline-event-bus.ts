import { Construct } from 'constructs';
import { markerEventPattern } from '@xetl/config';
import { CloudwatchEventBus } from '@cdktf/provider-aws/lib/cloudwatch-event-bus';
import { CloudwatchEventBusPolicy } from '@cdktf/provider-aws/lib/cloudwatch-event-bus-policy';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import type { Grantee } from '../iam/grantee';
import { PolicyDocument } from '../iam/policy';
import type { DataKey } from '../storage/data-key';
import { createEncryptedQueue } from './encrypted-queue';
import { EVENTS_PUT_ACTIONS, KMS_EVENTS_TO_SQS_ACTIONS, SQS_CONSUME_ACTIONS, SQS_SEND_ACTIONS } from './event-patterns';
import type { PipelineEventBusProps } from './pipeline-event-bus-props';

/**
 * Account B's half of the trigger: a custom event bus whose resource policy (one
 * `aws_cloudwatch_event_bus_policy`, never mixed with `aws_cloudwatch_event_permission`) admits
 * `events:PutEvents` from account A only; a rule re-checking the marker pattern; and the SQS queue it
 * delivers to (CMK, DLQ with redrive, queue policy admitting EventBridge for this rule's ARN only).
 *
 * @example
 * const bus = new PipelineEventBus(this, 'Trigger', { names, encryptionKey: key });
 * bus.grantConsume(fn.role); bus.grantSendToDeadLetter(fn.role);
 */
export class PipelineEventBus extends Construct {
  readonly busArn: string;
  readonly ruleArn: string;
  readonly queueArn: string;
  readonly queueUrl: string;
  readonly deadLetterQueueArn: string;
  readonly deadLetterQueueUrl: string;
  private readonly encryptionKey: DataKey;
  private readonly sqsService: string;

  constructor(scope: Construct, id: string, props: PipelineEventBusProps) {
    super(scope, id);
    const { names } = props;
    this.encryptionKey = props.encryptionKey;
    this.sqsService = `sqs.${names.env.region}.amazonaws.com`;

    const bus = new CloudwatchEventBus(this, 'Bus', { name: names.pipelineEventBus });
    this.busArn = bus.arn;
    const busPolicy = new PolicyDocument([{
      Sid: 'SourceAccountOnly',
      Effect: 'Allow',
      Principal: { AWS: names.accountRootArn('source') },
      Action: [...EVENTS_PUT_ACTIONS],
      Resource: bus.arn,
    }]);
    new CloudwatchEventBusPolicy(this, 'BusPolicy', { eventBusName: bus.name, policy: busPolicy.toJson() });

    const ruleArn = names.eventRuleArn('analytics', names.triggerRuleName, names.pipelineEventBus);
    const rule = new CloudwatchEventRule(this, 'Rule', {
      name: names.triggerRuleName,
      eventBusName: bus.name,
      description: `xetl ${names.env.name}: marker objects of ${names.sourceBucket} (account A) -> the trigger queue`,
      eventPattern: JSON.stringify(markerEventPattern({ bucketName: names.sourceBucket, prefix: names.productsPrefix })),
    });
    this.ruleArn = rule.arn;

    const { queue: dlq } = createEncryptedQueue(this, 'DeadLetterQueue', {
      name: names.triggerDlq, encryptionKey: props.encryptionKey, retentionSeconds: 1_209_600,
    });
    const { queue, policy } = createEncryptedQueue(this, 'Queue', {
      name: names.triggerQueue,
      encryptionKey: props.encryptionKey,
      visibilityTimeoutSeconds: props.visibilityTimeoutSeconds ?? 180,
      deadLetter: { queueArn: dlq.arn, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
    policy.add({
      Sid: 'TriggerRuleOnly', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' },
      Action: ['sqs:SendMessage'], Resource: queue.arn, Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
    });
    props.encryptionKey.grantToService('events.amazonaws.com', [...KMS_EVENTS_TO_SQS_ACTIONS], { ArnEquals: { 'aws:SourceArn': ruleArn } });
    new CloudwatchEventTarget(this, 'ToQueue', { rule: rule.name, eventBusName: bus.name, targetId: 'trigger-queue', arn: queue.arn });

    this.queueArn = queue.arn;
    this.queueUrl = queue.url;
    this.deadLetterQueueArn = dlq.arn;
    this.deadLetterQueueUrl = dlq.url;
  }

  /** Lets the roles receive and delete the queue's messages (decrypting them through SQS). */
  grantConsume(...grantees: Grantee[]): void {
    for (const g of grantees) g.addToPrincipalPolicy?.({ Sid: 'ConsumeTriggerQueue', Effect: 'Allow', Action: [...SQS_CONSUME_ACTIONS], Resource: this.queueArn });
    this.encryptionKey.grantDecrypt(grantees, { viaService: this.sqsService, sid: `${this.node.id}Consume` });
  }

  /** Lets the roles park messages in the DLQ (with their reason) and, for redrive, read it. */
  grantSendToDeadLetter(...grantees: Grantee[]): void {
    for (const g of grantees) g.addToPrincipalPolicy?.({ Sid: 'SendTriggerDeadLetters', Effect: 'Allow', Action: [...SQS_SEND_ACTIONS], Resource: this.deadLetterQueueArn });
    this.encryptionKey.grantEncryptDecrypt(grantees, { viaService: this.sqsService, sid: `${this.node.id}DeadLetter` });
  }
}
