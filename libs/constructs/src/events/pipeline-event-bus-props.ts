import type { Naming } from '@xetl/config';
import type { DataKey } from '../storage/data-key';

export interface PipelineEventBusProps {
  /** Names of this environment: bus, rule, queues, account A and the source bucket come from here. */
  readonly names: Naming;
  /** Account B's key; encrypts the queue and its DLQ (EventBridge is granted its use for this rule). */
  readonly encryptionKey: DataKey;
  /**
   * Queue visibility timeout; AWS advises six times the consuming function's timeout.
   * @default 180
   */
  readonly visibilityTimeoutSeconds?: number;
  /** Receives before a message moves to the DLQ. @default 5 */
  readonly maxReceiveCount?: number;
}
