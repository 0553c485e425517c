import type { AccountSide, Naming } from '@xetl/config';
import type { PolicyStatement } from '../iam/policy';
import { REDSHIFT_DB_ROLES_TAG } from '../warehouse/serverless-warehouse';
import * as A from './cicd-actions';
import type { GithubTrust } from './github-actions-role-props';
import { cicdRoleArns } from './permissions-boundary';

/**
 * One service's share of the CI roles' permissions: `read` is what `terraform plan` needs to
 * refresh the resources (plan and deploy role), `write` what `terraform apply` adds (deploy role
 * only). `broader` says why the resources or conditions are wider than xetl's own names, when they
 * are; docs/ci-cd.md lists every such grant and a test keeps the two in step.
 */
export interface CicdGrant {
  readonly sid: string;
  readonly read: readonly string[];
  readonly write: readonly string[];
  readonly resources: readonly string[];
  readonly condition?: PolicyStatement['Condition'];
  readonly broader?: string;
}

/** The tag every resource of a stack carries (the provider's default tags). */
export const STACK_TAG = 'stack';
/** Default tag of the bootstrap stacks' resources; the deploy role is denied changes to them. */
export const BOOTSTRAP_TAG = 'xetl-bootstrap';

/** Services the analytics stack hands its roles to (`iam:PassRole`). */
const PASSED_TO_SERVICES = [
  'airflow-env.amazonaws.com', 'airflow.amazonaws.com', 'events.amazonaws.com', 'glue.amazonaws.com', 'lambda.amazonaws.com',
  'redshift-serverless.amazonaws.com', 'redshift.amazonaws.com', 'vpc-flow-logs.amazonaws.com',
];

/**
 * The Terraform resource types the deploy role can manage. A test synthesizes both stacks and
 * fails on a type missing here, so a stack cannot gain a resource CI cannot deploy.
 */
export const DEPLOYABLE_RESOURCE_TYPES: Readonly<Record<AccountSide, readonly string[]>> = {
  source: [
    'aws_cloudwatch_event_rule', 'aws_cloudwatch_event_target', 'aws_iam_role', 'aws_iam_role_policy', 'aws_kms_alias',
    'aws_kms_key', 'aws_s3_bucket', 'aws_s3_bucket_lifecycle_configuration', 'aws_s3_bucket_logging',
    'aws_s3_bucket_notification', 'aws_s3_bucket_ownership_controls', 'aws_s3_bucket_policy',
    'aws_s3_bucket_public_access_block', 'aws_s3_bucket_server_side_encryption_configuration', 'aws_s3_bucket_versioning',
    'aws_sqs_queue', 'aws_sqs_queue_policy',
  ],
  analytics: [
    'aws_cloudwatch_event_bus', 'aws_cloudwatch_event_bus_policy', 'aws_cloudwatch_event_rule', 'aws_cloudwatch_event_target',
    'aws_cloudwatch_log_group', 'aws_default_security_group', 'aws_flow_log', 'aws_glue_catalog_database', 'aws_glue_crawler',
    'aws_glue_data_catalog_encryption_settings',
    'aws_glue_job', 'aws_glue_security_configuration', 'aws_iam_role', 'aws_iam_role_policy', 'aws_kms_alias', 'aws_kms_key',
    'aws_lambda_event_source_mapping', 'aws_lambda_function', 'aws_mwaa_environment', 'aws_redshiftserverless_namespace',
    'aws_redshiftserverless_usage_limit', 'aws_redshiftserverless_workgroup', 'aws_route', 'aws_route_table', 'aws_route_table_association', 'aws_s3_bucket',
    'aws_s3_bucket_lifecycle_configuration', 'aws_s3_bucket_logging', 'aws_s3_bucket_notification', 'aws_s3_bucket_ownership_controls',
    'aws_s3_bucket_policy', 'aws_s3_bucket_public_access_block', 'aws_s3_bucket_server_side_encryption_configuration',
    'aws_s3_bucket_versioning', 'aws_s3_object', 'aws_secretsmanager_secret', 'aws_secretsmanager_secret_version', 'aws_security_group', 'aws_sns_topic',
    'aws_sns_topic_policy', 'aws_sns_topic_subscription', 'aws_sqs_queue', 'aws_sqs_queue_policy', 'aws_subnet', 'aws_vpc',
    'aws_vpc_endpoint', 'aws_vpc_peering_connection', 'aws_vpc_security_group_egress_rule', 'aws_vpc_security_group_ingress_rule',
  ],
};
/** Service-linked roles MWAA and Redshift create on first use in an account. */
const SERVICE_LINKED_ROLES = ['airflow.amazonaws.com', 'redshift.amazonaws.com'];

function context(names: Naming, side: AccountSide) {
  const state = names.env.state;
  if (!state) throw new Error(`environment ${names.env.name}: CI roles need a state backend`);
  const p = names.partition;
  const region = names.env.region;
  const account = names.accountId(side);
  const stateBucketArn = names.bucketArn(state[side].bucket);
  const stateKey = names.stateKey(side);
  const lockId = `${state[side].bucket}/${stateKey}`;
  return {
    p, region, account, state: state[side], stateBucketArn, stateKey, lockId,
    stack: names.stackName(side),
    arn: (service: string, resource: string, withRegion = true) => `arn:${p}:${service}:${withRegion ? region : ''}:${account}:${resource}`,
  };
}

/** Terraform state: this side's one state object, its lock item and digest, and the key behind them. */
function stateGrants(names: Naming, side: AccountSide): CicdGrant[] {
  const c = context(names, side);
  const lockTable = names.lockTableArn(side);
  const leading = (keys: string[]) => ({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': keys } });
  return [
    {
      sid: 'StateList', read: A.STATE_LIST_ACTIONS, write: [], resources: [c.stateBucketArn],
      broader: 'Terraform lists the state bucket (key names only, never contents) to find workspaces; S3 cannot narrow ListBucket to the one key it then reads',
    },
    { sid: 'StateObject', read: A.STATE_READ_ACTIONS, write: A.STATE_WRITE_ACTIONS, resources: [`${c.stateBucketArn}/${c.stateKey}`] },
    // The plan takes the lock too: it may write the lock item, never the digest item.
    { sid: 'StateLock', read: ['dynamodb:DeleteItem', 'dynamodb:PutItem'], write: [], resources: [lockTable], condition: leading([c.lockId]) },
    { sid: 'StateLockRead', read: ['dynamodb:DescribeTable', 'dynamodb:GetItem'], write: [], resources: [lockTable], condition: leading([c.lockId, `${c.lockId}-md5`]) },
    { sid: 'StateDigest', read: [], write: ['dynamodb:DeleteItem', 'dynamodb:PutItem'], resources: [lockTable], condition: leading([`${c.lockId}-md5`]) },
    {
      sid: 'StateKeyViaS3', read: ['kms:Decrypt'], write: A.STATE_KEY_WRITE_ACTIONS, resources: [c.arn('kms', 'key/*')],
      condition: { StringEquals: { 'kms:ViaService': `s3.${c.state.region}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': c.stateBucketArn } },
      broader: 'the state key may belong to another environment\'s bootstrap stack (shared account), so its ID is unknown here: any key, but only through S3 and only for the state bucket (encryption context)',
    },
    {
      sid: 'StateKeyViaDynamoDB', read: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'], write: [], resources: [c.arn('kms', 'key/*')],
      condition: { StringEquals: { 'kms:ViaService': `dynamodb.${c.state.region}.amazonaws.com`, 'kms:EncryptionContext:aws:dynamodb:tableName': c.state.dynamodbTable } },
      broader: 'as above, through DynamoDB and only for the lock table',
    },
  ];
}

/** What both stacks manage: buckets, keys, aliases and roles named after the environment. */
function commonGrants(names: Naming, side: AccountSide): CicdGrant[] {
  const c = context(names, side);
  const buckets = [names.bucketArn(`${names.base}-*`)];
  if (side === 'analytics') buckets.push(names.bucketArn(`airflow-${names.base}-*`));
  const tagged = { StringEquals: { [`aws:ResourceTag/${STACK_TAG}`]: c.stack } };
  return [
    { sid: 'Buckets', read: A.S3_BUCKET_READ, write: A.S3_BUCKET_WRITE, resources: buckets },
    {
      sid: 'Keys', read: A.KMS_KEY_READ, write: A.KMS_KEY_WRITE, resources: [c.arn('kms', 'key/*')], condition: tagged,
      broader: 'key ARNs are random IDs: allowed on keys carrying this stack\'s tag (aliases are scoped by name below)',
    },
    {
      sid: 'KeysDecryptViaServices', read: A.KMS_DECRYPT, write: [], resources: [c.arn('kms', 'key/*')],
      condition: { StringEquals: { ...tagged.StringEquals, 'kms:ViaService': decryptingServices(names, side) } },
      broader: 'as above; decryption only through the services whose resources a refresh reads back (S3 objects; the Data Catalog, the function\'s environment and the variable secret in B), never directly',
    },
    {
      sid: 'KeyCreate', read: [], write: A.KMS_CREATE_KEY, resources: ['*'],
      condition: { StringEquals: { [`aws:RequestTag/${STACK_TAG}`]: c.stack } },
      broader: 'a key has no ARN before CreateKey; the request must carry this stack\'s tag',
    },
    { sid: 'KeyAliases', read: [], write: A.KMS_ALIAS_WRITE, resources: [c.arn('kms', `alias/${names.base}-*`)] },
    { sid: 'KeyAliasList', read: A.KMS_LIST, write: [], resources: ['*'], broader: 'kms:ListAliases has no resource-level permissions (the provider lists aliases to read one)' },
    { sid: 'Roles', read: A.IAM_ROLE_READ, write: A.IAM_ROLE_WRITE_UNBOUNDED, resources: [names.roleArn(side, `${names.base}-*`)] },
    {
      // Every role the deploy role creates or changes carries the boundary: its ceiling, whatever its own policy says.
      sid: 'RolesWithBoundary', read: [], write: A.IAM_ROLE_WRITE_BOUNDED, resources: [names.roleArn(side, `${names.base}-*`)],
      condition: { StringEquals: { 'iam:PermissionsBoundary': names.cicdPermissionsBoundaryArn(side) } },
    },
    {
      sid: 'PassRoles', read: [], write: A.IAM_PASS_ROLE, resources: [names.roleArn(side, `${names.base}-*`)],
      condition: { StringEquals: { 'iam:PassedToService': PASSED_TO_SERVICES } },
    },
    {
      sid: 'Events', read: A.EVENTS_READ, write: A.EVENTS_WRITE,
      resources: [c.arn('events', `rule/${names.base}-*`), c.arn('events', `rule/${names.base}-*/*`), c.arn('events', `event-bus/${names.base}-*`)],
    },
    {
      sid: 'EventBusPermissions', read: [], write: A.EVENTS_PERMISSION_WRITE, resources: ['*'],
      broader: 'events:PutPermission and RemovePermission (the bus policy) have no resource type in IAM and no condition key: only "*" grants them',
    },
    { sid: 'Queues', read: A.SQS_READ, write: A.SQS_WRITE, resources: [c.arn('sqs', `${names.base}-*`)] },
  ];
}

/** Account B: network, Glue, MWAA, Redshift Serverless, secrets, topic, logs, asset objects. */
function analyticsGrants(names: Naming): CicdGrant[] {
  const c = context(names, 'analytics');
  const tagged = { StringEquals: { [`aws:ResourceTag/${STACK_TAG}`]: c.stack } };
  const requestTagged = { StringEquals: { [`aws:RequestTag/${STACK_TAG}`]: c.stack } };
  const ec2 = c.arn('ec2', '*');
  const db = names.glueDatabase;
  return [
    {
      sid: 'ServiceLinkedRoles', read: [], write: A.IAM_SERVICE_LINKED_ROLE, resources: [names.roleArn('analytics', 'aws-service-role/*')],
      condition: { StringEquals: { 'iam:AWSServiceName': SERVICE_LINKED_ROLES } },
      broader: 'MWAA and Redshift need their AWS-named service-linked roles, created once per account on first use',
    },
    { sid: 'AssetObjects', read: A.S3_OBJECT_READ, write: A.S3_OBJECT_WRITE, resources: [`${names.bucketArn(names.assetsBucket)}/*`, `${names.bucketArn(names.airflowBucket)}/*`] },
    { sid: 'Ec2Describe', read: A.EC2_READ, write: [], resources: ['*'], broader: 'EC2 Describe calls have no resource-level permissions' },
    {
      sid: 'Ec2Create', read: [], write: A.EC2_CREATE_TAGGED, resources: [ec2], condition: requestTagged,
      broader: 'new VPCs, subnets, groups, endpoints and peerings have no name in their ARN; the create request must carry this stack\'s tag',
    },
    {
      sid: 'Ec2Manage', read: [], write: [...A.EC2_MANAGE_TAGGED, ...A.EC2_SERVICE_ENDPOINTS], resources: [ec2], condition: tagged,
      broader: 'EC2 IDs are random: changes are allowed on resources carrying this stack\'s tag',
    },
    {
      sid: 'Ec2DefaultSecurityGroups', read: [], write: A.EC2_DEFAULT_SG, resources: [c.arn('ec2', 'security-group/*')],
      broader: 'aws_default_security_group adopts the default group EC2 creates untagged with each VPC: revoking its rules and tagging it cannot be narrowed by tag on first apply',
    },
    {
      sid: 'Ec2ServiceEndpoints', read: [], write: A.EC2_SERVICE_ENDPOINTS, resources: [c.arn('ec2', 'vpc-endpoint/*'), c.arn('ec2', 'network-interface/*')],
      broader: 'MWAA and Redshift Serverless create their own untagged endpoints and network interfaces in the stack\'s subnets with the caller\'s rights',
    },
    {
      sid: 'LogGroupList', read: A.LOGS_DESCRIBE, write: [], resources: ['*'],
      broader: 'logs:DescribeLogGroups has no resource type in IAM: only "*" grants it (it lists names and settings, never log events)',
    },
    {
      // The environment's own groups, and those MWAA and Glue would create (names.mwaaLogGroups, names.glueLogGroups).
      sid: 'LogGroups', read: A.LOGS_READ, write: A.LOGS_WRITE,
      resources: [
        `/xetl/${names.base}/*`, `/aws/lambda/${names.base}-*`, `${names.mwaaLogGroupPrefix}*`,
        `${names.glueLogGroupPrefix}jobs-${names.glueRoleName}-*`, `${names.glueLogGroupPrefix}crawlers-role/${names.glueRoleName}-*`,
      ].map((g) => c.arn('logs', `log-group:${g}`)),
    },
    {
      sid: 'RedshiftLogGroups', read: A.LOGS_READ, write: A.LOGS_WRITE, resources: [c.arn('logs', 'log-group:/aws/redshift/serverless/*')],
      broader: 'Redshift Serverless exports into one log group per log type for the whole account and region (/aws/redshift/serverless/<type>), not per namespace',
    },
    { sid: 'Functions', read: A.LAMBDA_READ, write: A.LAMBDA_WRITE, resources: [c.arn('lambda', `function:${names.base}-*`)] },
    {
      sid: 'FunctionEventSourceRead', read: A.LAMBDA_EVENT_SOURCE_READ, write: [], resources: [c.arn('lambda', 'event-source-mapping:*')],
      broader: 'event source mappings are named by a random UUID: reads cover the account\'s mappings (metadata only)',
    },
    {
      sid: 'FunctionEventSources', read: [], write: A.LAMBDA_EVENT_SOURCE_WRITE, resources: [c.arn('lambda', 'event-source-mapping:*')],
      condition: { ArnLike: { 'lambda:FunctionArn': c.arn('lambda', `function:${names.base}-*`) } },
      broader: 'as above; writes only for this environment\'s functions (`lambda:FunctionArn`)',
    },
    {
      sid: 'FunctionEventSourceCreate', read: [], write: A.LAMBDA_EVENT_SOURCE_CREATE, resources: ['*'],
      condition: { ArnLike: { 'lambda:FunctionArn': c.arn('lambda', `function:${names.base}-*`) } },
      broader: 'CreateEventSourceMapping has no resource type in IAM (the mapping has no ARN yet): only for this environment\'s functions (`lambda:FunctionArn`)',
    },
    {
      sid: 'Glue', read: A.GLUE_READ, write: A.GLUE_WRITE,
      broader: 'Glue also authorizes database, crawler and job calls on the account\'s Data Catalog ARN (`catalog`); the named resources are this environment\'s',
      resources: [c.arn('glue', 'catalog'), c.arn('glue', `database/${db}`), c.arn('glue', `table/${db}/*`), c.arn('glue', `crawler/${names.base}-*`), c.arn('glue', `job/${names.base}-*`)],
    },
    {
      sid: 'GlueCrawlerCreate', read: [], write: A.GLUE_CRAWLER_CREATE, resources: ['*'], condition: requestTagged,
      broader: 'glue:CreateCrawler has no resource type in IAM: only "*" grants it; the request must carry this stack\'s tag',
    },
    {
      sid: 'GlueSecurityConfigurations', read: A.GLUE_SECURITY_CONFIGURATION_READ, write: A.GLUE_SECURITY_CONFIGURATION_WRITE, resources: ['*'],
      broader: 'Glue security configurations have no resource-level permissions',
    },
    { sid: 'Mwaa', read: A.MWAA_READ, write: A.MWAA_WRITE, resources: [c.arn('airflow', `environment/${names.mwaaEnvironment}`)] },
    {
      sid: 'RedshiftRead', read: A.REDSHIFT_READ, write: [], resources: [c.arn('redshift-serverless', 'namespace/*'), c.arn('redshift-serverless', 'workgroup/*')],
      broader: 'Redshift Serverless ARNs end in a random ID, not the name: reads cover the account\'s namespaces and workgroups (metadata only)',
    },
    {
      sid: 'RedshiftCreate', read: [], write: A.REDSHIFT_CREATE, resources: [c.arn('redshift-serverless', 'namespace/*'), c.arn('redshift-serverless', 'workgroup/*')], condition: requestTagged,
      broader: 'as above; creates must carry this stack\'s tag',
    },
    {
      sid: 'RedshiftManage', read: [], write: A.REDSHIFT_WRITE, resources: [c.arn('redshift-serverless', 'namespace/*'), c.arn('redshift-serverless', 'workgroup/*')], condition: tagged,
      broader: 'as above; changes only to resources carrying this stack\'s tag',
    },
    {
      sid: 'RedshiftUsageLimits', read: A.REDSHIFT_USAGE_LIMIT_READ, write: A.REDSHIFT_USAGE_LIMIT_WRITE, resources: ['*'],
      broader: 'Redshift Serverless usage-limit calls have no resource type in IAM: only "*" grants them (limits cap a workgroup\'s compute; they read no data)',
    },
    // A parkable environment's stack reads its park switch at every plan (docs/cost.md).
    ...(names.env.parkable ? [{ sid: 'ParkSwitch', read: A.PARK_SWITCH_READ, write: [], resources: [names.parkParameterPathArn] }] : []),
    { sid: 'AirflowSecrets', read: A.SECRETS_READ, write: A.SECRETS_WRITE, resources: [names.airflowSecretsArnPattern] },
    // The one value a refresh reads back: the variable Terraform writes (names; the state holds it too).
    { sid: 'PipelineVariableValue', read: A.SECRET_VALUE_READ, write: [], resources: [names.pipelineVariableSecretArnPattern] },
    {
      sid: 'RedshiftAdminSecret', read: [], write: A.SECRETS_MANAGED_BY_REDSHIFT, resources: [c.arn('secretsmanager', `secret:redshift!${names.redshiftNamespace}-*`)],
      broader: 'with manage_admin_password Redshift creates its admin secret with the caller\'s rights; never read',
    },
    { sid: 'Topic', read: A.SNS_READ, write: A.SNS_WRITE, resources: [c.arn('sns', `${names.base}-*`)] },
    {
      sid: 'TopicSubscriptions', read: A.SNS_SUBSCRIPTION_READ, write: A.SNS_SUBSCRIPTION_WRITE, resources: ['*'],
      broader: 'SNS subscription calls have no resource type in IAM and no condition key: only "*" grants them (the topic\'s e-mail subscriptions)',
    },
  ];
}

/**
 * Services a refresh decrypts through: S3 (objects), and in B Glue (the encrypted Data Catalog's
 * database), Lambda (the function's environment) and Secrets Manager (the variable).
 */
function decryptingServices(names: Naming, side: AccountSide): string[] {
  const region = names.env.region;
  const services = side === 'analytics' ? ['glue', 'lambda', 's3', 'secretsmanager'] : ['s3'];
  return services.map((s) => `${s}.${region}.amazonaws.com`);
}

/** Every grant of one side, in a stable order. */
export function cicdGrants(names: Naming, side: AccountSide): CicdGrant[] {
  return [...stateGrants(names, side), ...commonGrants(names, side), ...(side === 'analytics' ? analyticsGrants(names) : [])];
}

function statement(g: CicdGrant, actions: readonly string[]): PolicyStatement {
  return {
    Sid: g.sid,
    Effect: 'Allow',
    Action: [...new Set(actions)].sort(),
    Resource: g.resources.length === 1 ? g.resources[0] : [...g.resources],
    ...(g.condition ? { Condition: g.condition } : {}),
  };
}

/** No CI role assumes another role: a role that trusts one (say, one the deploy role made) gains it nothing. */
const DENY_ASSUMING_ROLES: PolicyStatement = { Sid: 'DenyAssumingRoles', Effect: 'Deny', Action: [...A.STS_ASSUME], Resource: '*' };

/** The plan role: refresh reads, the state object, and the lock item. Nothing else changes. */
export function planStatements(names: Naming, side: AccountSide): PolicyStatement[] {
  return [...cicdGrants(names, side).filter((g) => g.read.length).map((g) => statement(g, g.read)), DENY_ASSUMING_ROLES];
}

/** The deploy role: reads and writes of everything the side's xetl stack manages, and the guard rails. */
export function deployStatements(names: Naming, side: AccountSide): PolicyStatement[] {
  const allows = cicdGrants(names, side).map((g) => statement(g, [...g.read, ...g.write]));
  const c = context(names, side);
  const state = names.env.state?.[side];
  const denies: PolicyStatement[] = [
    {
      Sid: 'DenyChangingCiRoles', Effect: 'Deny', Action: [...A.IAM_ROLE_CHANGE, ...A.IAM_PASS_ROLE].sort(),
      Resource: cicdRoleArns(names, side),
    },
    // The boundary never comes off a role, and no managed policy (the boundary among them) changes.
    { Sid: 'DenyRemovingPermissionsBoundaries', Effect: 'Deny', Action: ['iam:DeleteRolePermissionsBoundary'], Resource: '*' },
    { Sid: 'DenyChangingManagedPolicies', Effect: 'Deny', Action: [...A.IAM_POLICY_CHANGE], Resource: '*' },
    DENY_ASSUMING_ROLES,
    {
      // Redshift grants the database roles a role's RedshiftDbRoles tag names at sign-in: CI may name
      // only the pipeline's own, so it cannot hand the DAG a database role an administrator created.
      Sid: 'DenyGrantingOtherDatabaseRoles', Effect: 'Deny', Action: ['iam:CreateRole', 'iam:TagRole'], Resource: '*',
      Condition: {
        StringNotEquals: { [`aws:RequestTag/${REDSHIFT_DB_ROLES_TAG}`]: names.redshiftPipelineRole },
        Null: { [`aws:RequestTag/${REDSHIFT_DB_ROLES_TAG}`]: 'false' },
      },
    },
    {
      Sid: 'DenyChangingStateBucket', Effect: 'Deny', Action: [...A.S3_BUCKET_WRITE].sort(),
      Resource: state ? [names.bucketArn(state.bucket), names.bucketArn(names.stateAccessLogBucket(side))] : [],
    },
    {
      Sid: 'DenyChangingBootstrapResources', Effect: 'Deny', Action: [...A.KMS_KEY_WRITE].sort(), Resource: '*',
      Condition: { StringEquals: { [`aws:ResourceTag/${BOOTSTRAP_TAG}`]: 'true' } },
    },
    {
      Sid: 'DenyAdoptingOtherStacksResources', Effect: 'Deny',
      Action: ['ec2:CreateTags', 'kms:TagResource', 'redshift-serverless:TagResource'], Resource: '*',
      Condition: { StringNotEquals: { [`aws:ResourceTag/${STACK_TAG}`]: c.stack }, Null: { [`aws:ResourceTag/${STACK_TAG}`]: 'false' } },
    },
    {
      Sid: 'DenyKeyPolicyLockout', Effect: 'Deny', Action: [...A.KMS_POLICY_LOCKOUT], Resource: '*',
      Condition: { Bool: { 'kms:BypassPolicyLockoutSafetyCheck': true } },
    },
  ];
  return [...allows, ...denies];
}

/**
 * Which GitHub Actions jobs may assume the CI roles (STS compares GitHub's claims as condition
 * keys): the deploy role only the deploy workflow's job in the environment's GitHub environment,
 * on the deploy branch; the plan role only the plan workflow on the deploy branch, and, for an
 * environment with `pullRequestPlans`, on pull requests of the repository (the pull request's
 * number is the one wildcard).
 */
export function cicdTrusts(names: Naming): { plan: GithubTrust[]; deploy: GithubTrust[] } {
  const cicd = names.env.cicd;
  if (!cicd) throw new Error(`environment ${names.env.name}: no cicd config`);
  const repo = cicd.githubRepository;
  const branchRef = `refs/heads/${cicd.deployBranch}`;
  const workflow = (path: string, ref: string) => `${repo}/${path}@${ref}`;
  const plan: GithubTrust[] = [{
    exact: { sub: `repo:${repo}:ref:${branchRef}`, ref: branchRef, job_workflow_ref: workflow(names.githubPlanWorkflow, branchRef) },
  }];
  if (cicd.pullRequestPlans) {
    plan.push({
      exact: { sub: `repo:${repo}:pull_request` },
      pullRequestRefs: { job_workflow_ref: workflow(names.githubPlanWorkflow, 'refs/pull/*/merge') },
    });
  }
  const deploy: GithubTrust[] = [{
    exact: {
      sub: `repo:${repo}:environment:${cicd.githubEnvironment}`,
      ref: branchRef,
      job_workflow_ref: workflow(names.githubDeployWorkflow, branchRef),
    },
  }];
  return { plan, deploy };
}
