import type { ITerraformDependable } from 'cdktf';
import type { AssetFile } from './asset-files';

export interface BucketAssetsProps {
  /** Bucket the files go to (its `id`, as the provider names it). */
  readonly bucketId: string;
  /** Customer-managed key of the bucket; objects are written SSE-KMS with it. */
  readonly kmsKeyArn: string;
  /** Files and their keys; see `listAssetFiles`. */
  readonly files: readonly AssetFile[];
  /**
   * What every object waits for, e.g. the bucket's versioning (`SecureBucket.versioning`), so the
   * first upload already gets a version ID. @default [] — none
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}
