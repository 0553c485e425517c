import type { Naming } from '@xetl/config';
import type { DataKey } from '../storage/data-key';
import type { GlueRole } from './glue-role';

export interface GlueSecurityConfigProps {
  /** Names of this environment: the configuration's name. */
  readonly names: Naming;
  /** Key for S3 writes (SSE-KMS), CloudWatch logs and job bookmarks (CSE-KMS). */
  readonly encryptionKey: DataKey;
  /** The role the crawler and job run as; it is granted the key's use through S3 and Glue. */
  readonly role: GlueRole;
  /** Days the crawler's and job's log groups keep logs (`retention.logRetentionDays`). */
  readonly logRetentionDays: number;
}
