import { Construct } from 'constructs';
import { MwaaEnvironment } from '@cdktf/provider-aws/lib/mwaa-environment';
import { ScopedRole } from '../iam/scoped-role';
import { ParkSwitch } from '../park/park-switch';
import { ServiceLogGroups } from '../logs/service-log-groups';
import type { AirflowEnvironmentProps } from './airflow-environment-props';

/** The Amazon provider's Secrets Manager backend for Airflow connections and variables. */
export const SECRETS_MANAGER_BACKEND = 'airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend';
/** MWAA's own CloudWatch Logs use (sorted). */
export const MWAA_LOG_ACTIONS = [
  'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:GetLogEvents', 'logs:GetLogGroupFields', 'logs:GetLogRecord',
  'logs:GetQueryResults', 'logs:PutLogEvents',
] as const;
/** The Celery queue MWAA creates in its service account (sorted). */
export const MWAA_SQS_ACTIONS = [
  'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage',
  'sqs:SendMessage',
] as const;
/**
 * Reads of its source bucket beyond the object reads of `dags/` (sorted). MWAA lists the whole
 * bucket, not only `dags/` (the execution-role guide grants `s3:List*` on the bucket); the bucket
 * holds nothing but MWAA's files.
 */
export const MWAA_BUCKET_ACTIONS = [
  's3:GetBucketPublicAccessBlock', 's3:GetBucketVersioning', 's3:GetEncryptionConfiguration', 's3:GetObjectVersion',
  's3:ListBucket', 's3:ListBucketVersions',
] as const;
export const MWAA_KEY_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'] as const;
/** The Amazon provider's SecretsManagerBackend calls only GetSecretValue (9.12.0, secrets/secrets_manager.py). */
export const SECRETS_BACKEND_ACTIONS = ['secretsmanager:GetSecretValue'] as const;

/**
 * An Amazon MWAA environment, private: the webserver is reachable only inside the VPC
 * (`PRIVATE_ONLY`), all five log types on (into log groups created first, with retention and the
 * key), its data encrypted with a customer-managed key,
 * DAGs and requirements from a versioned bucket, and Airflow reading connections and variables
 * from Secrets Manager. Its execution role starts with only what MWAA itself needs (bucket,
 * logs, metrics, Celery queue, key); the pipeline's resources grant the rest.
 *
 * @example
 * const airflow = new AirflowEnvironment(this, 'Airflow', {
 *   names, encryptionKey: key, sourceBucket: airflowBucket, requirementsObjectVersion: reqs.versionId,
 *   subnetIds: network.mwaaSubnetIds, securityGroupIds: [network.mwaaSecurityGroupId], mwaa: env.mwaa,
 * });
 * glue.grantRun(airflow.role);
 */
export class AirflowEnvironment extends Construct {
  readonly role: ScopedRole;
  readonly environment: MwaaEnvironment;
  readonly webserverUrl: string;

  constructor(scope: Construct, id: string, props: AirflowEnvironmentProps) {
    super(scope, id);
    const { names } = props;
    const region = names.env.region;
    const account = names.accountId('analytics');
    const logGroupArn = `arn:${names.partition}:logs:${region}:${account}:log-group:${names.mwaaLogGroupPrefix}*`;

    this.role = new ScopedRole(this, 'ExecutionRole', {
      roleName: names.mwaaRoleName,
      accountId: account,
      partition: names.partition,
      description: `xetl ${names.env.name}: MWAA runs the pipeline DAG with this role`,
      trustedServices: ['airflow-env.amazonaws.com', 'airflow.amazonaws.com'],
      serviceTrustConditions: { StringEquals: { 'aws:SourceAccount': account } },
    });
    const add = (s: Parameters<ScopedRole['addToPrincipalPolicy']>[0]) => this.role.addToPrincipalPolicy(s);

    add({ Sid: 'PublishEnvironmentMetrics', Effect: 'Allow', Action: ['airflow:PublishMetrics'], Resource: names.mwaaEnvironmentArn });
    props.sourceBucket.grantRead([this.role], `${names.airflowDagsPrefix}/`);
    for (const extra of [props.plugins, props.startupScript]) {
      if (extra) props.sourceBucket.grantRead([this.role], extra.key);
    }
    const bucketArn = props.sourceBucket.bucketArn;
    add({ Sid: 'InspectSourceBucket', Effect: 'Allow', Action: [...MWAA_BUCKET_ACTIONS], Resource: [bucketArn, `${bucketArn}/${names.airflowDagsPrefix}/*`] });
    add({
      // An account-level setting MWAA checks before it trusts the bucket; it has no resource type.
      Sid: 'CheckAccountPublicAccessBlock', Effect: 'Allow', Action: ['s3:GetAccountPublicAccessBlock'], Resource: '*',
    });
    add({ Sid: 'EnvironmentLogs', Effect: 'Allow', Action: [...MWAA_LOG_ACTIONS], Resource: [logGroupArn, `${logGroupArn}:*`] });
    add({
      // DescribeLogGroups has no resource type in IAM: only "*" grants it. It lists, it reads no log.
      Sid: 'FindLogGroups', Effect: 'Allow', Action: ['logs:DescribeLogGroups'], Resource: '*',
    });
    add({
      // PutMetricData has no resource type; the namespace condition keeps it to MWAA's metrics.
      Sid: 'EnvironmentMetrics', Effect: 'Allow', Action: ['cloudwatch:PutMetricData'], Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': 'AmazonMWAA' } },
    });
    add({
      // The Celery queue lives in an account MWAA owns, whose ID is not known in advance.
      Sid: 'CeleryQueue', Effect: 'Allow', Action: [...MWAA_SQS_ACTIONS],
      Resource: `arn:${names.partition}:sqs:${region}:*:airflow-celery-*`,
    });
    for (const service of ['sqs', 's3']) {
      props.encryptionKey.grantEncryptDecrypt([this.role], { viaService: `${service}.${region}.amazonaws.com`, sid: `MwaaVia${service.toUpperCase()}` });
    }
    add({
      Sid: 'SecretsBackend', Effect: 'Allow', Action: [...SECRETS_BACKEND_ACTIONS], Resource: names.airflowSecretsArnPattern,
    });
    props.encryptionKey.grantDecrypt([this.role], { viaService: `secretsmanager.${region}.amazonaws.com`, sid: 'MwaaSecretsBackend' });

    // MWAA would create its five log groups itself, kept for ever and without the key.
    const logGroups = new ServiceLogGroups(this, 'Logs', {
      logGroupNames: names.mwaaLogGroups, retentionDays: props.logRetentionDays, encryptionKey: props.encryptionKey,
    });
    const levels = props.mwaa.logLevels;
    const log = (logLevel: string) => ({ enabled: true, logLevel });
    this.environment = new MwaaEnvironment(this, 'Environment', {
      // Parked, the environment is deleted; its role, bucket, logs and secrets stay.
      ...(props.park ? { count: props.park.count } : {}),
      name: names.mwaaEnvironment,
      airflowVersion: props.mwaa.airflowVersion,
      environmentClass: props.mwaa.environmentClass,
      minWorkers: props.mwaa.minWorkers,
      maxWorkers: props.mwaa.maxWorkers,
      executionRoleArn: this.role.roleArn,
      kmsKey: props.encryptionKey.keyArn,
      sourceBucketArn: bucketArn,
      dagS3Path: names.airflowDagsPrefix,
      requirementsS3Path: names.airflowRequirementsKey,
      requirementsS3ObjectVersion: props.requirementsObjectVersion,
      ...(props.plugins ? { pluginsS3Path: props.plugins.key, pluginsS3ObjectVersion: props.plugins.objectVersion } : {}),
      ...(props.startupScript
        ? { startupScriptS3Path: props.startupScript.key, startupScriptS3ObjectVersion: props.startupScript.objectVersion }
        : {}),
      webserverAccessMode: 'PRIVATE_ONLY',
      networkConfiguration: { subnetIds: [...props.subnetIds], securityGroupIds: [...props.securityGroupIds] },
      // Every log type stays on (a quiet one still records warnings and errors); config sets the level.
      loggingConfiguration: {
        dagProcessingLogs: log(levels.dagProcessing),
        schedulerLogs: log(levels.scheduler),
        taskLogs: log(levels.task),
        webserverLogs: log(levels.webserver),
        workerLogs: log(levels.worker),
      },
      airflowConfigurationOptions: {
        ...(props.airflowConfigurationOptions ?? {}),
        // A DAG runs on its first trigger without a manual unpause (the DAG also sets is_paused_upon_creation).
        'core.dags_are_paused_at_creation': 'False',
        'secrets.backend': SECRETS_MANAGER_BACKEND,
        'secrets.backend_kwargs': JSON.stringify({
          connections_prefix: names.airflowConnectionsPrefix,
          variables_prefix: names.airflowVariablesPrefix,
        }),
      },
      // MWAA validates the role and reaches AWS through the VPC endpoints while it creates the
      // environment: the role's inline policy and the endpoints must exist first.
      dependsOn: [...this.role.dependables, ...logGroups.groups, ...(props.dependsOn ?? [])],
    });
    this.webserverUrl = props.park ? ParkSwitch.attributeOf(this.environment, 'webserver_url') : this.environment.webserverUrl;
  }
}
