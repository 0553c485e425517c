import { Construct, IConstruct } from 'constructs';
import type { IAspect } from 'cdktf';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { AccountSide, Naming } from '@xetl/config';
import { PolicyDocument, PolicyStatement } from '../iam/policy';
import { MWAA_SQS_ACTIONS } from '../orchestration/airflow-environment';

/**
 * The permissions boundary every role the deploy role creates must carry (docs/security.md, "CI
 * cannot escalate"). A boundary grants nothing by itself: a role's permissions are what its own
 * policy allows AND the boundary allows. So this is the ceiling of any role CI can make, however
 * its own policy reads: the runtime actions of the pipeline, on the environment's resources only,
 * and never IAM, the CI roles, the Terraform state or the Redshift admin secret.
 *
 * The Allow statements list actions one by one (xetl's rule: no wildcard action in an Allow).
 * A runtime role that needs an action outside them fails a test (`escalation.test.ts`), and the
 * boundary changes only when an administrator re-applies the bootstrap stacks.
 */

// ---- what the pipeline's roles do at runtime, by service (sorted) -----------------------------
export const BOUNDARY_S3_ACTIONS = [
  's3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetBucketLocation', 's3:GetBucketPublicAccessBlock',
  's3:GetBucketVersioning', 's3:GetEncryptionConfiguration', 's3:GetObject', 's3:GetObjectVersion',
  's3:ListBucket', 's3:ListBucketVersions', 's3:ListMultipartUploadParts', 's3:PutObject',
] as const;
export const BOUNDARY_KMS_ACTIONS = [
  'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo',
] as const;
export const BOUNDARY_LOGS_ACTIONS = [
  'logs:AssociateKmsKey', 'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:GetLogEvents',
  'logs:GetLogGroupFields', 'logs:GetLogRecord', 'logs:GetQueryResults', 'logs:PutLogEvents',
] as const;
/** Actions IAM authorizes on no resource type: the boundary can only allow them on "*". */
export const BOUNDARY_RESOURCELESS_ACTIONS = [
  'cloudwatch:PutMetricData', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'logs:DescribeLogGroups',
  'redshift-data:CancelStatement', 'redshift-data:DescribeStatement', 'redshift-data:GetStatementResult',
  's3:GetAccountPublicAccessBlock',
] as const;
/** Queue work: MWAA's Celery queue takes every call a queue consumer and producer make (the trigger's are a subset). */
export const BOUNDARY_SQS_ACTIONS = MWAA_SQS_ACTIONS;
export const BOUNDARY_GLUE_ACTIONS = [
  'glue:BatchCreatePartition', 'glue:BatchGetPartition', 'glue:BatchStopJobRun', 'glue:BatchUpdatePartition',
  'glue:CreatePartition', 'glue:CreateTable', 'glue:GetCrawler', 'glue:GetDatabase', 'glue:GetJob', 'glue:GetJobRun',
  'glue:GetPartition', 'glue:GetPartitions', 'glue:GetTable', 'glue:GetTables', 'glue:StartCrawler', 'glue:StartJobRun',
  'glue:UpdatePartition', 'glue:UpdateTable',
] as const;
export const BOUNDARY_WAREHOUSE_ACTIONS = [
  'redshift-data:BatchExecuteStatement', 'redshift-data:ExecuteStatement', 'redshift-serverless:GetCredentials',
] as const;
/** What the trigger Lambda's service does with its role in the VPC (its network interfaces). */
export const BOUNDARY_ENI_ACTIONS = [
  'ec2:AssignPrivateIpAddresses', 'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:UnassignPrivateIpAddresses',
] as const;
/** Everything that could change a permissions boundary or a managed policy. */
export const BOUNDARY_CHANGE_ACTIONS = [
  'iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:DeleteRolePermissionsBoundary',
  'iam:PutRolePermissionsBoundary', 'iam:SetDefaultPolicyVersion',
] as const;

/** The Airflow roles below Admin that `airflow:InvokeRestApi` may name. */
const AIRFLOW_ROLES_BELOW_ADMIN = ['Op', 'User', 'Viewer'] as const;

/** The CI roles of this environment in one account; nothing the deploy role creates may touch them. */
export function cicdRoleArns(names: Naming, side: AccountSide): string[] {
  return [names.cicdDeployRoleArn(side), names.cicdPlanRoleArn(side)];
}

/** The Terraform state backend of one account: bucket, its objects and access logs, lock table. */
export function stateBackendArns(names: Naming, side: AccountSide): string[] {
  const state = names.env.state?.[side];
  if (!state) throw new Error(`environment ${names.env.name}: no state backend`);
  const bucket = names.bucketArn(state.bucket);
  const logs = names.bucketArn(names.stateAccessLogBucket(side));
  return [bucket, `${bucket}/*`, logs, `${logs}/*`, names.lockTableArn(side)];
}

/** The boundary's statements for one account of one environment. */
export function permissionsBoundaryStatements(names: Naming, side: AccountSide): PolicyStatement[] {
  const p = names.partition;
  const region = names.env.region;
  const a = names.accountId('source');
  const b = names.accountId('analytics');
  const account = names.accountId(side);
  const arn = (service: string, acct: string, resource: string) => `arn:${p}:${service}:${region}:${acct}:${resource}`;
  const buckets = [`${names.base}-*`, `airflow-${names.base}-*`].flatMap((x) => [names.bucketArn(x), `${names.bucketArn(x)}/*`]);
  const allow = (sid: string, actions: readonly string[], resource: string | string[]): PolicyStatement => ({
    Sid: sid, Effect: 'Allow', Action: [...actions], Resource: resource,
  });

  const common: PolicyStatement[] = [
    // Both accounts' pipeline buckets carry the environment's base in their names.
    allow('PipelineBuckets', BOUNDARY_S3_ACTIONS, buckets),
    // Key IDs are random; the key policies are the fence in front of each key.
    allow('PipelineKeys', BOUNDARY_KMS_ACTIONS, [...new Set([a, b])].map((acct) => arn('kms', acct, 'key/*'))),
  ];
  const analytics: PolicyStatement[] = [
    allow('ResourcelessCalls', BOUNDARY_RESOURCELESS_ACTIONS, '*'),
    allow('PipelineLogs', BOUNDARY_LOGS_ACTIONS, [
      `/xetl/${names.base}/*`, `/aws/lambda/${names.base}-*`, `${names.mwaaLogGroupPrefix}*`, `${names.glueLogGroupPrefix}*`,
    ].flatMap((g) => [arn('logs', b, `log-group:${g}`), arn('logs', b, `log-group:${g}:*`)])),
    // MWAA's Celery queue is in an account MWAA owns: matched by name.
    allow('PipelineQueues', BOUNDARY_SQS_ACTIONS, [arn('sqs', b, `${names.base}-*`), `arn:${p}:sqs:${region}:*:airflow-celery-*`]),
    allow('AirflowSecrets', ['secretsmanager:GetSecretValue'], names.airflowSecretsArnPattern),
    allow('PipelineCatalog', BOUNDARY_GLUE_ACTIONS, [
      arn('glue', b, 'catalog'), arn('glue', b, `database/${names.glueDatabase}`), arn('glue', b, `table/${names.glueDatabase}/*`),
      arn('glue', b, `crawler/${names.base}-*`), arn('glue', b, `job/${names.base}-*`),
    ]),
    // Workgroup ARNs end in a random ID.
    allow('Warehouse', BOUNDARY_WAREHOUSE_ACTIONS, arn('redshift-serverless', b, 'workgroup/*')),
    allow('PipelineTopic', ['sns:Publish'], arn('sns', b, `${names.base}-*`)),
    allow('ChainIntoAccountA', ['sts:AssumeRole'], names.roleArn('source', `${names.base}-*`)),
    allow('Airflow', ['airflow:InvokeRestApi', 'airflow:PublishMetrics'], [
      names.mwaaEnvironmentArn, ...AIRFLOW_ROLES_BELOW_ADMIN.map((r) => names.mwaaRestApiRoleArn(r)),
    ]),
    allow('FunctionNetworkInterfaces', BOUNDARY_ENI_ACTIONS, ['network-interface/*', 'subnet/*', 'security-group/*'].map((r) => arn('ec2', b, r))),
  ];
  const source: PolicyStatement[] = [
    allow('ForwardToPipelineBus', ['events:PutEvents'], arn('events', b, `event-bus/${names.base}-*`)),
  ];

  const denies: PolicyStatement[] = [
    // The boundary stays on and unchanged: neither removed from a role nor edited or replaced.
    { Sid: 'DenyChangingBoundaries', Effect: 'Deny', Action: [...BOUNDARY_CHANGE_ACTIONS], Resource: '*' },
    // Even a widened Allow above could never reach IAM outside the environment's names.
    {
      Sid: 'DenyIamOutsideEnvironment', Effect: 'Deny', Action: ['iam:*'],
      NotResource: [names.roleArn(side, `${names.base}-*`), `arn:${p}:iam::${account}:policy/${names.base}-*`],
    },
    // The CI roles and the state backend belong to the bootstrap stack, applied by an administrator.
    { Sid: 'DenyCiRolesAndState', Effect: 'Deny', Action: ['*'], Resource: [...cicdRoleArns(names, side), ...stateBackendArns(names, side)] },
  ];
  if (side === 'analytics') {
    // Only `xetl bootstrap` signs in as the warehouse admin, with an administrator's credentials.
    denies.push({
      Sid: 'DenyWarehouseAdminSecret', Effect: 'Deny', Action: ['secretsmanager:*'],
      Resource: arn('secretsmanager', b, `secret:redshift!${names.redshiftNamespace}-*`),
    });
  }
  return [...common, ...(side === 'analytics' ? analytics : source), ...denies];
}

export interface PermissionsBoundaryPolicyProps {
  /** `Naming.cicdPermissionsBoundaryName`. */
  readonly policyName: string;
  readonly description: string;
  /** `permissionsBoundaryStatements(names, side)`. */
  readonly statements: readonly PolicyStatement[];
}

/**
 * The boundary as a customer-managed policy, created by the bootstrap stack (an administrator's
 * apply) and referred to by ARN from the xetl stacks (`RolePermissionsBoundary`).
 *
 * @example
 * new PermissionsBoundaryPolicy(this, 'Boundary', {
 *   policyName: names.cicdPermissionsBoundaryName, description: '...', statements: permissionsBoundaryStatements(names, side),
 * });
 */
export class PermissionsBoundaryPolicy extends Construct {
  readonly policy: IamPolicy;

  constructor(scope: Construct, id: string, props: PermissionsBoundaryPolicyProps) {
    super(scope, id);
    this.policy = new IamPolicy(this, 'Policy', {
      name: props.policyName,
      description: props.description,
      policy: new PolicyDocument(props.statements).toJson(),
    });
  }
}

/**
 * Puts one permissions boundary on every IAM role of the scope (an Aspect, so no role can be
 * forgotten), refusing a role that names another one.
 *
 * @example
 * Aspects.of(stack).add(new RolePermissionsBoundary(names.cicdPermissionsBoundaryArn(side)));
 */
export class RolePermissionsBoundary implements IAspect {
  constructor(private readonly policyArn: string) {}

  visit(node: IConstruct): void {
    if (!(node instanceof IamRole)) return;
    const current = node.permissionsBoundaryInput;
    if (current !== undefined && current !== this.policyArn) {
      throw new Error(`${node.node.path}: has permissions boundary ${current}; xetl's stacks use only ${this.policyArn}`);
    }
    node.permissionsBoundary = this.policyArn;
  }
}
