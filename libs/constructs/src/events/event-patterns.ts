// The marker event pattern is part of the pipeline contract: `markerEventPattern` in @xetl/config.

/** Actions on SQS queues, sorted, no wildcards. */
export const SQS_CONSUME_ACTIONS = ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'] as const;
export const SQS_SEND_ACTIONS = ['sqs:GetQueueAttributes', 'sqs:SendMessage'] as const;
export const EVENTS_PUT_ACTIONS = ['events:PutEvents'] as const;
/** What EventBridge needs on a CMK to deliver to an encrypted SQS queue. */
export const KMS_EVENTS_TO_SQS_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'] as const;
