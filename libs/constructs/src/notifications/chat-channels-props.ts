import type { ChatConfig, Naming } from '@xetl/config';
import type { DataKey } from '../storage/data-key';

export interface ChatChannelsProps {
  /** Names of the environment: the chat topic, role, guardrail and channel configurations. */
  readonly names: Naming;
  /** The channels from `notifications.chat`: Slack, Teams or both (validated by the config). */
  readonly chat: ChatConfig;
  /** Region of the topic; scopes the key grant to use through this region's SNS. */
  readonly region: string;
  /** Customer-managed key that encrypts the chat topic's messages at rest. */
  readonly encryptionKey: DataKey;
  /**
   * What Chatbot writes to its CloudWatch log group (`/aws/chatbot/<configuration>`, us-east-1).
   * @default "ERROR" — delivery failures only
   */
  readonly loggingLevel?: 'ERROR' | 'INFO' | 'NONE';
}
