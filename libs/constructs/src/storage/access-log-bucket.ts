import { Construct } from 'constructs';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import type { AccessLogBucketProps } from './access-log-bucket-props';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { createBucketBaseline } from './bucket-baseline';
import { exemptFromGuard } from '../guards/security-guards';

/**
 * Destination of S3 server access logs for the buckets of one account.
 * Encrypted with S3-managed keys because S3 log delivery cannot write with a customer-managed key;
 * only the S3 logging service, for buckets of this account, may write.
 *
 * @example
 * const logs = new AccessLogBucket(this, 'AccessLogs', { bucketName: names.sourceAccessLogBucket, accountId, retentionDays: 365 });
 */
export class AccessLogBucket extends Construct {
  readonly bucketName: string;
  readonly bucketId: string;
  readonly bucketArn: string;
  /** The policy that admits S3 log delivery; buckets that log here must be configured after it. */
  readonly deliveryPolicy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps) {
    super(scope, id);
    const { bucket, policy, bucketPolicy } = createBucketBaseline(this, {
      bucketName: props.bucketName,
      allowDestroy: props.allowDestroy ?? false,
    });
    exemptFromGuard(bucket, 's3-cmk-encryption', 'S3 server access log delivery writes only to SSE-S3 buckets');
    this.bucketName = props.bucketName;
    this.bucketId = bucket.id;
    this.bucketArn = bucket.arn;
    this.deliveryPolicy = bucketPolicy;
    new S3BucketServerSideEncryptionConfigurationA(this, 'Encryption', {
      bucket: bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    policy.add({
      Sid: 'S3ServerAccessLogDelivery',
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: ['s3:PutObject'],
      Resource: `${bucket.arn}/*`,
      Condition: { StringEquals: { 'aws:SourceAccount': props.accountId } },
    });
    new S3BucketLifecycleConfiguration(this, 'Lifecycle', {
      bucket: bucket.id,
      rule: [
        {
          id: 'expire-access-logs',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          expiration: [{ days: props.retentionDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: 1 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
    });
  }
}
