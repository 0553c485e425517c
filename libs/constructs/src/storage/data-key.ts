import { Construct } from 'constructs';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KMS_ACCOUNT_ADMIN_ACTIONS, KMS_DECRYPT_ACTIONS, KMS_ENCRYPT_DECRYPT_ACTIONS } from '../iam/actions';
import { Grantee, principalFor } from '../iam/grantee';
import { PolicyDocument } from '../iam/policy';
import type { DataKeyProps } from './data-key-props';

export interface KeyGrantOptions {
  /** Only through these services' endpoints (`kms:ViaService`), e.g. `s3.eu-west-1.amazonaws.com`. @default any caller */
  readonly viaService?: string | readonly string[];
  readonly sid?: string;
}

/**
 * A customer-managed KMS key with rotation on, an alias, and a key policy assembled from grants.
 * Grants to roles in another account go into the key policy (the only place that can admit them),
 * scoped to the named roles and, where given, to use through one AWS service.
 *
 * @example
 * const key = new DataKey(this, 'DataKey', { alias: names.dataKeyAlias, description: 'xetl data', accountId });
 * key.grantDecrypt([glueRole, mwaaRole], { viaService: `s3.${region}.amazonaws.com` });
 */
export class DataKey extends Construct {
  readonly key: KmsKey;
  readonly alias: KmsAlias;
  readonly keyArn: string;
  private readonly policy: PolicyDocument;

  constructor(scope: Construct, id: string, props: DataKeyProps) {
    super(scope, id);
    const root = `arn:${props.partition ?? 'aws'}:iam::${props.accountId}:root`;
    this.policy = new PolicyDocument([
      {
        Sid: 'AccountAdministersKeyThroughIam',
        Effect: 'Allow',
        Principal: { AWS: root },
        Action: [...KMS_ACCOUNT_ADMIN_ACTIONS],
        Resource: '*',
      },
    ]);
    this.key = new KmsKey(this, 'Key', {
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: props.deletionWindowDays ?? 30,
      policy: this.policy.lazyJson(),
    });
    this.alias = new KmsAlias(this, 'Alias', { name: props.alias, targetKeyId: this.key.keyId });
    this.keyArn = this.key.arn;
  }

  /** Lets the roles decrypt with the key (read encrypted objects), optionally only through the named services. */
  grantDecrypt(grantees: readonly Grantee[], options: KeyGrantOptions = {}): void {
    this.grant(grantees, [...KMS_DECRYPT_ACTIONS], options);
  }

  /** Lets the roles encrypt and decrypt (write encrypted objects), optionally only through the named services. */
  grantEncryptDecrypt(grantees: readonly Grantee[], options: KeyGrantOptions = {}): void {
    this.grant(grantees, [...KMS_ENCRYPT_DECRYPT_ACTIONS], options);
  }

  /** Lets an AWS service principal use the key, e.g. CloudWatch Logs for encrypted log groups. */
  grantToService(service: string, actions: readonly string[], condition?: Record<string, Record<string, string | string[]>>): void {
    this.policy.add({
      Sid: `Service${service.split('.')[0].replace(/[^A-Za-z0-9]/g, '')}`,
      Effect: 'Allow',
      Principal: { Service: service },
      Action: [...actions],
      Resource: '*',
      ...(condition ? { Condition: condition } : {}),
    });
  }

  private grant(grantees: readonly Grantee[], actions: string[], options: KeyGrantOptions): void {
    if (grantees.length === 0) return;
    const { Principal, Condition } = principalFor(grantees);
    const via = options.viaService === undefined ? undefined
      : { StringEquals: { 'kms:ViaService': typeof options.viaService === 'string' ? options.viaService : [...options.viaService].sort() } };
    this.policy.add({
      ...(options.sid ? { Sid: options.sid } : {}),
      Effect: 'Allow',
      Principal,
      Action: actions,
      Resource: '*',
      Condition: via ? { ...Condition, ...via } : Condition,
    });
    // Roles of this stack also need the permission in their own policy, with the same service
    // condition: the account statement delegates the key to IAM, so this is where a direct call
    // (outside the service) is refused.
    for (const g of grantees) {
      g.addToPrincipalPolicy?.({ Effect: 'Allow', Action: actions, Resource: this.key.arn, ...(via ? { Condition: via } : {}) });
    }
  }
}
