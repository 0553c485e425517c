import type { Naming } from '@xetl/config';
import type { GlueRole } from './glue-role';
import type { GlueSecurityConfig } from './security-configuration';

export interface FeedCrawlerProps {
  /** Names of this environment: database, crawler, the source bucket and the feed prefix. */
  readonly names: Naming;
  /** The role the crawler runs as; it is granted the database (the stack grants the source prefix). */
  readonly role: GlueRole;
  /** Encrypts the crawler's logs. */
  readonly securityConfiguration: GlueSecurityConfig;
}
