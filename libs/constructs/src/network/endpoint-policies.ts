import type { PolicyStatement } from '../iam/policy';

/**
 * What may pass each VPC endpoint, as sorted action lists. Endpoint policies filter requests
 * (the callers' own IAM policies still decide); listing actions instead of `<service>:*` keeps
 * the rule that no Allow statement in xetl carries a wildcard action, and documents what crosses.
 * See docs/network.md for who calls what. The pipeline's own services (Glue, Redshift Data, Secrets
 * Manager, SNS) list exactly what the Amazon provider 9.12.0 operators, hooks and deferrable triggers
 * the DAG uses call (read from the provider source; docs/security.md).
 */
export const INTERFACE_ENDPOINT_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  // MWAA's Celery executor (worker and scheduler containers, with the execution role).
  sqs: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:SendMessage'],
  // MWAA's component and task logs (writes, and the UI reading task logs back).
  logs: [
    'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams', 'logs:FilterLogEvents',
    'logs:GetLogEvents', 'logs:GetLogGroupFields', 'logs:GetLogRecord', 'logs:GetQueryResults', 'logs:PutLogEvents',
  ],
  monitoring: ['cloudwatch:PutMetricData'],
  // The environment's CMK, used through SQS and S3 and by the secrets backend.
  kms: [
    'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext',
    'kms:ReEncryptFrom', 'kms:ReEncryptTo',
  ],
  // Airflow's Secrets Manager backend (connections, variables). The Data API reads the warehouse
  // secret on the service side, not through this endpoint.
  secretsmanager: ['secretsmanager:GetSecretValue'],
  // GlueCrawlerOperator and its trigger (GetCrawler, StartCrawler); GlueJobOperator and its trigger
  // (GetJob, StartJobRun, GetJobRun) and on_kill (BatchStopJobRun).
  glue: ['glue:BatchStopJobRun', 'glue:GetCrawler', 'glue:GetJob', 'glue:GetJobRun', 'glue:StartCrawler', 'glue:StartJobRun'],
  // RedshiftDataOperator/RedshiftDataHook and RedshiftDataTrigger: run (batch for a list), poll,
  // read the quality query's result, cancel on kill.
  'redshift-data': [
    'redshift-data:BatchExecuteStatement', 'redshift-data:CancelStatement', 'redshift-data:DescribeStatement',
    'redshift-data:ExecuteStatement', 'redshift-data:GetStatementResult',
  ],
  // SnsHook.publish_to_target.
  sns: ['sns:Publish'],
  // Image pulls for MWAA's containers; the caller may be the MWAA service itself, so no account condition.
  'ecr.api': ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetAuthorizationToken', 'ecr:GetDownloadUrlForLayer'],
  'ecr.dkr': ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetAuthorizationToken', 'ecr:GetDownloadUrlForLayer'],
};

/** Services whose callers are not always principals of this account (AWS-owned images). */
const NO_ACCOUNT_CONDITION = new Set(['ecr.api', 'ecr.dkr']);

/** The interface endpoints (with a policy) a private MWAA environment and the pipeline's DAG need, sorted. */
export const INTERFACE_ENDPOINT_SERVICES = Object.keys(INTERFACE_ENDPOINT_ACTIONS).sort();

/**
 * MWAA's own endpoints, required in a VPC without internet access by AWS's guide "Creating the
 * required VPC service endpoints in an Amazon VPC with private routing": `airflow.api` (environment
 * management), `airflow.env` (the Airflow environment: CLI/web login tokens, InvokeRestApi) and
 * `airflow.ops` (environment health metrics). Not documented to accept an endpoint policy: none.
 */
export const AIRFLOW_ENDPOINT_SERVICES = ['airflow.api', 'airflow.env', 'airflow.ops'] as const;

/** Policy of one interface endpoint: its listed actions, by principals of `accounts` only. */
export function interfaceEndpointPolicy(service: string, accounts: readonly string[]): string {
  const actions = INTERFACE_ENDPOINT_ACTIONS[service];
  if (!actions) throw new Error(`no endpoint policy for service ${service}`);
  const statement: PolicyStatement = {
    Sid: 'ThisPipelineOnly',
    Effect: 'Allow',
    Principal: '*',
    Action: [...actions],
    // The callers' IAM policies name the resources; the endpoint narrows who may call.
    Resource: '*',
    ...(NO_ACCOUNT_CONDITION.has(service)
      ? {}
      : { Condition: { StringEquals: { 'aws:PrincipalAccount': unique(accounts) } } }),
  };
  return JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
}

/** S3 actions the pipeline performs through the gateway endpoints. */
export const S3_GATEWAY_ACTIONS = [
  's3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetBucketLocation', 's3:GetBucketPublicAccessBlock',
  's3:GetBucketVersioning', 's3:GetEncryptionConfiguration', 's3:GetObject', 's3:GetObjectVersion',
  's3:ListBucket', 's3:ListBucketVersions', 's3:ListMultipartUploadParts', 's3:PutObject',
] as const;

export interface S3GatewayPolicyOptions {
  /** ARNs of the pipeline's buckets in both accounts. */
  readonly bucketArns: readonly string[];
  /** Accounts whose principals may use them (B's roles; A's unload role through UNLOAD). */
  readonly accounts: readonly string[];
  /** AWS-owned buckets read with presigned URLs (ECR image layers), by object ARN pattern. */
  readonly awsOwnedObjectArns: readonly string[];
}

/** Policy of the S3 gateway endpoints: only the pipeline's buckets, plus AWS-owned image layers. */
export function s3GatewayEndpointPolicy(options: S3GatewayPolicyOptions): string {
  const statements: PolicyStatement[] = [
    {
      Sid: 'PipelineBuckets',
      Effect: 'Allow',
      Principal: '*',
      Action: [...S3_GATEWAY_ACTIONS],
      Resource: options.bucketArns.flatMap((b) => [b, `${b}/*`]),
      Condition: { StringEquals: { 'aws:PrincipalAccount': unique(options.accounts) } },
    },
    {
      // Layer downloads are presigned redirects from ECR: no caller account to match.
      Sid: 'AwsOwnedImageLayers',
      Effect: 'Allow',
      Principal: '*',
      Action: ['s3:GetObject'],
      Resource: [...options.awsOwnedObjectArns],
    },
  ];
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

function unique(values: readonly string[]): string | string[] {
  const set = [...new Set(values)].sort();
  return set.length === 1 ? set[0] : set;
}
