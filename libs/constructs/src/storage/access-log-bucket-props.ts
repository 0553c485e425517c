export interface AccessLogBucketProps {
  readonly bucketName: string;
  /** Account whose buckets deliver logs here; other accounts cannot write. */
  readonly accountId: string;
  /** Days logs are kept. */
  readonly retentionDays: number;
  /** @default false — keep logs when the stack is destroyed */
  readonly allowDestroy?: boolean;
}
