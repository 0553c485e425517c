import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { S3BucketLifecycleConfiguration, S3BucketLifecycleConfigurationRule } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import type { Grantee } from '../iam/grantee';
import type { PolicyDocument } from '../iam/policy';
import { createBucketBaseline } from './bucket-baseline';
import { denyOtherWritersStatement, identityStatements, readStatements, writeStatements } from './secure-bucket-grants';
import type { SecureBucketProps } from './secure-bucket-props';

/**
 * An S3 bucket for data, secure by construction: KMS encryption with a customer-managed key and
 * bucket key, versioning, no ACLs, all public access blocked, TLS 1.2+ only, server access logs,
 * events to EventBridge, lifecycle for multipart uploads, old versions and scratch prefixes, and
 * `prevent_destroy` unless the environment
 * allows destroying data. Access is granted per prefix with `grantRead`/`grantWrite`, which write
 * the bucket policy, the key policy and (for roles of this stack) the role's policy together.
 *
 * @example
 * const source = new SecureBucket(this, 'Source', { bucketName: names.sourceBucket, region, encryptionKey: key, accessLogs: logs });
 * source.grantRead([new ExternalRole(names.glueRoleArn, names.accountRootArn('analytics'))], 'products/');
 */
export class SecureBucket extends Construct {
  readonly bucketName: string;
  readonly bucketId: string;
  readonly bucketArn: string;
  /**
   * Versioning, as a dependable: objects whose version ID matters (MWAA's requirements.txt) must be
   * written after versioning is on, or their first version is `null`.
   */
  readonly versioning: ITerraformDependable;
  private readonly policy: PolicyDocument;
  private readonly encryptionKey: SecureBucketProps['encryptionKey'];
  private readonly s3Service: string;
  private grantCount = 0;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const allowDestroy = props.allowDestroy ?? false;
    const { bucket, versioning, policy } = createBucketBaseline(this, { bucketName: props.bucketName, allowDestroy });
    this.versioning = versioning;
    this.bucketName = props.bucketName;
    this.bucketId = bucket.id;
    this.bucketArn = bucket.arn;
    this.policy = policy;
    this.encryptionKey = props.encryptionKey;
    this.s3Service = `s3.${props.region}.amazonaws.com`;

    new S3BucketServerSideEncryptionConfigurationA(this, 'Encryption', {
      bucket: bucket.id,
      rule: [{
        applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.encryptionKey.keyArn },
        bucketKeyEnabled: true,
      }],
    });
    new S3BucketLoggingA(this, 'AccessLogging', {
      bucket: bucket.id,
      targetBucket: props.accessLogs.bucketId,
      targetPrefix: `${props.bucketName}/`,
      // S3 checks that the target admits log delivery when logging is configured.
      dependsOn: [props.accessLogs.deliveryPolicy],
    });

    const rules: S3BucketLifecycleConfigurationRule[] = [
      {
        id: 'abort-incomplete-multipart-uploads',
        status: 'Enabled',
        filter: [{ prefix: '' }],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: props.abortIncompleteMultipartDays ?? 7 }],
      },
      {
        id: 'expire-noncurrent-versions',
        status: 'Enabled',
        filter: [{ prefix: '' }],
        noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionDays ?? 30 }],
      },
    ];
    for (const [prefix, days] of Object.entries(props.expirePrefixes ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
      if (!/^[A-Za-z0-9._=-]+(\/[A-Za-z0-9._=-]+)*\/$/.test(prefix)) throw new Error(`${props.bucketName}: expirePrefixes: "${prefix}" must be a folder ending in "/"`);
      rules.push({ id: `expire-prefix-${prefix.slice(0, -1).replace(/[^A-Za-z0-9-]/g, '-')}`, status: 'Enabled', filter: [{ prefix }], expiration: [{ days }] });
    }
    if (props.transitionToInfrequentAccessDays !== undefined) {
      rules.push({
        id: 'transition-to-infrequent-access',
        status: 'Enabled',
        filter: [{ prefix: '' }],
        transition: [{ days: props.transitionToInfrequentAccessDays, storageClass: 'STANDARD_IA' }],
      });
    }
    new S3BucketLifecycleConfiguration(this, 'Lifecycle', { bucket: bucket.id, rule: rules });

  }

  /** Lets the roles list and read objects under `prefix` (and decrypt them through S3). */
  grantRead(grantees: readonly Grantee[], prefix: string): void {
    const sid = `Read${++this.grantCount}`;
    readStatements(this.bucketArn, prefix, grantees, sid).forEach((s) => this.policy.add(s));
    this.addIdentityStatements(grantees, prefix, false);
    this.encryptionKey.grantDecrypt(grantees, { viaService: this.s3Service, sid: `${this.node.id}${sid}` });
  }

  /** Lets the roles write, replace and delete objects under `prefix` (and encrypt them through S3). */
  grantWrite(grantees: readonly Grantee[], prefix: string): void {
    const sid = `Write${++this.grantCount}`;
    writeStatements(this.bucketArn, prefix, grantees, sid).forEach((s) => this.policy.add(s));
    this.addIdentityStatements(grantees, prefix, true);
    this.encryptionKey.grantEncryptDecrypt(grantees, { viaService: this.s3Service, sid: `${this.node.id}${sid}` });
  }

  /** Refuses object writes under `prefix` from anyone but `writers`, admins included. */
  restrictWritesTo(writers: readonly Grantee[], prefix: string): void {
    this.policy.add(denyOtherWritersStatement(this.bucketArn, prefix, writers, `OnlyNamedWriters${++this.grantCount}`));
  }

  private addIdentityStatements(grantees: readonly Grantee[], prefix: string, write: boolean): void {
    for (const g of grantees) {
      if (!g.addToPrincipalPolicy) continue;
      identityStatements(this.bucketArn, prefix, write).forEach((s) => g.addToPrincipalPolicy?.(s));
    }
  }
}
