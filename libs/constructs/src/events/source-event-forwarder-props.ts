import type { Naming } from '@xetl/config';
import type { DataKey } from '../storage/data-key';

export interface SourceEventForwarderProps {
  /** Names of this environment: rule, role, DLQ, B's bus ARN and the source bucket come from here. */
  readonly names: Naming;
  /** Account A's key; encrypts the forwarder's DLQ (EventBridge is granted its use for this rule). */
  readonly encryptionKey: DataKey;
  /** Retries of a failed delivery to B's bus before the event goes to the DLQ. @default 185 */
  readonly maximumRetryAttempts?: number;
  /** Oldest event still retried, in seconds. @default 86400 */
  readonly maximumEventAgeSeconds?: number;
}
