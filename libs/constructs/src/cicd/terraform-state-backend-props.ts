import type { AccessLogBucket } from '../storage/access-log-bucket';

export interface TerraformStateBackendProps {
  /** State bucket, exactly the config's `state.<side>.bucket` (the stacks' S3 backend points there). */
  readonly bucketName: string;
  /** Lock table, exactly the config's `state.<side>.dynamodbTable`. */
  readonly lockTableName: string;
  /** Alias of the key that encrypts the bucket and the table, from `Naming.stateKeyAlias`. */
  readonly keyAlias: string;
  /**
   * Where the state bucket's server access logs go (the stack's `AccessLogBucket`, named by
   * `Naming.stateAccessLogBucket`). Required when the bucket is created here.
   */
  readonly accessLogs?: AccessLogBucket;
  readonly region: string;
  readonly accountId: string;
  /** @default "aws" */
  readonly partition?: string;
  /**
   * Create the bucket (with its key and access-log bucket). False when another environment's
   * bootstrap stack in the same account already creates it. @default true
   */
  readonly createBucket?: boolean;
  /** Create the lock table. @default true */
  readonly createLockTable?: boolean;
  /** Days replaced state versions are kept: the history a rollback of state can reach. @default 90 */
  readonly noncurrentVersionDays?: number;
}
