import type { Grantee } from './grantee';

export interface ScopedRoleProps {
  /** Physical role name, from `Naming`, so other accounts can compute its ARN. */
  readonly roleName: string;
  /** Account the role lives in (this stack's account). */
  readonly accountId: string;
  /** AWS partition of the account. @default "aws" */
  readonly partition?: string;
  /** One line on what assumes the role and why. Shown in the IAM console. */
  readonly description: string;
  /** AWS services that may assume the role, e.g. "glue.amazonaws.com". @default none */
  readonly trustedServices?: readonly string[];
  /**
   * Roles (in this or another account) that may assume the role, each admitted by account root
   * plus `aws:PrincipalArn`, so the trusted role need not exist yet. @default none
   */
  readonly trustedRoles?: readonly Grantee[];
  /**
   * Extra conditions on the service trust, e.g. `aws:SourceAccount`, against confused deputies.
   * @default none
   */
  readonly serviceTrustConditions?: Record<string, Record<string, string | string[]>>;
  /** @default 3600 seconds */
  readonly maxSessionDurationSeconds?: number;
}
