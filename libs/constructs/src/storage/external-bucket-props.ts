export interface ExternalBucketProps {
  /** Physical name of the bucket in the other account, from `Naming`. */
  readonly bucketName: string;
  /** Region of the bucket; key grants are scoped to use through this region's S3. */
  readonly region: string;
  /** AWS partition. @default "aws" */
  readonly partition?: string;
  /**
   * The other account's keys that may encrypt the bucket, as an ARN pattern (its key ID is not
   * known on this side), e.g. `Naming.dataKeyArnPattern`. That account's key policy narrows it to
   * its one data key for the roles it admits.
   */
  readonly keyArnPattern: string;
}
