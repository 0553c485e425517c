import type { EnvironmentConfig, Naming } from '@xetl/config';
import type { DataKey } from '../storage/data-key';
import type { SecureBucket } from '../storage/secure-bucket';

export interface GluePipelineProps {
  /** Names of this environment: database, crawler, job, role, buckets of both accounts. */
  readonly names: Naming;
  /** Key of the security configuration (S3 writes, CloudWatch logs, job bookmarks). */
  readonly encryptionKey: DataKey;
  /** Account B's staging bucket; the job writes curated/, quarantine/, manifests/ and its temp dir. */
  readonly stagingBucket: SecureBucket;
  /** Account B's assets bucket holding the job script and its library zip. */
  readonly assetsBucket: SecureBucket;
  /** Worker type and count, execution class, timeout and retries, from config. */
  readonly glue: EnvironmentConfig['glue'];
  /**
   * Job runs allowed at once.
   * @default 1 — each run replaces one whole partition; the DAG processes partitions one by one.
   */
  readonly maxConcurrentRuns?: number;
}
