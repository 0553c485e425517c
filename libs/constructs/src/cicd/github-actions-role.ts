import { Construct } from 'constructs';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { PolicyDocument, PolicyStatement } from '../iam/policy';
import { WEB_IDENTITY_ACTIONS } from './cicd-actions';
import type { GithubActionsRoleProps } from './github-actions-role-props';

/** IAM's limit on a customer-managed policy document, in characters without whitespace. */
export const MANAGED_POLICY_MAX_CHARS = 6144;
/** IAM's default limit of managed policies per role. */
const MAX_POLICIES_PER_ROLE = 10;

/** The only wildcard a trust may hold: the pull request's number in a `refs/pull/<n>/merge` ref. */
const PULL_REQUEST_REF = /^[^*?]*refs\/pull\/\*\/merge$/;

/**
 * A role that only GitHub Actions' OIDC tokens of named jobs can assume: trusted by exactly the
 * account's GitHub OIDC provider, with `aud`, `sub` and the other claims of each trust pinned by
 * StringEquals (a pull request's number alone by StringLike). Its permissions are split into as
 * few customer-managed policies as IAM's 6,144-character limit allows (an inline policy would cap
 * them at 10,240 in all); never an AWS-managed policy.
 */
export class GithubActionsRole extends Construct {
  readonly role: IamRole;
  readonly roleArn: string;
  readonly policies: IamPolicy[] = [];

  constructor(scope: Construct, id: string, props: GithubActionsRoleProps) {
    super(scope, id);
    if (props.trusts.length === 0) throw new Error(`${props.roleName}: name at least one trust`);
    const key = (claim: string) => `${props.providerHost}:${claim}`;
    const trust = new PolicyDocument(props.trusts.map((t) => {
      if (!t.exact.sub) throw new Error(`${props.roleName}: every trust pins the sub claim`);
      const wild = Object.values(t.exact).filter((v) => /[*?]/.test(v));
      if (wild.length) throw new Error(`${props.roleName}: claims must be exact, got ${wild.join(', ')}`);
      const like = Object.entries(t.pullRequestRefs ?? {});
      const bad = like.filter(([, v]) => !PULL_REQUEST_REF.test(v));
      if (bad.length) throw new Error(`${props.roleName}: a wildcard may only stand for a pull request number (refs/pull/*/merge), got ${bad.map(([, v]) => v).join(', ')}`);
      const exact = Object.fromEntries(Object.entries(t.exact).sort(([x], [y]) => x.localeCompare(y)).map(([c, v]) => [key(c), v]));
      return {
        Effect: 'Allow' as const,
        Principal: { Federated: props.providerArn },
        Action: [...WEB_IDENTITY_ACTIONS],
        Condition: {
          StringEquals: { [key('aud')]: props.audience, ...exact },
          ...(like.length ? { StringLike: Object.fromEntries(like.map(([c, v]) => [key(c), v])) } : {}),
        },
      };
    }));
    this.role = new IamRole(this, 'Role', {
      name: props.roleName,
      description: props.description,
      assumeRolePolicy: trust.toJson(),
      maxSessionDuration: props.maxSessionDurationSeconds ?? 3600,
      dependsOn: props.dependsOn,
    });
    this.roleArn = this.role.arn;

    const chunks = chunkStatements(props.statements, MANAGED_POLICY_MAX_CHARS);
    if (chunks.length > MAX_POLICIES_PER_ROLE) {
      throw new Error(`${props.roleName}: ${chunks.length} managed policies exceed IAM's ${MAX_POLICIES_PER_ROLE} per role`);
    }
    chunks.forEach((statements, i) => {
      const policy = new IamPolicy(this, `Policy${i + 1}`, {
        name: `${props.roleName}-${i + 1}`,
        description: `${props.description} (${i + 1}/${chunks.length})`,
        policy: new PolicyDocument(statements).toJson(),
      });
      new IamRolePolicyAttachment(this, `Attach${i + 1}`, { role: this.role.name, policyArn: policy.arn });
      this.policies.push(policy);
    });
  }
}

/** Packs statements, in order, into documents that each stay under `max` characters. */
export function chunkStatements(statements: readonly PolicyStatement[], max: number): PolicyStatement[][] {
  const size = (s: readonly PolicyStatement[]) => new PolicyDocument(s).toJson().length;
  const out: PolicyStatement[][] = [];
  let current: PolicyStatement[] = [];
  for (const s of statements) {
    if (size([s]) > max) throw new Error(`policy statement ${s.Sid ?? ''} alone exceeds ${max} characters; split it`);
    if (current.length && size([...current, s]) > max) {
      out.push(current);
      current = [];
    }
    current.push(s);
  }
  if (current.length) out.push(current);
  return out;
}
