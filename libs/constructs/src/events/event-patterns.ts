/**
 * The one EventBridge pattern of the trigger path, used by account A's forwarding rule and again by
 * account B's rule: S3 `Object Created` for a marker key (`<prefix>/…/_SUCCESS`) of the source bucket.
 * A wildcard is the only way to require a prefix AND a suffix on one field (values in one list OR).
 * The handler re-checks the exact layout `<prefix>/year=YYYY/month=MM/day=DD/_SUCCESS`.
 */
export interface MarkerPatternOptions {
  /** Source bucket name (account A). */
  readonly bucketName: string;
  /** Top folder of the feed, e.g. "products". */
  readonly prefix: string;
  /** Marker object name. @default "_SUCCESS" */
  readonly markerFileName?: string;
}

export function markerEventPattern(o: MarkerPatternOptions): Record<string, unknown> {
  return {
    source: ['aws.s3'],
    'detail-type': ['Object Created'],
    detail: {
      bucket: { name: [o.bucketName] },
      object: { key: [{ wildcard: `${o.prefix}/*/${o.markerFileName ?? '_SUCCESS'}` }] },
    },
  };
}

/** Actions on SQS queues, sorted, no wildcards. */
export const SQS_CONSUME_ACTIONS = ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'] as const;
export const SQS_SEND_ACTIONS = ['sqs:GetQueueAttributes', 'sqs:SendMessage'] as const;
export const EVENTS_PUT_ACTIONS = ['events:PutEvents'] as const;
/** What EventBridge needs on a CMK to deliver to an encrypted SQS queue. */
export const KMS_EVENTS_TO_SQS_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'] as const;
