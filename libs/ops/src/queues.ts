import {
  DeleteMessageBatchCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import type { OpsContext } from './context';
import { explainAwsError } from './errors';

/** The message attribute the trigger function sets on what it sends to the DLQ (apps/trigger). */
export const DLQ_REASON_ATTRIBUTE = 'xetl_reason';

export interface QueueDepth {
  readonly name: string;
  /** Messages waiting to be received. */
  readonly visible: number;
  /** Messages received and not yet deleted (being processed). */
  readonly in_flight: number;
}

async function queueUrl(ctx: OpsContext, name: string): Promise<string> {
  try {
    const out = await ctx.clients.sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    return out.QueueUrl as string;
  } catch (err) {
    throw explainAwsError(err, 'sqs:GetQueueUrl', `queue ${name}`, 'deploy the analytics stack first');
  }
}

export async function queueDepth(ctx: OpsContext, name: string): Promise<QueueDepth> {
  const url = await queueUrl(ctx, name);
  try {
    const attrs = (await ctx.clients.sqs.send(new GetQueueAttributesCommand({
      QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }))).Attributes ?? {};
    return { name, visible: Number(attrs.ApproximateNumberOfMessages ?? 0), in_flight: Number(attrs.ApproximateNumberOfMessagesNotVisible ?? 0) };
  } catch (err) {
    throw explainAwsError(err, 'sqs:GetQueueAttributes', `queue ${name}`, 'grant sqs:GetQueueAttributes on it');
  }
}

export interface RedriveResult {
  readonly from: string;
  readonly to: string;
  readonly moved: number;
  /** Why the moved messages had been dead-lettered, as the trigger recorded it, with counts. */
  readonly reasons: ReadonlyArray<{ readonly reason: string; readonly count: number }>;
}

/**
 * Moves dead-lettered trigger messages back to the trigger queue after a fix, at most `max`.
 * Each message is sent to the queue before it is deleted from the DLQ, so a failure midway
 * duplicates at worst, and duplicates are harmless: the trigger's run id is deterministic.
 */
export async function redrive(ctx: OpsContext, options: { max?: number } = {}): Promise<RedriveResult> {
  const { names, clients } = ctx;
  const max = options.max ?? 1000;
  const [dlqUrl, queue] = await Promise.all([queueUrl(ctx, names.triggerDlq), queueUrl(ctx, names.triggerQueue)]);
  const counts = new Map<string, number>();
  let moved = 0;
  while (moved < max) {
    const batch = (await clients.sqs.send(new ReceiveMessageCommand({
      QueueUrl: dlqUrl, MaxNumberOfMessages: Math.min(10, max - moved), WaitTimeSeconds: 0,
      MessageAttributeNames: ['All'], VisibilityTimeout: 60,
    }))).Messages ?? [];
    if (batch.length === 0) break;
    for (const m of batch) {
      const attributes: Record<string, MessageAttributeValue> = { ...(m.MessageAttributes ?? {}) };
      const reason = attributes[DLQ_REASON_ATTRIBUTE]?.StringValue ?? 'unknown';
      delete attributes[DLQ_REASON_ATTRIBUTE];
      await clients.sqs.send(new SendMessageCommand({
        QueueUrl: queue, MessageBody: m.Body ?? '', ...(Object.keys(attributes).length ? { MessageAttributes: attributes } : {}),
      }));
      counts.set(reason, (counts.get(reason) ?? 0) + 1);
    }
    await clients.sqs.send(new DeleteMessageBatchCommand({
      QueueUrl: dlqUrl, Entries: batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
    }));
    moved += batch.length;
  }
  const reasons = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([reason, count]) => ({ reason, count }));
  return { from: names.triggerDlq, to: names.triggerQueue, moved, reasons };
}

export function renderRedrive(r: RedriveResult): string[] {
  if (r.moved === 0) return [`xetl redrive: ${r.from} is empty; nothing to move`];
  return [
    `xetl redrive: moved ${r.moved} message(s) from ${r.from} back to ${r.to}`,
    ...r.reasons.map(({ reason, count }) => `  ${count} x ${reason}`),
    'the trigger function retries them now; check `xetl status` for the runs they start',
  ];
}
