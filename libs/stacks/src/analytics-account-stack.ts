import * as path from 'node:path';
import { Construct } from 'constructs';
import { Fn, TerraformOutput, TerraformVariable } from 'cdktf';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { pipelineVariable, type EnvironmentConfig } from '@xetl/config';
import {
  AccessLogBucket, AirflowEnvironment, AnalyticsNetwork, BucketAssets, DataKey, GluePipeline,
  KMS_DECRYPT_ACTIONS, KMS_ENCRYPT_DECRYPT_ACTIONS, PipelineEventBus, PipelineTopic, SecureBucket, ServerlessWarehouse,
  TriggerFunction, identityStatements, listAssetFiles, requireFile,
} from '@xetl/constructs';
import { XetlStack } from './xetl-stack';

export interface AnalyticsAccountStackOptions {
  /**
   * Repository root holding `dags/`, `glue-scripts/`, `sql/` and `dist/glue-scripts/`.
   * @default the root of this checkout — tests pass a fixture instead.
   */
  readonly repoRoot?: string;
}

/** Files under dags/ that never go to MWAA: tests, caches, benchmarks, dev-only requirements, Nx/tool files. */
const DAG_EXCLUDES = [
  /(^|\/)tests\//, /(^|\/)__pycache__\//, /\.pyc$/, /(^|\/)bench[^/]*$/, /^requirements-dev\.txt$/,
  /^project\.json$/, /^pyproject\.toml$/, /(^|\/)conftest\.py$/, /(^|\/)\.(pytest|ruff|mypy)_cache\//,
];
const PACKAGE_HINT = 'build it with `npx nx run glue-scripts:package` (the infra synth target runs it first)';
const TRIGGER_PACKAGE_HINT = 'build it with `npx nx run trigger:package` (the infra synth target runs it first)';

/**
 * Account B: private networking, Redshift Serverless, Glue, MWAA, the pipeline's secrets and
 * topic, and the pipeline code (DAGs, Glue script and library, SQL) uploaded as S3 objects, so a
 * changed file is a plan diff of this stack. Account A's names come from `Naming`, never from
 * A's state, so the two stacks deploy in any order. See docs/analytics-account.md.
 */
export class AnalyticsAccountStack extends XetlStack {
  readonly key: DataKey;
  readonly network: AnalyticsNetwork;
  readonly warehouse: ServerlessWarehouse;
  readonly glue: GluePipeline;
  readonly airflow: AirflowEnvironment;
  readonly topic: PipelineTopic;
  readonly triggerEvents: PipelineEventBus;
  readonly trigger: TriggerFunction;

  constructor(scope: Construct, env: EnvironmentConfig, options: AnalyticsAccountStackOptions = {}) {
    super(scope, env, 'analytics');
    const names = this.names;
    const region = env.region;
    const account = this.accountId;
    const root = options.repoRoot ?? path.resolve(__dirname, '../../..');

    // ---- key: every encrypted thing of account B (buckets, logs, secrets, topic, Redshift, MWAA).
    this.key = new DataKey(this, 'AnalyticsKey', {
      alias: names.analyticsKeyAlias,
      description: `xetl ${env.name}: encrypts account B's buckets, logs, secrets, topic, Redshift and MWAA`,
      accountId: account,
      partition: names.partition,
      deletionWindowDays: env.allowDestroyData ? 7 : 30,
    });
    // CloudWatch Logs encrypts with the key only for log groups of this account and region.
    this.key.grantToService(`logs.${region}.amazonaws.com`, [...KMS_ENCRYPT_DECRYPT_ACTIONS], {
      ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${names.partition}:logs:${region}:${account}:log-group:*` },
    });

    // ---- buckets
    const accessLogs = new AccessLogBucket(this, 'AccessLogs', {
      bucketName: names.analyticsAccessLogBucket,
      accountId: account,
      retentionDays: env.retention.accessLogDays,
      allowDestroy: env.allowDestroyData,
    });
    const bucketDefaults = {
      region,
      encryptionKey: this.key,
      accessLogs,
      noncurrentVersionDays: env.retention.noncurrentVersionDays,
      allowDestroy: env.allowDestroyData,
    };
    const staging = new SecureBucket(this, 'Staging', {
      bucketName: names.stagingBucket, ...bucketDefaults,
      transitionToInfrequentAccessDays: env.retention.transitionToInfrequentAccessDays,
    });
    const assetsBucket = new SecureBucket(this, 'Assets', { bucketName: names.assetsBucket, ...bucketDefaults });
    const airflowBucket = new SecureBucket(this, 'AirflowBucket', { bucketName: names.airflowBucket, ...bucketDefaults });

    // ---- pipeline code, uploaded with content hashes
    const dagFiles = listAssetFiles({ dir: path.join(root, 'dags'), keyPrefix: `${names.airflowDagsPrefix}/`, exclude: DAG_EXCLUDES });
    requireFile(path.join(root, 'dags', 'requirements.txt'), 'MWAA needs dags/requirements.txt (with its --constraint line)');
    const dags = new BucketAssets(this, 'DagAssets', { bucketId: airflowBucket.bucketId, kmsKeyArn: this.key.keyArn, files: dagFiles });
    new BucketAssets(this, 'PipelineAssets', {
      bucketId: assetsBucket.bucketId,
      kmsKeyArn: this.key.keyArn,
      files: [
        { path: requireFile(path.join(root, names.glueScriptKey), 'the Glue job entry point is missing'), key: names.glueScriptKey },
        { path: requireFile(path.join(root, 'dist', 'glue-scripts', 'xetl_transform.zip'), PACKAGE_HINT), key: names.glueLibraryKey },
        ...listAssetFiles({
          dir: path.join(root, 'sql'), keyPrefix: names.sqlAssetsPrefix, include: /\.sql$/, exclude: [/(^|\/)tests\//, /(^|\/)__pycache__\//],
        }),
      ],
    });

    // ---- network, warehouse, Glue, topic, Airflow
    this.network = new AnalyticsNetwork(this, 'Network', {
      names, encryptionKey: this.key, logRetentionDays: env.retention.logRetentionDays, airflowEnvEndpoint: true,
    });
    this.warehouse = new ServerlessWarehouse(this, 'Warehouse', {
      names,
      encryptionKey: this.key,
      subnetIds: this.network.redshiftSubnetIds,
      securityGroupIds: [this.network.redshiftSecurityGroupId],
      baseCapacity: env.redshift.baseCapacity,
      maxCapacity: env.redshift.maxCapacity,
      databaseName: env.redshift.databaseName,
    });
    staging.grantRead([this.warehouse.role], names.stagingCuratedPrefix);

    this.glue = new GluePipeline(this, 'Glue', { names, encryptionKey: this.key, stagingBucket: staging, assetsBucket, glue: env.glue });
    this.topic = new PipelineTopic(this, 'Topic', {
      topicName: names.pipelineTopic, region, encryptionKey: this.key, emails: env.notifications.emails,
    });

    this.airflow = new AirflowEnvironment(this, 'Airflow', {
      names,
      encryptionKey: this.key,
      sourceBucket: airflowBucket,
      requirementsObjectVersion: dags.objects[names.airflowRequirementsKey].versionId,
      subnetIds: this.network.mwaaSubnetIds,
      securityGroupIds: [this.network.mwaaSecurityGroupId],
      mwaa: env.mwaa,
    });
    const mwaaRole = this.airflow.role;
    // What the DAG does: sense the source partition in A, run Glue, run SQL, read the manifest, notify.
    identityStatements(names.bucketArn(names.sourceBucket), `${names.productsPrefix}/`, false).forEach((s) => mwaaRole.addToPrincipalPolicy(s));
    mwaaRole.addToPrincipalPolicy({
      // Account A's key ID is unknown here: every key of A in this region, only through S3;
      // A's key policy admits this role for its data key alone.
      Sid: 'DecryptSourceThroughS3',
      Effect: 'Allow',
      Action: [...KMS_DECRYPT_ACTIONS],
      Resource: names.dataKeyArnPattern,
      Condition: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
    });
    staging.grantRead([mwaaRole], names.stagingManifestsPrefix);
    this.glue.grantRun(mwaaRole);
    this.warehouse.grantRunQueries(mwaaRole);
    this.topic.grantPublish(mwaaRole);

    // ---- event-driven trigger (docs/event-trigger.md): A's marker events -> bus -> queue -> Lambda -> MWAA
    this.triggerEvents = new PipelineEventBus(this, 'TriggerEvents', { names, encryptionKey: this.key });
    this.trigger = new TriggerFunction(this, 'Trigger', {
      names,
      encryptionKey: this.key,
      events: this.triggerEvents,
      packagePath: requireFile(path.join(root, 'dist', 'trigger', 'trigger.zip'), TRIGGER_PACKAGE_HINT),
      vpcId: this.network.mwaaVpc.vpcId,
      subnetIds: this.network.mwaaSubnetIds,
      endpointSecurityGroupId: this.network.endpointSecurityGroupId,
      logRetentionDays: env.retention.logRetentionDays,
    });

    // ---- the DAG's one Airflow variable (docs/data-contract.md), in Secrets Manager
    const sourceKeyArn = new TerraformVariable(this, 'source_data_key_arn', {
      type: 'string',
      default: '',
      description: `ARN of account A's data key (output data_key_arn of ${names.stackName('source')}); UNLOAD encrypts with it. Empty writes the alias ARN.`,
    });
    const pipelineSecret = new SecretsmanagerSecret(this, 'PipelineVariable', {
      name: names.pipelineVariableSecret,
      description: `xetl ${env.name}: the xetl_pipeline Airflow variable (names only, no credentials)`,
      kmsKeyId: this.key.keyArn,
      recoveryWindowInDays: env.allowDestroyData ? 0 : 30,
    });
    new SecretsmanagerSecretVersion(this, 'PipelineVariableValue', {
      secretId: pipelineSecret.id,
      secretString: JSON.stringify(pipelineVariable(names, env, {
        redshiftSecretArn: this.warehouse.adminSecretArn,
        snsTopicArn: this.topic.topicArn,
        targetKmsKeyArn: Fn.coalesce([sourceKeyArn.stringValue, names.dataKeyAliasArn]),
      })),
    });

    new TerraformOutput(this, 'workgroup_endpoint', { value: this.warehouse.endpointAddress });
    new TerraformOutput(this, 'redshift_admin_secret_arn', { value: this.warehouse.adminSecretArn });
    new TerraformOutput(this, 'pipeline_variable_secret_arn', { value: pipelineSecret.arn });
    new TerraformOutput(this, 'mwaa_webserver_url', { value: this.airflow.webserverUrl });
    new TerraformOutput(this, 'staging_bucket', { value: names.stagingBucket });
    new TerraformOutput(this, 'analytics_key_arn', { value: this.key.keyArn });
    new TerraformOutput(this, 'trigger_queue_url', { value: this.triggerEvents.queueUrl });
    new TerraformOutput(this, 'trigger_dlq_url', { value: this.triggerEvents.deadLetterQueueUrl });
  }
}
