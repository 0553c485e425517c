import { Construct } from 'constructs';
import { KMS_DECRYPT_ACTIONS } from '../iam/actions';
import type { Grantee } from '../iam/grantee';
import type { ExternalBucketProps } from './external-bucket-props';
import { identityStatements } from './secure-bucket-grants';

/**
 * A bucket in the other account, known by name only. Its own stack admits this side's roles in its
 * bucket and key policies; `grantRead` writes the identity half for a role of this stack: list and
 * read under one prefix, and decrypt with the other account's key only through S3, together, so the
 * S3 and KMS permissions never drift apart. Creates no resource.
 *
 * @example
 * const source = new ExternalBucket(this, 'Source', {
 *   bucketName: names.sourceBucket, region, partition: names.partition, keyArnPattern: names.dataKeyArnPattern,
 * });
 * source.grantRead(glueRole, 'products/');
 */
export class ExternalBucket extends Construct {
  readonly bucketName: string;
  readonly bucketArn: string;
  private readonly props: ExternalBucketProps;
  private readonly grantsPerRole = new Map<string, number>();

  constructor(scope: Construct, id: string, props: ExternalBucketProps) {
    super(scope, id);
    this.props = props;
    this.bucketName = props.bucketName;
    this.bucketArn = `arn:${props.partition ?? 'aws'}:s3:::${props.bucketName}`;
  }

  /** Lets a role of this stack list and read objects under `prefix` and decrypt them through S3. */
  grantRead(grantee: Grantee, prefix: string): void {
    const add = grantee.addToPrincipalPolicy?.bind(grantee);
    if (!add) throw new Error(`ExternalBucket ${this.bucketName}: grantRead needs a role of this stack`);
    identityStatements(this.bucketArn, prefix, false).forEach((s) => add(s));
    const n = (this.grantsPerRole.get(grantee.roleArn) ?? 0) + 1;
    this.grantsPerRole.set(grantee.roleArn, n);
    add({
      // The other account's key ID is unknown here: every key of that account in this region, only
      // through S3; its key policy admits this role for its data key alone.
      Sid: `Decrypt${this.node.id}ThroughS3${n > 1 ? n : ''}`,
      Effect: 'Allow',
      Action: [...KMS_DECRYPT_ACTIONS],
      Resource: this.props.keyArnPattern,
      Condition: { StringEquals: { 'kms:ViaService': `s3.${this.props.region}.amazonaws.com` } },
    });
  }
}
