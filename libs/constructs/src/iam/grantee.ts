import type { PolicyStatement } from './policy';

/**
 * Something a resource can grant access to: a role in this stack (it takes identity policy
 * statements) or a role computed by name in another account (only resource policies can reach it).
 */
export interface Grantee {
  /** ARN of the role, as `aws:PrincipalArn` sees it. */
  readonly roleArn: string;
  /** ARN of the account root that owns the role; resource policies name it as the principal. */
  readonly accountRootArn: string;
  /**
   * IAM's unique id of the role (`AROA…`), when the role is managed by this stack: the first half
   * of `aws:userid` for every session of the role (`AROA…:<session name>`).
   */
  readonly roleUniqueId?: string;
  /** Adds an identity-policy statement, when the role is managed by this stack. */
  addToPrincipalPolicy?(statement: PolicyStatement): void;
  /** Tags the role (a principal tag services read, e.g. `RedshiftDbRoles`), when this stack manages it. */
  addTag?(key: string, value: string): void;
}

/**
 * A role that lives in another stack or account, known only by its deterministic ARN.
 * Resource policies admit its account root narrowed to this role with `aws:PrincipalArn`,
 * which is valid even before the role exists (so the accounts deploy in any order).
 */
export class ExternalRole implements Grantee {
  constructor(
    readonly roleArn: string,
    readonly accountRootArn: string,
  ) {}
}

/** The principal/condition pair that admits exactly these roles in a resource policy. */
export function principalFor(grantees: readonly Grantee[]): Pick<PolicyStatement, 'Principal' | 'Condition'> {
  const roots = [...new Set(grantees.map((g) => g.accountRootArn))].sort();
  const roles = [...new Set(grantees.map((g) => g.roleArn))].sort();
  return {
    Principal: { AWS: roots.length === 1 ? roots[0] : roots },
    Condition: { ArnEquals: { 'aws:PrincipalArn': roles.length === 1 ? roles[0] : roles } },
  };
}
