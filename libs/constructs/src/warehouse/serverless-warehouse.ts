import { Construct } from 'constructs';
import { RedshiftserverlessNamespace } from '@cdktf/provider-aws/lib/redshiftserverless-namespace';
import { RedshiftserverlessUsageLimit } from '@cdktf/provider-aws/lib/redshiftserverless-usage-limit';
import { RedshiftserverlessWorkgroup } from '@cdktf/provider-aws/lib/redshiftserverless-workgroup';
import { STS_ASSUME_ROLE_ACTIONS } from '../iam/actions';
import type { Grantee } from '../iam/grantee';
import { ScopedRole } from '../iam/scoped-role';
import type { DataKey } from '../storage/data-key';
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
/** The Data API authenticates with the secret the caller may read (`SecretArn`). */
export const SECRET_READ_ACTIONS = ['secretsmanager:GetSecretValue'] as const;
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
 * `grantRunQueries` lets a role run SQL through the Data API with the managed secret.
 *
 * @example
 * const warehouse = new ServerlessWarehouse(this, 'Warehouse', {
 *   names, encryptionKey: key, subnetIds: network.redshiftSubnetIds,
 *   securityGroupIds: [network.redshiftSecurityGroupId], baseCapacity: 8, maxCapacity: 32, databaseName: 'dev',
 * });
 * staging.grantRead([warehouse.role], 'curated/');
 * warehouse.grantRunQueries(mwaaRole);
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
  private readonly encryptionKey: DataKey;
  private readonly secretsService: string;

  constructor(scope: Construct, id: string, props: ServerlessWarehouseProps) {
    super(scope, id);
    const { names } = props;
    const account = names.accountId('analytics');
    this.encryptionKey = props.encryptionKey;
    this.secretsService = `secretsmanager.${names.env.region}.amazonaws.com`;

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
   * Lets a role of this stack run SQL on the workgroup through the Data API, authenticated with
   * the managed admin secret, and read back only the statements it ran itself.
   */
  grantRunQueries(grantee: Grantee): void {
    const add = grantee.addToPrincipalPolicy?.bind(grantee);
    if (!add || !grantee.roleUniqueId) throw new Error('grantRunQueries needs a role of this stack');
    add({ Sid: 'RunSqlOnWorkgroup', Effect: 'Allow', Action: [...REDSHIFT_DATA_RUN_ACTIONS], Resource: this.workgroupArn });
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
    add({ Sid: 'ReadWarehouseAdminSecret', Effect: 'Allow', Action: [...SECRET_READ_ACTIONS], Resource: this.adminSecretArn });
    this.encryptionKey.grantDecrypt([grantee], { viaService: this.secretsService, sid: `${this.node.id}SecretDecrypt` });
  }
}
