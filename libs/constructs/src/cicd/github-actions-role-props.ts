import type { ITerraformDependable } from 'cdktf';
import type { PolicyStatement } from '../iam/policy';

/**
 * One kind of GitHub Actions job that may assume the role: the OIDC token's claims it must carry.
 * STS evaluates GitHub's `sub`, `ref`, `job_workflow_ref`, `environment`, ... as condition keys
 * `token.actions.githubusercontent.com:<claim>`.
 */
export interface GithubTrust {
  /** Claims compared exactly (StringEquals); `sub` is required, no value may hold `*` or `?`. */
  readonly exact: Readonly<Record<string, string>>;
  /**
   * Claims compared with StringLike where GitHub puts a pull request's number in them: the one
   * wildcard allowed is `refs/pull/*\/merge` at the end, e.g. `org/repo/.github/workflows/ci.yml@refs/pull/*\/merge`.
   * @default none
   */
  readonly pullRequestRefs?: Readonly<Record<string, string>>;
}

export interface GithubActionsRoleProps {
  readonly roleName: string;
  readonly description: string;
  /** ARN of the account's GitHub OIDC provider (`Naming.githubOidcProviderArn`). */
  readonly providerArn: string;
  /** Issuer host, the prefix of the claim condition keys. */
  readonly providerHost: string;
  /** Required `aud` claim. */
  readonly audience: string;
  /** The jobs that may assume the role, one trust statement each. */
  readonly trusts: readonly GithubTrust[];
  /** Permissions of the role, as identity-policy statements. */
  readonly statements: readonly PolicyStatement[];
  /** @default 3600 seconds */
  readonly maxSessionDurationSeconds?: number;
  /** The provider resource, when this stack creates it, so the role is created after it. */
  readonly dependsOn?: ITerraformDependable[];
}
