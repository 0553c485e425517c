import type { Naming } from '@xetl/config';
import type { DataKey } from '../storage/data-key';

export interface TriggerQueueProps {
  /** Names of this environment: the queue and its dead-letter queue. */
  readonly names: Naming;
  /** Account B's key; encrypts both queues (a rule admitted with `admitRule` may use it for delivery). */
  readonly encryptionKey: DataKey;
  /**
   * Visibility timeout; AWS advises six times the consuming function's timeout.
   * @default 180
   */
  readonly visibilityTimeoutSeconds?: number;
  /** Receives before a message moves to the DLQ. @default 5 */
  readonly maxReceiveCount?: number;
}
