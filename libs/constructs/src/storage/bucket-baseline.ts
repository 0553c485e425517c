import { Construct } from 'constructs';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketNotification } from '@cdktf/provider-aws/lib/s3-bucket-notification';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { PolicyDocument } from '../iam/policy';

/** The settings no xetl bucket may be without, shared by data and log buckets. */
export interface BucketBaseline {
  readonly bucket: S3Bucket;
  readonly versioning: S3BucketVersioningA;
  readonly policy: PolicyDocument;
  readonly bucketPolicy: S3BucketPolicy;
}

export interface BucketBaselineOptions {
  readonly bucketName: string;
  /** Lets `terraform destroy` remove the bucket and its objects. */
  readonly allowDestroy: boolean;
}

/**
 * Creates a bucket with versioning, all public access blocked, ACLs disabled
 * (`BucketOwnerEnforced`), its events sent to EventBridge and a policy that refuses plain HTTP and
 * TLS older than 1.2. Callers add their own statements to `policy`; it renders once, at synth.
 */
export function createBucketBaseline(scope: Construct, options: BucketBaselineOptions): BucketBaseline {
  const bucket = new S3Bucket(scope, 'Bucket', {
    bucket: options.bucketName,
    forceDestroy: options.allowDestroy,
    lifecycle: { preventDestroy: !options.allowDestroy },
  });
  const versioning = new S3BucketVersioningA(scope, 'Versioning', {
    bucket: bucket.id,
    versioningConfiguration: { status: 'Enabled' },
  });
  const publicAccess = new S3BucketPublicAccessBlock(scope, 'PublicAccessBlock', {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  // Every object event goes to the account's default bus (no charge for S3 events there): the event
  // trigger's rule reads the source bucket's, and any bucket's are there for audit rules. A bucket
  // has ONE notification configuration: every notification of it belongs in this resource.
  new S3BucketNotification(scope, 'Notifications', { bucket: bucket.id, eventbridge: true });
  new S3BucketOwnershipControls(scope, 'Ownership', {
    bucket: bucket.id,
    rule: { objectOwnership: 'BucketOwnerEnforced' },
  });
  const bucketArn = bucket.arn;
  const policy = new PolicyDocument([
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
    {
      Sid: 'DenyOutdatedTls',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } },
    },
  ]);
  const bucketPolicy = new S3BucketPolicy(scope, 'Policy', {
    bucket: bucket.id,
    policy: policy.lazyJson(),
    // The public access block must exist first, or S3 may judge the policy before it applies.
    dependsOn: [publicAccess],
  });
  return { bucket, versioning, policy, bucketPolicy };
}
