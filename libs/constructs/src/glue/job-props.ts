import type { EnvironmentConfig, Naming } from '@xetl/config';
import type { SecureBucket } from '../storage/secure-bucket';
import type { GlueRole } from './glue-role';
import type { GlueSecurityConfig } from './security-configuration';

export interface FeedJobProps {
  /** Names of this environment: job, script and library keys, staging prefixes, source prefix. */
  readonly names: Naming;
  /** The role the job runs as; it is granted the staging prefixes and the scripts. */
  readonly role: GlueRole;
  /** Encrypts the job's S3 output, logs and bookmarks. */
  readonly securityConfiguration: GlueSecurityConfig;
  /** Account B's staging bucket; the job writes curated/, quarantine/, manifests/ and its temp dir. */
  readonly stagingBucket: SecureBucket;
  /** Account B's assets bucket holding the job script and its library zip. */
  readonly assetsBucket: SecureBucket;
  /** Worker type and count, execution class and timeout, from config. */
  readonly glue: EnvironmentConfig['glue'];
}
