import type { Naming } from '@xetl/config';
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
  // Airflow's Secrets Manager backend (connections, variables), and nothing else: the DAG signs in
  // to Redshift with IAM, no secret, and the admin secret is not let through (see below).
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
  // dbt's Redshift connection (`method: iam_role`) gets the worker's temporary database
  // credentials from the workers themselves (the Data API does it service-side).
  'redshift-serverless': ['redshift-serverless:GetCredentials'],
  // Image pulls for MWAA's containers; the caller may be the MWAA service itself, so no account condition.
  'ecr.api': ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetAuthorizationToken', 'ecr:GetDownloadUrlForLayer'],
  'ecr.dkr': ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetAuthorizationToken', 'ecr:GetDownloadUrlForLayer'],
};

/** The interface endpoints (with a policy) a private MWAA environment and the pipeline's DAG need, sorted. */
export const INTERFACE_ENDPOINT_SERVICES = Object.keys(INTERFACE_ENDPOINT_ACTIONS).sort();

/**
 * MWAA's own endpoints, required in a VPC without internet access by AWS's guide "Creating the
 * required VPC service endpoints in an Amazon VPC with private routing": `airflow.api` (environment
 * management), `airflow.env` (the Airflow environment: CLI/web login tokens, InvokeRestApi) and
 * `airflow.ops` (environment health metrics). `airflow.env` carries a policy (the trigger Lambda
 * calls the REST API through it); the other two are used by MWAA itself and keep AWS's default.
 */
export const AIRFLOW_ENDPOINT_SERVICES = ['airflow.api', 'airflow.env', 'airflow.ops'] as const;
/** What passes `airflow.env`: the trigger's InvokeRestApi and the login tokens (sorted). */
export const AIRFLOW_ENV_ENDPOINT_ACTIONS = ['airflow:CreateCliToken', 'airflow:CreateWebLoginToken', 'airflow:InvokeRestApi'] as const;

const ECR_PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] as const;

/**
 * Policy of one interface endpoint. Each statement admits principals of the environment's accounts
 * calling resources of those accounts: `aws:ResourceAccount` is compared when the request has one
 * (`IfExists`: calls without a resource, such as PutMetricData or DescribeStatement, act in the
 * caller's own account), so stolen credentials of ours cannot reach another account's resource
 * through the endpoint, nor other credentials ours. Exceptions, each with its reason below: the
 * Secrets Manager endpoint lets only the Airflow secrets through, SQS also admits MWAA's Celery
 * queue (in an account MWAA owns), and ECR image pulls are MWAA's own.
 */
export function interfaceEndpointPolicy(service: string, names: Naming): string {
  const actions = INTERFACE_ENDPOINT_ACTIONS[service];
  if (!actions) throw new Error(`no endpoint policy for service ${service}`);
  const accounts = unique([names.accountId('analytics'), names.accountId('source')]);
  const region = names.env.region;
  const p = names.partition;
  const callers = { StringEquals: { 'aws:PrincipalAccount': accounts } };
  const allow = (sid: string, action: readonly string[], resource: string | string[], condition?: PolicyStatement['Condition']): PolicyStatement => ({
    Sid: sid, Effect: 'Allow', Principal: '*', Action: [...action], Resource: resource, ...(condition ? { Condition: condition } : {}),
  });
  const ours = allow('ThisPipelineOnly', actions, '*', { ...callers, StringEqualsIfExists: { 'aws:ResourceAccount': accounts } });
  let statements: PolicyStatement[];
  if (service === 'secretsmanager') {
    // The Airflow secrets backend's reads, by name; the Redshift admin secret (redshift!...) never passes.
    statements = [allow('AirflowSecretsOnly', actions, names.airflowSecretsArnPattern, callers)];
  } else if (service === 'sqs') {
    // MWAA's Celery queue lives in an account MWAA owns, whose ID is not published: matched by name.
    statements = [ours, allow('MwaaCeleryQueue', actions, `arn:${p}:sqs:${region}:*:airflow-celery-*`, callers)];
  } else if (service.startsWith('ecr.')) {
    // MWAA pulls its images as its own service identity from repositories it owns, in accounts AWS
    // does not publish: neither account can be pinned. Pulls only (no push), from this region's
    // repositories only; no role of xetl holds an ECR permission.
    statements = [
      allow('AuthorizationToken', ['ecr:GetAuthorizationToken'], '*'),
      allow('PullImagesOfThisRegion', ECR_PULL_ACTIONS, `arn:${p}:ecr:${region}:*:repository/*`),
    ];
  } else {
    statements = [ours];
  }
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** Policy of the `airflow.env` endpoint: this environment's REST API and login tokens, by account B's principals. */
export function airflowEnvEndpointPolicy(names: Naming): string {
  const environmentArn = names.mwaaEnvironmentArn;
  const statement: PolicyStatement = {
    Sid: 'ThisEnvironmentOnly',
    Effect: 'Allow',
    Principal: '*',
    Action: [...AIRFLOW_ENV_ENDPOINT_ACTIONS],
    // Tokens name the environment; InvokeRestApi names one of its Airflow roles.
    Resource: [environmentArn, environmentArn.replace(/:environment\/(.*)$/, ':role/$1/*')],
    Condition: { StringEquals: { 'aws:PrincipalAccount': names.accountId('analytics') } },
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
      // The buckets are named above; the owner pin (S3 names the owner in every bucket request) also
      // refuses a bucket of that name in another account. IfExists as on the interface endpoints.
      Condition: {
        StringEquals: { 'aws:PrincipalAccount': unique(options.accounts) },
        StringEqualsIfExists: { 'aws:ResourceAccount': unique(options.accounts) },
      },
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
