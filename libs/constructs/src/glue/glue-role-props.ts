import type { Naming } from '@xetl/config';

export interface GlueRoleProps {
  /** Names of this environment: the role's name, account, region and Glue's log-group prefix. */
  readonly names: Naming;
}
