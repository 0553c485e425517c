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

/**
 * A role that only GitHub Actions' OIDC tokens from one repository (and, for deploys, one GitHub
 * environment) can assume: trusted by exactly the account's GitHub OIDC provider, with `aud`
 * and `sub` pinned by StringEquals. Its permissions are split into as few customer-managed
 * policies as IAM's 6,144-character limit allows (an inline policy would cap them at 10,240 in
 * all); never an AWS-managed policy.
 */
export class GithubActionsRole extends Construct {
  readonly role: IamRole;
  readonly roleArn: string;
  readonly policies: IamPolicy[] = [];

  constructor(scope: Construct, id: string, props: GithubActionsRoleProps) {
    super(scope, id);
    if (props.subjects.length === 0) throw new Error(`${props.roleName}: name at least one subject`);
    const wild = props.subjects.filter((s) => /[*?]/.test(s));
    if (wild.length) throw new Error(`${props.roleName}: subjects must be exact, got ${wild.join(', ')}`);

    const trust = new PolicyDocument([{
      Effect: 'Allow',
      Principal: { Federated: props.providerArn },
      Action: [...WEB_IDENTITY_ACTIONS],
      Condition: {
        StringEquals: {
          [`${props.providerHost}:aud`]: props.audience,
          [`${props.providerHost}:sub`]: props.subjects.length === 1 ? props.subjects[0] : [...props.subjects].sort(),
        },
      },
    }]);
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
