import type { Naming } from '@xetl/config';

export interface UnloadRoleProps {
  /** Names of this environment: the role's name in account A and account B's Redshift role ARN. */
  readonly names: Naming;
}
