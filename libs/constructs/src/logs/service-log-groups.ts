import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { DataKey } from '../storage/data-key';

export interface ServiceLogGroupsProps {
  /** The exact names the service writes to. */
  readonly logGroupNames: readonly string[];
  /** Days the logs are kept (`retention.logRetentionDays`). */
  readonly retentionDays: number;
  /** Key that encrypts them; its policy must admit `logs.<region>.amazonaws.com` (the stack does). */
  readonly encryptionKey: DataKey;
}

/**
 * The log groups a service (MWAA, Glue, Redshift Serverless) would otherwise create itself, with no
 * retention and no customer-managed key: created first, under the names it writes to, so it finds
 * them and only adds streams. The service's resource must depend on `groups`.
 *
 * @example
 * const logs = new ServiceLogGroups(this, 'Logs', { logGroupNames: names.mwaaLogGroups, retentionDays: 90, encryptionKey: key });
 * new MwaaEnvironment(this, 'Environment', { ..., dependsOn: logs.groups });
 */
export class ServiceLogGroups extends Construct {
  readonly groups: CloudwatchLogGroup[];

  constructor(scope: Construct, id: string, props: ServiceLogGroupsProps) {
    super(scope, id);
    this.groups = props.logGroupNames.map((name) => new CloudwatchLogGroup(this, name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, ''), {
      name,
      retentionInDays: props.retentionDays,
      kmsKeyId: props.encryptionKey.keyArn,
    }));
  }
}
