import { Construct } from 'constructs';
import { ExternalRole } from './grantee';
import { ScopedRole } from './scoped-role';
import type { UnloadRoleProps } from './unload-role-props';

/**
 * Account A's role for Redshift's chained UNLOAD: trusted only by account B's Redshift role (by
 * account root narrowed with `aws:PrincipalArn`, so B need not exist yet), with no permission of its
 * own until the target bucket grants it its prefix. UNLOAD names it second in
 * `IAM_ROLE '<B's Redshift role>,<this role>'` (`Naming.unloadRoleChain`).
 *
 * @example
 * const unload = new UnloadRole(this, 'Unload', { names });
 * targetBucket.grantWrite([unload], 'products/');
 */
export class UnloadRole extends ScopedRole {
  constructor(scope: Construct, id: string, props: UnloadRoleProps) {
    const { names } = props;
    super(scope, id, {
      roleName: names.unloadRoleName,
      accountId: names.accountId('source'),
      partition: names.partition,
      description: `xetl ${names.env.name}: Redshift in account ${names.accountId('analytics')} chains into this role to UNLOAD results`,
      trustedRoles: [new ExternalRole(names.redshiftRoleArn, names.accountRootArn('analytics'))],
    });
  }
}
