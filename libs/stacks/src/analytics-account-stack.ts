import * as path from 'node:path';
import { Construct } from 'constructs';
import { Fn, TerraformOutput, TerraformVariable } from 'cdktf';
import type { EnvironmentConfig } from '@xetl/config';
import {
  AccessLogBucket, AirflowEnvironment, AnalyticsNetwork, BucketAssets, ChatChannels, DataKey, ExternalBucket, FeedCrawler, FeedJob,
  GlueRole, GlueSecurityConfig, KMS_ENCRYPT_DECRYPT_ACTIONS, ParkSwitch, PipelineEventBus, PipelineTopic, PipelineVariableSecret,
  SQL_MIGRATIONS, SecureBucket, ServerlessWarehouse, TriggerFunction, TriggerQueue, airflowDagFiles, dbtStageFiles, allowListedFiles, requireFile,
} from '@xetl/constructs';
import { glueLibraryZip, glueTransformJar, triggerZip } from './pipeline-packages';
import { XetlStack } from './xetl-stack';

export interface AnalyticsAccountStackOptions {
  /**
   * Repository root holding `dags/`, `glue-scripts/`, `sql/` and `apps/trigger/`.
   * @default the root of this checkout — tests pass a fixture instead.
   */
  readonly repoRoot?: string;
}


/**
 * Account B: private networking, Redshift Serverless, Glue, MWAA, the pipeline's variable and
 * topic, the event trigger, and the pipeline code (DAG bundle, Glue script and library, SQL
 * migrations) uploaded as S3 objects, so a changed file is a plan diff of this stack. Account A's
 * names come from `Naming`, never from A's state, so the two stacks deploy in any order.
 * Composition only: every resource lives in a construct. See docs/analytics-account.md.
 */
export class AnalyticsAccountStack extends XetlStack {
  readonly key: DataKey;
  readonly network: AnalyticsNetwork;
  readonly warehouse: ServerlessWarehouse;
  readonly crawler: FeedCrawler;
  readonly job: FeedJob;
  readonly airflow: AirflowEnvironment;
  readonly topic: PipelineTopic;
  /** Only when `notifications.chat` names a channel. */
  readonly chat?: ChatChannels;
  readonly triggerQueue: TriggerQueue;
  readonly triggerEvents: PipelineEventBus;
  readonly trigger: TriggerFunction;
  /** The park switch of a `parkable` environment (docs/cost.md); undefined for the others. */
  readonly park?: ParkSwitch;

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

    // ---- buckets: B's own, and A's source bucket by name
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
      // Glue's scratch space and the quarantined rows are not kept for ever.
      expirePrefixes: {
        [names.stagingGlueTempPrefix]: env.retention.glueTempDays,
        [names.stagingQuarantinePrefix]: env.retention.quarantineDays,
      },
    });
    const assetsBucket = new SecureBucket(this, 'Assets', { bucketName: names.assetsBucket, ...bucketDefaults });
    const airflowBucket = new SecureBucket(this, 'AirflowBucket', { bucketName: names.airflowBucket, ...bucketDefaults });
    const source = new ExternalBucket(this, 'Source', {
      bucketName: names.sourceBucket, region, partition: names.partition, keyArnPattern: names.dataKeyArnPattern,
    });

    // ---- pipeline code, uploaded with content hashes, each object after its bucket's versioning
    // The dbt stage's files (packaged project, plugins.zip, startup script) for every environment
    // that deploys to AWS; a localOnly environment's account B is never deployed (the local run
    // stands in for it), so it synthesizes without them and needs no `nx run dbt:package`.
    const mwaaKeys = { plugins: names.airflowPluginsKey, startupScript: names.airflowStartupScriptKey };
    const dbtStage = env.localOnly ? [] : dbtStageFiles(root, names.airflowDagsPrefix, mwaaKeys);
    const dags = new BucketAssets(this, 'DagAssets', {
      bucketId: airflowBucket.bucketId, kmsKeyArn: this.key.keyArn, dependsOn: [airflowBucket.versioning],
      files: [...airflowDagFiles(root, names.airflowDagsPrefix), ...dbtStage],
    });
    const version = (key: string) => ({ key, objectVersion: dags.objects[key].versionId });
    // The Glue job's jar (`nx run glue-scripts:jar`), likewise built and shipped for AWS environments only.
    const glueJar = env.localOnly ? [] : [{ path: glueTransformJar(root), key: names.glueJarKey }];
    new BucketAssets(this, 'PipelineAssets', {
      bucketId: assetsBucket.bucketId, kmsKeyArn: this.key.keyArn, dependsOn: [assetsBucket.versioning],
      files: [
        { path: requireFile(path.join(root, names.glueScriptKey), 'the Glue job entry point is missing'), key: names.glueScriptKey },
        { path: glueLibraryZip(root), key: names.glueLibraryKey },
        ...glueJar,
        ...allowListedFiles(root, SQL_MIGRATIONS, names.sqlAssetsPrefix),
      ],
    });

    // ---- parking: a parkable environment deletes MWAA and the interface endpoints while parked
    // (`xetl park`), keeps everything that holds data or state, and pauses the trigger.
    this.park = env.parkable ? new ParkSwitch(this, 'Park', { names }) : undefined;
    const park = this.park;

    // ---- network, warehouse, Glue, topic, Airflow
    this.network = new AnalyticsNetwork(this, 'Network', { names, encryptionKey: this.key, logRetentionDays: env.retention.logRetentionDays, park });
    this.warehouse = new ServerlessWarehouse(this, 'Warehouse', {
      names,
      encryptionKey: this.key,
      subnetIds: this.network.redshiftSubnetIds,
      securityGroupIds: [this.network.redshiftSecurityGroupId],
      baseCapacity: env.redshift.baseCapacity,
      maxCapacity: env.redshift.maxCapacity,
      databaseName: env.redshift.databaseName,
      logRetentionDays: env.retention.logRetentionDays,
      usageLimit: { dailyRpuHours: env.redshift.dailyRpuHoursLimit, breachAction: env.redshift.rpuLimitBreachAction },
    });
    staging.grantRead([this.warehouse.role], names.stagingCuratedPrefix);

    const glueRole = new GlueRole(this, 'GlueRole', { names });
    const glueSecurity = new GlueSecurityConfig(this, 'GlueSecurity', {
      names, encryptionKey: this.key, role: glueRole, logRetentionDays: env.retention.logRetentionDays,
    });
    this.crawler = new FeedCrawler(this, 'Crawler', { names, role: glueRole, securityConfiguration: glueSecurity });
    this.job = new FeedJob(this, 'Job', {
      names, role: glueRole, securityConfiguration: glueSecurity, stagingBucket: staging, assetsBucket, glue: env.glue,
    });
    source.grantRead(glueRole, `${names.productsPrefix}/`);

    this.topic = new PipelineTopic(this, 'Topic', {
      topicName: names.pipelineTopic, region, encryptionKey: this.key, emails: env.notifications.emails,
    });

    this.airflow = new AirflowEnvironment(this, 'Airflow', {
      names,
      encryptionKey: this.key,
      sourceBucket: airflowBucket,
      requirementsObjectVersion: dags.objects[names.airflowRequirementsKey].versionId,
      ...(env.localOnly ? {} : { plugins: version(mwaaKeys.plugins), startupScript: version(mwaaKeys.startupScript) }),
      // Cosmos would report usage to Astronomer; a private environment has no route out anyway.
      airflowConfigurationOptions: { 'cosmos.enable_telemetry': 'False' },
      subnetIds: this.network.mwaaSubnetIds,
      securityGroupIds: [this.network.mwaaSecurityGroupId],
      mwaa: env.mwaa,
      logRetentionDays: env.retention.logRetentionDays,
      park,
      dependsOn: this.network.endpoints,
    });
    // What the DAG does: sense the source partition in A, run Glue, run SQL, read the manifest, notify.
    const mwaaRole = this.airflow.role;
    source.grantRead(mwaaRole, `${names.productsPrefix}/`);
    staging.grantRead([mwaaRole], names.stagingManifestsPrefix);
    this.crawler.grantRun(mwaaRole);
    this.job.grantRun(mwaaRole);
    this.warehouse.grantRunQueries(mwaaRole, { databaseRoles: [names.redshiftPipelineRole] });
    this.topic.grantPublish(mwaaRole);
    // The dbt docs site (publish_dbt_docs), read back by `xetl docs`.
    staging.grantWrite([mwaaRole], names.stagingDbtDocsPrefix);
    const chat = env.notifications.chat;
    if (chat) {
      this.chat = new ChatChannels(this, 'Chat', { names, chat, region, encryptionKey: this.key });
      this.chat.grantPublish(mwaaRole);
    }

    // ---- event-driven trigger (docs/event-trigger.md): A's marker events -> bus -> queue -> Lambda -> MWAA
    this.triggerQueue = new TriggerQueue(this, 'TriggerQueue', { names, encryptionKey: this.key });
    this.triggerEvents = new PipelineEventBus(this, 'TriggerEvents', { names, queue: this.triggerQueue });
    this.trigger = new TriggerFunction(this, 'Trigger', {
      names,
      encryptionKey: this.key,
      queue: this.triggerQueue,
      packagePath: triggerZip(root),
      vpcId: this.network.mwaaVpc.vpcId,
      subnetIds: this.network.mwaaSubnetIds,
      endpointSecurityGroupId: this.network.endpointSecurityGroupId,
      logRetentionDays: env.retention.logRetentionDays,
      park,
      // Queued marker events flow only once MWAA exists (first deploy, unpark).
      mappingDependsOn: [this.airflow.environment],
    });

    // ---- the DAG's one Airflow variable (pipeline contract), in Secrets Manager
    const sourceKeyArn = new TerraformVariable(this, 'source_data_key_arn', {
      type: 'string',
      default: '',
      description: `ARN of account A's data key (output data_key_arn of ${names.stackName('source')}); UNLOAD encrypts with it. Empty writes the alias ARN, which lets this stack deploy before account A's, but the DAG's first task refuses to run until the stack is deployed again with the key's ARN.`,
    });
    const variable = new PipelineVariableSecret(this, 'PipelineVariable', {
      names,
      encryptionKey: this.key,
      recoveryWindowDays: env.allowDestroyData ? 0 : 30,
      runtime: {
        snsTopicArn: this.topic.topicArn,
        redshiftEndpoint: this.warehouse.endpointAddress,
        targetKmsKeyArn: Fn.coalesce([sourceKeyArn.stringValue, names.dataKeyAliasArn]),
        chatTopicArn: this.chat?.topicArn ?? '',
        // MWAA's API documents the webserver as a host name: link to it over HTTPS either way. A
        // parked environment has none: "" stays "" (the contract allows it; no run link then).
        airflowUrl: Fn.replace(this.airflow.webserverUrl, '/^(?:https://)?(.+)$/', 'https://$1'),
      },
    });

    new TerraformOutput(this, 'workgroup_endpoint', { value: this.warehouse.endpointAddress });
    new TerraformOutput(this, 'redshift_admin_secret_arn', { value: this.warehouse.adminSecretArn });
    new TerraformOutput(this, 'pipeline_variable_secret_arn', { value: variable.secretArn });
    new TerraformOutput(this, 'mwaa_webserver_url', { value: this.airflow.webserverUrl });
    if (park) new TerraformOutput(this, 'parked', { value: park.parked.asBoolean, description: `${names.parkParameter} at the last apply` });
    new TerraformOutput(this, 'staging_bucket', { value: names.stagingBucket });
    new TerraformOutput(this, 'analytics_key_arn', { value: this.key.keyArn });
    new TerraformOutput(this, 'trigger_queue_url', { value: this.triggerQueue.queueUrl });
    new TerraformOutput(this, 'trigger_dlq_url', { value: this.triggerQueue.deadLetterQueueUrl });
  }
}
