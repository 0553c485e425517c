import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { STS_ASSUME_ROLE_ACTIONS } from './actions';
import { Grantee, principalFor } from './grantee';
import { PolicyDocument, PolicyStatement } from './policy';
import type { ScopedRoleProps } from './scoped-role-props';

/**
 * An IAM role whose permissions are only what resources grant it: it starts empty, and every
 * `grant*` call on a bucket, key or service construct adds one scoped statement to its single
 * inline policy. No managed policies are ever attached.
 *
 * @example
 * const role = new ScopedRole(this, 'Unload', {
 *   roleName: names.unloadRoleName,
 *   accountId: names.accountId('source'),
 *   description: 'Redshift in account B chains into this role to UNLOAD into the target bucket',
 *   trustedRoles: [new ExternalRole(names.redshiftRoleArn, names.accountRootArn('analytics'))],
 * });
 * targetBucket.grantWrite(role, 'products/');
 */
export class ScopedRole extends Construct implements Grantee {
  readonly role: IamRole;
  readonly roleArn: string;
  readonly roleName: string;
  readonly accountRootArn: string;
  readonly roleUniqueId: string;
  private readonly policy = new PolicyDocument();
  private inlinePolicy?: IamRolePolicy;

  constructor(scope: Construct, id: string, props: ScopedRoleProps) {
    super(scope, id);
    const trust = new PolicyDocument();
    if (props.trustedServices?.length) {
      trust.add({
        Effect: 'Allow',
        Principal: { Service: [...props.trustedServices].sort() },
        Action: [...STS_ASSUME_ROLE_ACTIONS],
        ...(props.serviceTrustConditions ? { Condition: props.serviceTrustConditions } : {}),
      });
    }
    if (props.trustedRoles?.length) {
      trust.add({ Effect: 'Allow', ...principalFor(props.trustedRoles), Action: [...STS_ASSUME_ROLE_ACTIONS] });
    }
    if (trust.isEmpty) {
      throw new Error(`ScopedRole ${props.roleName}: name at least one trusted service or role`);
    }
    this.role = new IamRole(this, 'Role', {
      name: props.roleName,
      description: props.description,
      assumeRolePolicy: trust.toJson(),
      maxSessionDuration: props.maxSessionDurationSeconds ?? 3600,
    });
    this.roleArn = this.role.arn;
    this.roleUniqueId = this.role.uniqueId;
    this.roleName = props.roleName;
    this.accountRootArn = `arn:${props.partition ?? 'aws'}:iam::${props.accountId}:root`;
  }

  /**
   * What a resource that uses the role at creation must wait for: the role and its inline policy
   * (IAM does not order them; a service validating the role on create may see it without permissions).
   * Ask after the role has its first statement; later grants go into the same policy.
   */
  get dependables(): ITerraformDependable[] {
    if (!this.inlinePolicy) throw new Error(`ScopedRole ${this.roleName}: no inline policy yet; grant it something first`);
    return [this.role, this.inlinePolicy];
  }

  /** Sets one tag on the role; a second value for the same key is refused, not overwritten. */
  addTag(key: string, value: string): void {
    const tags = { ...(this.role.tagsInput ?? {}) };
    if (key in tags && tags[key] !== value) throw new Error(`ScopedRole ${this.roleName}: tag ${key} is already ${tags[key]}, not ${value}`);
    this.role.tags = { ...tags, [key]: value };
  }

  addToPrincipalPolicy(statement: PolicyStatement): void {
    this.policy.add(statement);
    this.inlinePolicy ??= new IamRolePolicy(this, 'Policy', {
      name: 'xetl-scoped',
      role: this.role.id,
      policy: this.policy.lazyJson(),
    });
  }
}
