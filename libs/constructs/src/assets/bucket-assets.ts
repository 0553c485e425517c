import { Construct } from 'constructs';
import { AssetType, TerraformAsset } from 'cdktf';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import type { BucketAssetsProps } from './bucket-assets-props';

/**
 * Uploads files from the repository into a bucket as `aws_s3_object`s. cdktf copies each file
 * into the stack's output (so the synthesized stack runs anywhere) and records its content hash
 * as `source_hash`, so a changed file is a plan diff of the stack. The objects are SSE-KMS with
 * the bucket's key (their ETag is then not an MD5, hence the hash).
 *
 * @example
 * const dags = new BucketAssets(this, 'Dags', {
 *   bucketId: airflowBucket.bucketId, kmsKeyArn: key.keyArn,
 *   files: listAssetFiles({ dir: '/repo/dags', keyPrefix: 'dags/', exclude: [/^tests\//] }),
 * });
 * dags.objects['dags/requirements.txt'].versionId;
 */
export class BucketAssets extends Construct {
  /** Uploaded objects by key. */
  readonly objects: Readonly<Record<string, S3Object>>;

  constructor(scope: Construct, id: string, props: BucketAssetsProps) {
    super(scope, id);
    const objects: Record<string, S3Object> = {};
    props.files.forEach((file) => {
      const slug = file.key.replace(/[^A-Za-z0-9]+/g, '-');
      const asset = new TerraformAsset(this, `Asset-${slug}`, { path: file.path, type: AssetType.FILE });
      objects[file.key] = new S3Object(this, `Object-${slug}`, {
        bucket: props.bucketId,
        key: file.key,
        source: asset.path,
        sourceHash: asset.assetHash,
        serverSideEncryption: 'aws:kms',
        kmsKeyId: props.kmsKeyArn,
        bucketKeyEnabled: true,
        contentType: contentType(file.key),
        ...(props.dependsOn?.length ? { dependsOn: [...props.dependsOn] } : {}),
      });
    });
    this.objects = objects;
  }
}

function contentType(key: string): string {
  if (key.endsWith('.py')) return 'text/x-python';
  if (key.endsWith('.sql')) return 'application/sql';
  if (key.endsWith('.txt')) return 'text/plain';
  if (key.endsWith('.zip')) return 'application/zip';
  if (key.endsWith('.json')) return 'application/json';
  return 'application/octet-stream';
}
