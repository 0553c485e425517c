import type { AccessLogBucket } from './access-log-bucket';
import type { DataKey } from './data-key';

export interface SecureBucketProps {
  /** Physical name, from `Naming`. */
  readonly bucketName: string;
  /** Region of the bucket; scopes key grants to use through this region's S3. */
  readonly region: string;
  /** Customer-managed key for default encryption (with an S3 bucket key, to cut KMS calls). */
  readonly encryptionKey: DataKey;
  /** Where S3 server access logs go. */
  readonly accessLogs: AccessLogBucket;
  /** Days replaced or deleted object versions are kept. @default 30 */
  readonly noncurrentVersionDays?: number;
  /** Move current objects to STANDARD_IA after this many days. @default undefined — stay in STANDARD */
  readonly transitionToInfrequentAccessDays?: number;
  /** Days after which unfinished multipart uploads are aborted. @default 7 */
  readonly abortIncompleteMultipartDays?: number;
  /**
   * Allow `terraform destroy` to delete the bucket with its objects. Pass the environment's
   * `allowDestroyData`; otherwise the bucket carries `prevent_destroy`. @default false
   */
  readonly allowDestroy?: boolean;
  /**
   * Folders whose objects expire after the given days (current versions; the replaced ones then go
   * by `noncurrentVersionDays`), e.g. scratch space and quarantined rows. @default none
   */
  readonly expirePrefixes?: Readonly<Record<string, number>>;
}
