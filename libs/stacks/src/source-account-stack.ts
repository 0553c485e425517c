import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import type { EnvironmentConfig } from '@xetl/config';
import { AccessLogBucket, DataKey, ExternalRole, SecureBucket, SourceEventForwarder, UnloadRole } from '@xetl/constructs';
import { XetlStack } from './xetl-stack';

/**
 * Account A: the source and target buckets, their key and access logs, and the unload role that
 * Redshift in account B chains into. Account B's roles are named from config, never looked up,
 * so this stack deploys before or after the analytics stack.
 */
export class SourceAccountStack extends XetlStack {
  readonly dataKey: DataKey;
  readonly sourceBucket: SecureBucket;
  readonly targetBucket: SecureBucket;
  readonly unloadRole: UnloadRole;
  readonly markerForwarder: SourceEventForwarder;

  constructor(scope: Construct, env: EnvironmentConfig) {
    super(scope, env, 'source');
    const names = this.names;
    const analyticsRoot = names.accountRootArn('analytics');
    const glueRole = new ExternalRole(names.glueRoleArn, analyticsRoot);
    const mwaaRole = new ExternalRole(names.mwaaRoleArn, analyticsRoot);

    this.dataKey = new DataKey(this, 'DataKey', {
      alias: names.dataKeyAlias,
      description: `xetl ${env.name}: encrypts the source and target buckets`,
      accountId: this.accountId,
      partition: names.partition,
      deletionWindowDays: env.allowDestroyData ? 7 : 30,
    });
    const accessLogs = new AccessLogBucket(this, 'AccessLogs', {
      bucketName: names.sourceAccessLogBucket,
      accountId: this.accountId,
      retentionDays: env.retention.accessLogDays,
      allowDestroy: env.allowDestroyData,
    });
    const bucketDefaults = {
      region: env.region,
      encryptionKey: this.dataKey,
      accessLogs,
      noncurrentVersionDays: env.retention.noncurrentVersionDays,
      transitionToInfrequentAccessDays: env.retention.transitionToInfrequentAccessDays,
      allowDestroy: env.allowDestroyData,
    };
    // Object events go to EventBridge; the marker rule below forwards completed drops to account B.
    // Its object events reach EventBridge like every bucket's; the event trigger's rule picks the markers.
    this.sourceBucket = new SecureBucket(this, 'Source', { bucketName: names.sourceBucket, ...bucketDefaults });
    this.targetBucket = new SecureBucket(this, 'Target', { bucketName: names.targetBucket, ...bucketDefaults });

    this.unloadRole = new UnloadRole(this, 'Unload', { names });

    const partitionRoot = `${names.productsPrefix}/`;
    // Glue's crawler and job read the raw feed; MWAA's sensor lists it. Nothing else crosses over.
    this.sourceBucket.grantRead([glueRole, mwaaRole], partitionRoot);
    this.targetBucket.grantWrite([this.unloadRole], partitionRoot);
    this.targetBucket.restrictWritesTo([this.unloadRole], partitionRoot);

    // Event-driven trigger (docs/event-trigger.md): marker events -> account B's pipeline bus.
    this.markerForwarder = new SourceEventForwarder(this, 'MarkerForwarder', { names, encryptionKey: this.dataKey });

    new TerraformOutput(this, 'source_bucket', { value: names.sourceBucket });
    new TerraformOutput(this, 'target_bucket', { value: names.targetBucket });
    new TerraformOutput(this, 'data_key_arn', { value: this.dataKey.keyArn });
    new TerraformOutput(this, 'unload_role_arn', { value: this.unloadRole.roleArn });
    new TerraformOutput(this, 'marker_forward_dlq_url', { value: this.markerForwarder.deadLetterQueueUrl });
  }
}
