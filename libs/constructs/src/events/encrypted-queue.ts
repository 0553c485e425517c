import { Construct } from 'constructs';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { PolicyDocument } from '../iam/policy';
import type { DataKey } from '../storage/data-key';

/** Options of `createEncryptedQueue`. */
export interface EncryptedQueueOptions {
  readonly name: string;
  readonly encryptionKey: DataKey;
  /** @default 345600 (4 days) */
  readonly retentionSeconds?: number;
  /** @default 30 */
  readonly visibilityTimeoutSeconds?: number;
  /** Moves a message here after `maxReceiveCount` receives. @default none */
  readonly deadLetter?: { readonly queueArn: string; readonly maxReceiveCount: number };
}

/**
 * An SQS queue encrypted with a customer-managed key, with a policy that starts with a TLS-only deny
 * and grows with grants (`policy.add`). Shared by the events constructs; not exported as a construct.
 */
export function createEncryptedQueue(scope: Construct, id: string, o: EncryptedQueueOptions): { queue: SqsQueue; policy: PolicyDocument } {
  const queue = new SqsQueue(scope, id, {
    name: o.name,
    kmsMasterKeyId: o.encryptionKey.keyArn,
    kmsDataKeyReusePeriodSeconds: 300,
    messageRetentionSeconds: o.retentionSeconds ?? 345_600,
    visibilityTimeoutSeconds: o.visibilityTimeoutSeconds ?? 30,
    ...(o.deadLetter ? { redrivePolicy: JSON.stringify({ deadLetterTargetArn: o.deadLetter.queueArn, maxReceiveCount: o.deadLetter.maxReceiveCount }) } : {}),
  });
  const policy = new PolicyDocument([{
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: ['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage'],
    Resource: queue.arn,
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  }]);
  new SqsQueuePolicy(scope, `${id}Policy`, { queueUrl: queue.url, policy: policy.lazyJson() });
  return { queue, policy };
}
