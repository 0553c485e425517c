import { Construct } from 'constructs';
import { RedshiftserverlessNamespace } from '@cdktf/provider-aws/lib/redshiftserverless-namespace';
import { RedshiftserverlessUsageLimit } from '@cdktf/provider-aws/lib/redshiftserverless-usage-limit';
import { RedshiftserverlessWorkgroup } from '@cdktf/provider-aws/lib/redshiftserverless-workgroup';
import { STS_ASSUME_ROLE_ACTIONS } from '../iam/actions';
import type { Grantee } from '../iam/grantee';
import { ScopedRole } from '../iam/scoped-role';
import { ServiceLogGroups } from '../logs/service-log-groups';
import type { ServerlessWarehouseProps } from './serverless-warehouse-props';

/** Data API calls that name the workgroup (sorted). */
export const REDSHIFT_DATA_RUN_ACTIONS = ['redshift-data:BatchExecuteStatement', 'redshift-data:ExecuteStatement'] as const;
/**
 * Data API calls on statements; they take no resource, only the statement-owner condition (sorted).
 * Exactly what provider 9.12.0 calls: DescribeStatement (hook polling, RedshiftDataTrigger,
 * the operator's result lookup), GetStatementResult (the quality check), CancelStatement (on kill).
 */
export const REDSHIFT_DATA_STATEMENT_ACTIONS = [
  'redshift-data:CancelStatement', 'redshift-data:DescribeStatement', 'redshift-data:GetStatementResult',
] as const;
/**
 * With no `SecretArn`, the Data API signs the caller into a Serverless workgroup with temporary
 * credentials it gets with the caller's rights (Redshift Data API reference: "When connecting to a
 * serverless workgroup, specify the workgroup name and database name. Also, permission to call the
 * redshift-serverless:GetCredentials operation is required").
 */
export const REDSHIFT_IAM_SIGN_IN_ACTIONS = ['redshift-serverless:GetCredentials'] as const;
/**
 * Principal tag Redshift Serverless reads at sign-in: the database roles (colon-separated) the
 * database user `IAMR:<role name>` is granted ("Defining database roles to grant to federated users
 * in Amazon Redshift Serverless").
 */
export const REDSHIFT_DB_ROLES_TAG = 'RedshiftDbRoles';
/** A Redshift identifier as the tag can carry it: no colon, lower case (Redshift folds names). */
const DB_ROLE_NAME = /^[a-z_][a-z0-9_$]{0,126}$/;

export interface RunQueriesOptions {
  /**
   * Database roles the caller's database user holds. Created, with exactly their grants, by the
   * SQL migrations; a role the database does not have is ignored at sign-in.
   */
  readonly databaseRoles: readonly string[];
}
/**
 * Every parameter the Redshift Serverless API returns for a workgroup (and provider 5.100.0 accepts),
 * with xetl's values: SSL required and user activity logged, the rest at AWS's defaults. Setting
 * them all keeps the provider from planning to remove the ones AWS adds back.
 */
export const WORKGROUP_CONFIG_PARAMETERS: Readonly<Record<string, string>> = {
  auto_mv: 'true',
  datestyle: 'ISO, MDY',
  enable_case_sensitive_identifier: 'false',
  enable_user_activity_logging: 'true',
  max_query_execution_time: '14400',
  query_group: 'default',
  require_ssl: 'true',
  search_path: '$user, public',
  use_fips_ssl: 'false',
};
/** Exported log types; useractivitylog also needs `enable_user_activity_logging`. */
export const REDSHIFT_LOG_EXPORTS = ['connectionlog', 'useractivitylog', 'userlog'] as const;

/**
 * Redshift Serverless, private: a namespace whose admin password Secrets Manager manages (never
 * in code or state), encrypted with a customer-managed key, exporting its logs; a workgroup in
 * private subnets, not publicly accessible, with enhanced VPC routing and SSL required; and the
 * namespace's default IAM role, which may assume account A's unload role (role chaining); and,
 * when given, a daily usage limit on the workgroup's compute (RPU-hours).
 * `grantRunQueries` lets a role run SQL through the Data API as itself (IAM authentication), as a
 * database user holding only the database roles it names. The admin secret is for `xetl bootstrap`
 * alone: no grant here reads it.
 *
 * @example
 * const warehouse = new ServerlessWarehouse(this, 'Warehouse', {
 *   names, encryptionKey: key, subnetIds: network.redshiftSubnetIds,
 *   securityGroupIds: [network.redshiftSecurityGroupId], baseCapacity: 8, maxCapacity: 32, databaseName: 'dev',
 * });
 * staging.grantRead([warehouse.role], 'curated/');
 * warehouse.grantRunQueries(mwaaRole, { databaseRoles: [names.redshiftPipelineRole] });
 */
export class ServerlessWarehouse extends Construct {
  /** The namespace's default role: COPY from staging, UNLOAD through account A's role. */
  readonly role: ScopedRole;
  readonly namespace: RedshiftserverlessNamespace;
  readonly workgroup: RedshiftserverlessWorkgroup;
  readonly workgroupArn: string;
  /** Secrets Manager ARN of the admin credentials Redshift manages. */
  readonly adminSecretArn: string;
  /** Host name of the workgroup endpoint, reachable only from inside the peered VPCs. */
  readonly endpointAddress: string;

  constructor(scope: Construct, id: string, props: ServerlessWarehouseProps) {
    super(scope, id);
    const { names } = props;
    const account = names.accountId('analytics');

    this.role = new ScopedRole(this, 'Role', {
      roleName: names.redshiftRoleName,
      accountId: account,
      partition: names.partition,
      description: `xetl ${names.env.name}: Redshift Serverless COPYs curated data and chains into account ${names.accountId('source')}'s unload role`,
      trustedServices: ['redshift.amazonaws.com', 'redshift-serverless.amazonaws.com'],
      serviceTrustConditions: { StringEquals: { 'aws:SourceAccount': account } },
    });
    this.role.addToPrincipalPolicy({
      Sid: 'ChainIntoUnloadRole',
      Effect: 'Allow',
      Action: [...STS_ASSUME_ROLE_ACTIONS],
      Resource: names.unloadRoleArn,
    });

    // Redshift Serverless exports into one log group per log type for the whole account and region,
    // which it would create kept for ever and without the key; the owning environment makes them.
    const logGroups = names.env.ownsAccountSettings
      ? new ServiceLogGroups(this, 'Logs', {
        logGroupNames: names.redshiftLogGroups(REDSHIFT_LOG_EXPORTS), retentionDays: props.logRetentionDays, encryptionKey: props.encryptionKey,
      }).groups
      : [];
    this.namespace = new RedshiftserverlessNamespace(this, 'Namespace', {
      namespaceName: names.redshiftNamespace,
      dbName: props.databaseName,
      // AWS requires the admin user's name whenever it manages the admin password.
      adminUsername: names.redshiftAdminUsername,
      manageAdminPassword: true,
      adminPasswordSecretKmsKeyId: props.encryptionKey.keyArn,
      kmsKeyId: props.encryptionKey.keyArn,
      iamRoles: [this.role.roleArn],
      defaultIamRoleArn: this.role.roleArn,
      logExports: [...REDSHIFT_LOG_EXPORTS],
      dependsOn: logGroups,
    });
    this.adminSecretArn = this.namespace.adminPasswordSecretArn;

    this.workgroup = new RedshiftserverlessWorkgroup(this, 'Workgroup', {
      workgroupName: names.redshiftWorkgroup,
      namespaceName: this.namespace.namespaceName,
      port: names.redshiftPort,
      baseCapacity: props.baseCapacity,
      maxCapacity: props.maxCapacity,
      subnetIds: [...props.subnetIds],
      securityGroupIds: [...props.securityGroupIds],
      publiclyAccessible: false,
      enhancedVpcRouting: true,
      configParameter: Object.entries(WORKGROUP_CONFIG_PARAMETERS).map(([parameterKey, parameterValue]) => ({ parameterKey, parameterValue })),
      // Since 2026 the API also returns enable_large_strings_opt_in, which provider 5.100.0 refuses as
      // a key, so no configuration can match what it reads back: without this every plan shows a diff.
      // The parameters above apply at creation; a later change is an explicit `-replace` or an
      // `update-workgroup` (docs/analytics-account.md).
      lifecycle: { ignoreChanges: ['config_parameter'] },
    });
    this.workgroupArn = this.workgroup.arn;
    this.endpointAddress = this.workgroup.endpoint.get(0).address;

    if (props.usageLimit) {
      // Compute, in RPU-hours, per day (00:00 UTC): a runaway query or backfill costs at most this.
      new RedshiftserverlessUsageLimit(this, 'DailyComputeLimit', {
        resourceArn: this.workgroup.arn,
        usageType: 'serverless-compute',
        period: 'daily',
        amount: props.usageLimit.dailyRpuHours,
        breachAction: props.usageLimit.breachAction,
      });
    }
  }

  /**
   * Lets a role of this stack run SQL on the workgroup through the Data API as itself: the Data API
   * signs it in with temporary credentials (`GetCredentials`) as the database user
   * `IAMR:<role name>`, which Redshift grants the `databaseRoles` at sign-in (the role's
   * `RedshiftDbRoles` tag). It reads back only the statements it ran itself, and no secret.
   */
  grantRunQueries(grantee: Grantee, options: RunQueriesOptions): void {
    const add = grantee.addToPrincipalPolicy?.bind(grantee);
    const tag = grantee.addTag?.bind(grantee);
    if (!add || !tag || !grantee.roleUniqueId) throw new Error('grantRunQueries needs a role of this stack');
    if (options.databaseRoles.length === 0) throw new Error('grantRunQueries: name at least one database role');
    for (const r of options.databaseRoles) {
      if (!DB_ROLE_NAME.test(r)) throw new Error(`grantRunQueries: database role "${r}" must be a lower-case Redshift identifier without ':'`);
    }
    add({ Sid: 'RunSqlOnWorkgroup', Effect: 'Allow', Action: [...REDSHIFT_DATA_RUN_ACTIONS], Resource: this.workgroupArn });
    add({ Sid: 'SignInWithIam', Effect: 'Allow', Action: [...REDSHIFT_IAM_SIGN_IN_ACTIONS], Resource: this.workgroupArn });
    add({
      // Statement calls have no resource type; the owner condition limits them to statements run by
      // this role. Not `${aws:userid}`: that is `<role id>:<session name>`, and deferrable operators
      // poll from the triggerer, whose session name may differ from the worker's that ran the
      // statement. Any session of this one role (its unique id, then ':') is the precise owner.
      Sid: 'ReadOwnStatements',
      Effect: 'Allow',
      Action: [...REDSHIFT_DATA_STATEMENT_ACTIONS],
      Resource: '*',
      Condition: { StringLike: { 'redshift-data:statement-owner-iam-userid': `${grantee.roleUniqueId}:*` } },
    });
    tag(REDSHIFT_DB_ROLES_TAG, [...options.databaseRoles].sort().join(':'));
  }
}
