import type { ITerraformDependable } from 'cdktf';
import type { PolicyStatement } from '../iam/policy';

export interface GithubActionsRoleProps {
  readonly roleName: string;
  readonly description: string;
  /** ARN of the account's GitHub OIDC provider (`Naming.githubOidcProviderArn`). */
  readonly providerArn: string;
  /** Issuer host, the prefix of the `aud`/`sub` condition keys. */
  readonly providerHost: string;
  /** Required `aud` claim. */
  readonly audience: string;
  /**
   * The exact `sub` claims admitted, e.g. `repo:org/repo:environment:prod`. Compared with
   * StringEquals: a `*` here would be a literal character, and is refused anyway.
   */
  readonly subjects: readonly string[];
  /** Permissions of the role, as identity-policy statements. */
  readonly statements: readonly PolicyStatement[];
  /** @default 3600 seconds */
  readonly maxSessionDurationSeconds?: number;
  /** The provider resource, when this stack creates it, so the role is created after it. */
  readonly dependsOn?: ITerraformDependable[];
}
