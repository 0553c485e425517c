import type { DataKey } from '../storage/data-key';

export interface PipelineTopicProps {
  /** Topic name, from `Naming.pipelineTopic`. */
  readonly topicName: string;
  /** Region of the topic; scopes the key grant to use through this region's SNS. */
  readonly region: string;
  /** Customer-managed key that encrypts messages at rest. */
  readonly encryptionKey: DataKey;
  /**
   * E-mail addresses subscribed to pipeline success and failure. Each must confirm the
   * subscription from the message AWS sends. @default [] — no subscriptions
   */
  readonly emails?: readonly string[];
}
