import { Construct } from 'constructs';
import type { Grantee } from '../iam/grantee';
import type { PolicyDocument } from '../iam/policy';
import type { DataKey } from '../storage/data-key';
import { createEncryptedQueue } from './encrypted-queue';
import { KMS_EVENTS_TO_SQS_ACTIONS, SQS_CONSUME_ACTIONS, SQS_SEND_ACTIONS } from './event-patterns';
import type { TriggerQueueProps } from './trigger-queue-props';

/**
 * The queue between the pipeline bus and the trigger Lambda: SQS encrypted with account B's key,
 * TLS only, with a dead-letter queue (14 days) that takes a message after `maxReceiveCount` receives
 * and the events the function refuses. Only what is admitted may send: `admitRule` lets one
 * EventBridge rule deliver (queue policy and key use for that rule's ARN only).
 *
 * @example
 * const queue = new TriggerQueue(this, 'TriggerQueue', { names, encryptionKey: key });
 * queue.admitRule(ruleArn); queue.grantConsume(fn.role); queue.grantSendToDeadLetter(fn.role);
 */
export class TriggerQueue extends Construct {
  readonly queueArn: string;
  readonly queueUrl: string;
  readonly deadLetterQueueArn: string;
  readonly deadLetterQueueUrl: string;
  private readonly policy: PolicyDocument;
  private readonly encryptionKey: DataKey;
  private readonly sqsService: string;

  constructor(scope: Construct, id: string, props: TriggerQueueProps) {
    super(scope, id);
    const { names } = props;
    this.encryptionKey = props.encryptionKey;
    this.sqsService = `sqs.${names.env.region}.amazonaws.com`;
    const { queue: dlq } = createEncryptedQueue(this, 'DeadLetterQueue', {
      name: names.triggerDlq, encryptionKey: props.encryptionKey, retentionSeconds: 1_209_600,
    });
    const { queue, policy } = createEncryptedQueue(this, 'Queue', {
      name: names.triggerQueue,
      encryptionKey: props.encryptionKey,
      visibilityTimeoutSeconds: props.visibilityTimeoutSeconds ?? 180,
      deadLetter: { queueArn: dlq.arn, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
    this.policy = policy;
    this.queueArn = queue.arn;
    this.queueUrl = queue.url;
    this.deadLetterQueueArn = dlq.arn;
    this.deadLetterQueueUrl = dlq.url;
  }

  /** Lets one EventBridge rule (by ARN) deliver to the queue, using the key for that rule only. */
  admitRule(ruleArn: string): void {
    this.policy.add({
      Sid: 'TriggerRuleOnly', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' },
      Action: ['sqs:SendMessage'], Resource: this.queueArn, Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
    });
    this.encryptionKey.grantToService('events.amazonaws.com', [...KMS_EVENTS_TO_SQS_ACTIONS], { ArnEquals: { 'aws:SourceArn': ruleArn } });
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
