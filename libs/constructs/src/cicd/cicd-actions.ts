/**
 * Action lists of the CI/CD roles, sorted, one constant per service and purpose. `*_READ` lists
 * are what `terraform plan` calls to refresh a resource (the plan role gets only these);
 * `*_WRITE` lists what `terraform apply` adds (the deploy role gets both). No list holds a
 * wildcard: the security guards refuse `*` in Allow actions, and a reviewer reads each one.
 */

// ---- Terraform state ---------------------------------------------------------------------------
export const STATE_LIST_ACTIONS = ['s3:ListBucket'] as const;
export const STATE_READ_ACTIONS = ['s3:GetObject'] as const;
export const STATE_WRITE_ACTIONS = ['s3:PutObject'] as const;
/** A plan takes and releases the lock: it writes the lock item, never the digest item. */
export const LOCK_ACTIONS = ['dynamodb:DeleteItem', 'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:PutItem'] as const;
export const STATE_KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'] as const;
export const STATE_KEY_WRITE_ACTIONS = ['kms:Encrypt', 'kms:GenerateDataKey'] as const;

// ---- S3 buckets and objects --------------------------------------------------------------------
export const S3_BUCKET_READ = [
  's3:GetAccelerateConfiguration', 's3:GetBucketAcl', 's3:GetBucketCORS', 's3:GetBucketLocation',
  's3:GetBucketLogging', 's3:GetBucketNotification', 's3:GetBucketObjectLockConfiguration',
  's3:GetBucketOwnershipControls', 's3:GetBucketPolicy', 's3:GetBucketPublicAccessBlock',
  's3:GetBucketRequestPayment', 's3:GetBucketTagging', 's3:GetBucketVersioning', 's3:GetBucketWebsite',
  's3:GetEncryptionConfiguration', 's3:GetLifecycleConfiguration', 's3:GetReplicationConfiguration',
  's3:ListBucket',
] as const;
export const S3_BUCKET_WRITE = [
  's3:CreateBucket', 's3:DeleteBucket', 's3:DeleteBucketPolicy', 's3:PutBucketLogging',
  's3:PutBucketNotification', 's3:PutBucketOwnershipControls', 's3:PutBucketPolicy',
  's3:PutBucketPublicAccessBlock', 's3:PutBucketTagging', 's3:PutBucketVersioning',
  's3:PutEncryptionConfiguration', 's3:PutLifecycleConfiguration',
] as const;
export const S3_OBJECT_READ = ['s3:GetObject', 's3:GetObjectTagging'] as const;
export const S3_OBJECT_WRITE = ['s3:DeleteObject', 's3:PutObject', 's3:PutObjectTagging'] as const;

// ---- KMS ---------------------------------------------------------------------------------------
/** Key metadata; no decryption (that goes only through a service, `KMS_DECRYPT_VIA_SERVICES`). */
export const KMS_KEY_READ = ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags'] as const;
export const KMS_DECRYPT = ['kms:Decrypt'] as const;
export const KMS_KEY_WRITE = [
  'kms:CreateAlias', 'kms:CreateGrant', 'kms:DeleteAlias', 'kms:EnableKeyRotation', 'kms:Encrypt',
  'kms:GenerateDataKey', 'kms:PutKeyPolicy', 'kms:RetireGrant', 'kms:ScheduleKeyDeletion', 'kms:TagResource',
  'kms:UntagResource', 'kms:UpdateAlias', 'kms:UpdateKeyDescription',
] as const;
export const KMS_CREATE_KEY = ['kms:CreateKey', 'kms:TagResource'] as const;
export const KMS_ALIAS_WRITE = ['kms:CreateAlias', 'kms:DeleteAlias', 'kms:UpdateAlias'] as const;
export const KMS_LIST = ['kms:ListAliases'] as const;
export const KMS_POLICY_LOCKOUT = ['kms:CreateKey', 'kms:PutKeyPolicy'] as const;

// ---- IAM ---------------------------------------------------------------------------------------
export const IAM_ROLE_READ = ['iam:GetRole', 'iam:GetRolePolicy', 'iam:ListAttachedRolePolicies', 'iam:ListRolePolicies'] as const;
/**
 * Role changes that IAM checks against the role's permissions boundary (`iam:PermissionsBoundary`):
 * the deploy role may make them only on roles that carry xetl's boundary.
 */
export const IAM_ROLE_WRITE_BOUNDED = [
  'iam:CreateRole', 'iam:DeleteRole', 'iam:DeleteRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:PutRolePolicy',
  'iam:UpdateAssumeRolePolicy', 'iam:UpdateRole', 'iam:UpdateRoleDescription',
] as const;
/** Role calls without that condition key: tags (Terraform's default tags) and the instance-profile check before delete. */
export const IAM_ROLE_WRITE_UNBOUNDED = ['iam:ListInstanceProfilesForRole', 'iam:TagRole', 'iam:UntagRole'] as const;
/** Managed-policy changes: the deploy role manages none, so none may change (the boundary among them). */
export const IAM_POLICY_CHANGE = [
  'iam:CreatePolicy', 'iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion',
] as const;
/** Assuming another role: no CI role needs to, so a role that trusts one gains it nothing. */
export const STS_ASSUME = ['sts:AssumeRole'] as const;
/** Everything that could change a role; denied on the CI roles themselves. */
export const IAM_ROLE_CHANGE = [
  'iam:AttachRolePolicy', 'iam:CreateRole', 'iam:DeleteRole', 'iam:DeleteRolePermissionsBoundary',
  'iam:DeleteRolePolicy', 'iam:DetachRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:PutRolePolicy',
  'iam:TagRole', 'iam:UntagRole', 'iam:UpdateAssumeRolePolicy', 'iam:UpdateRole', 'iam:UpdateRoleDescription',
] as const;
export const IAM_PASS_ROLE = ['iam:PassRole'] as const;
export const IAM_SERVICE_LINKED_ROLE = ['iam:CreateServiceLinkedRole'] as const;

// ---- EC2 (account B's VPCs) --------------------------------------------------------------------
/** EC2's Describe calls have no resource-level permissions. */
export const EC2_READ = [
  'ec2:DescribeAvailabilityZones', 'ec2:DescribeFlowLogs', 'ec2:DescribeNetworkInterfaces',
  'ec2:DescribePrefixLists', 'ec2:DescribeRouteTables', 'ec2:DescribeSecurityGroupRules',
  'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeTags', 'ec2:DescribeVpcAttribute',
  'ec2:DescribeVpcEndpointServices', 'ec2:DescribeVpcEndpoints', 'ec2:DescribeVpcPeeringConnections',
  'ec2:DescribeVpcs',
] as const;
/** Creates that carry the stack's tags in the request (TagSpecifications). */
export const EC2_CREATE_TAGGED = [
  'ec2:AuthorizeSecurityGroupEgress', 'ec2:AuthorizeSecurityGroupIngress', 'ec2:CreateFlowLogs',
  'ec2:CreateRouteTable', 'ec2:CreateSecurityGroup', 'ec2:CreateSubnet', 'ec2:CreateTags', 'ec2:CreateVpc',
  'ec2:CreateVpcEndpoint', 'ec2:CreateVpcPeeringConnection',
] as const;
/** Changes to resources that already carry the stack's tag. */
export const EC2_MANAGE_TAGGED = [
  'ec2:AcceptVpcPeeringConnection', 'ec2:AssociateRouteTable', 'ec2:AuthorizeSecurityGroupEgress',
  'ec2:AuthorizeSecurityGroupIngress', 'ec2:CreateRoute', 'ec2:CreateTags', 'ec2:DeleteFlowLogs',
  'ec2:DeleteRoute', 'ec2:DeleteRouteTable', 'ec2:DeleteSecurityGroup', 'ec2:DeleteSubnet', 'ec2:DeleteTags',
  'ec2:DeleteVpc', 'ec2:DeleteVpcEndpoints', 'ec2:DeleteVpcPeeringConnection', 'ec2:DisassociateRouteTable',
  'ec2:ModifySecurityGroupRules', 'ec2:ModifySubnetAttribute', 'ec2:ModifyVpcAttribute', 'ec2:ModifyVpcEndpoint',
  'ec2:ModifyVpcPeeringConnectionOptions', 'ec2:ReplaceRoute', 'ec2:RevokeSecurityGroupEgress',
  'ec2:RevokeSecurityGroupIngress', 'ec2:UpdateSecurityGroupRuleDescriptionsEgress',
  'ec2:UpdateSecurityGroupRuleDescriptionsIngress',
] as const;
/** `aws_default_security_group` adopts the VPC's default group, which EC2 creates untagged. */
export const EC2_DEFAULT_SG = ['ec2:CreateTags', 'ec2:RevokeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress'] as const;
/** What MWAA and Redshift Serverless create in the VPC with the caller's permissions. */
export const EC2_SERVICE_ENDPOINTS = ['ec2:CreateNetworkInterface', 'ec2:CreateVpcEndpoint'] as const;

// ---- CloudWatch Logs ---------------------------------------------------------------------------
export const LOGS_DESCRIBE = ['logs:DescribeLogGroups'] as const;
export const LOGS_READ = ['logs:ListTagsForResource', 'logs:ListTagsLogGroup'] as const;
export const LOGS_WRITE = [
  'logs:AssociateKmsKey', 'logs:CreateLogGroup', 'logs:DeleteLogGroup', 'logs:DeleteRetentionPolicy',
  'logs:DisassociateKmsKey', 'logs:PutRetentionPolicy', 'logs:TagLogGroup', 'logs:TagResource',
  'logs:UntagLogGroup', 'logs:UntagResource',
] as const;

// ---- Glue --------------------------------------------------------------------------------------
export const GLUE_READ = ['glue:GetCrawler', 'glue:GetDataCatalogEncryptionSettings', 'glue:GetDatabase', 'glue:GetJob', 'glue:GetTags'] as const;
export const GLUE_WRITE = [
  'glue:CreateDatabase', 'glue:PutDataCatalogEncryptionSettings', 'glue:CreateJob', 'glue:DeleteCrawler', 'glue:DeleteDatabase',
  'glue:DeleteJob', 'glue:TagResource', 'glue:UntagResource', 'glue:UpdateCrawler', 'glue:UpdateDatabase',
  'glue:UpdateJob',
] as const;
/** CreateCrawler has no resource type (the crawler has no ARN yet); the request carries the stack tag. */
export const GLUE_CRAWLER_CREATE = ['glue:CreateCrawler'] as const;
/** Glue security configurations have no resource-level permissions. */
export const GLUE_SECURITY_CONFIGURATION_READ = ['glue:GetSecurityConfiguration'] as const;
export const GLUE_SECURITY_CONFIGURATION_WRITE = ['glue:CreateSecurityConfiguration', 'glue:DeleteSecurityConfiguration'] as const;

// ---- MWAA --------------------------------------------------------------------------------------
export const MWAA_READ = ['airflow:GetEnvironment', 'airflow:ListTagsForResource'] as const;
export const MWAA_WRITE = ['airflow:CreateEnvironment', 'airflow:DeleteEnvironment', 'airflow:TagResource', 'airflow:UntagResource', 'airflow:UpdateEnvironment'] as const;

// ---- Redshift Serverless -----------------------------------------------------------------------
export const REDSHIFT_READ = ['redshift-serverless:GetNamespace', 'redshift-serverless:GetWorkgroup', 'redshift-serverless:ListTagsForResource'] as const;
export const REDSHIFT_CREATE = ['redshift-serverless:CreateNamespace', 'redshift-serverless:CreateWorkgroup', 'redshift-serverless:TagResource'] as const;
export const REDSHIFT_WRITE = [
  'redshift-serverless:DeleteNamespace', 'redshift-serverless:DeleteWorkgroup', 'redshift-serverless:TagResource',
  'redshift-serverless:UntagResource', 'redshift-serverless:UpdateNamespace', 'redshift-serverless:UpdateWorkgroup',
] as const;
/** Usage limits have no resource type in IAM: the provider reads a limit by its ID. */
export const REDSHIFT_USAGE_LIMIT_READ = ['redshift-serverless:GetUsageLimit'] as const;
export const REDSHIFT_USAGE_LIMIT_WRITE = [
  'redshift-serverless:CreateUsageLimit', 'redshift-serverless:DeleteUsageLimit', 'redshift-serverless:UpdateUsageLimit',
] as const;

// ---- SSM (the park switch of a parkable environment) -------------------------------------------
/** A plan reads the switch's folder (the stack owns no parameter; `xetl park` writes it). */
export const PARK_SWITCH_READ = ['ssm:GetParametersByPath'] as const;

// ---- Secrets Manager ---------------------------------------------------------------------------
/** Secret metadata; no value. */
export const SECRETS_READ = ['secretsmanager:DescribeSecret', 'secretsmanager:GetResourcePolicy'] as const;
/** The value of the one secret Terraform writes (the `xetl_pipeline` variable: names, no credential). */
export const SECRET_VALUE_READ = ['secretsmanager:GetSecretValue'] as const;
export const SECRETS_WRITE = [
  'secretsmanager:CreateSecret', 'secretsmanager:DeleteResourcePolicy', 'secretsmanager:DeleteSecret',
  'secretsmanager:PutResourcePolicy', 'secretsmanager:PutSecretValue', 'secretsmanager:TagResource',
  'secretsmanager:UntagResource', 'secretsmanager:UpdateSecret',
] as const;
/** Redshift's managed admin password: Redshift creates the secret with the caller's rights; nobody here reads it. */
export const SECRETS_MANAGED_BY_REDSHIFT = [
  'secretsmanager:CreateSecret', 'secretsmanager:DeleteSecret', 'secretsmanager:DescribeSecret',
  'secretsmanager:RotateSecret', 'secretsmanager:TagResource', 'secretsmanager:UpdateSecret',
] as const;

// ---- SNS ---------------------------------------------------------------------------------------
export const SNS_READ = ['sns:GetTopicAttributes', 'sns:ListTagsForResource'] as const;
export const SNS_WRITE = [
  'sns:CreateTopic', 'sns:DeleteTopic', 'sns:SetTopicAttributes', 'sns:Subscribe', 'sns:TagResource', 'sns:UntagResource',
] as const;
/** Calls on a subscription, which has no resource type in IAM (the topic's e-mail subscriptions). */
export const SNS_SUBSCRIPTION_READ = ['sns:GetSubscriptionAttributes'] as const;
export const SNS_SUBSCRIPTION_WRITE = ['sns:SetSubscriptionAttributes', 'sns:Unsubscribe'] as const;

// ---- trust -------------------------------------------------------------------------------------
export const WEB_IDENTITY_ACTIONS = ['sts:AssumeRoleWithWebIdentity'] as const;

// ---- EventBridge, SQS, Lambda (the event-driven trigger) ---------------------------------------
export const EVENTS_READ = ['events:DescribeEventBus', 'events:DescribeRule', 'events:ListTagsForResource', 'events:ListTargetsByRule'] as const;
export const EVENTS_WRITE = [
  'events:CreateEventBus', 'events:DeleteEventBus', 'events:DeleteRule', 'events:DisableRule', 'events:EnableRule',
  'events:PutRule', 'events:PutTargets', 'events:RemoveTargets', 'events:TagResource', 'events:UntagResource',
] as const;
/** The bus policy (`aws_cloudwatch_event_bus_policy`); IAM gives these no resource type. */
export const EVENTS_PERMISSION_WRITE = ['events:PutPermission', 'events:RemovePermission'] as const;
export const SQS_READ = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ListQueueTags'] as const;
export const SQS_WRITE = ['sqs:CreateQueue', 'sqs:DeleteQueue', 'sqs:SetQueueAttributes', 'sqs:TagQueue', 'sqs:UntagQueue'] as const;
export const LAMBDA_READ = [
  'lambda:GetFunction', 'lambda:GetFunctionCodeSigningConfig', 'lambda:GetFunctionConcurrency', 'lambda:GetPolicy',
  'lambda:ListTags', 'lambda:ListVersionsByFunction',
] as const;
export const LAMBDA_WRITE = [
  'lambda:CreateFunction', 'lambda:DeleteFunction', 'lambda:DeleteFunctionConcurrency', 'lambda:PutFunctionConcurrency',
  'lambda:TagResource', 'lambda:UntagResource', 'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration',
] as const;
export const LAMBDA_EVENT_SOURCE_READ = ['lambda:GetEventSourceMapping'] as const;
export const LAMBDA_EVENT_SOURCE_WRITE = ['lambda:DeleteEventSourceMapping', 'lambda:UpdateEventSourceMapping'] as const;
/** A new mapping has no ARN yet: no resource type, narrowed by `lambda:FunctionArn`. */
export const LAMBDA_EVENT_SOURCE_CREATE = ['lambda:CreateEventSourceMapping'] as const;
