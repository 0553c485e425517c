import { Construct } from 'constructs';
import { ScopedRole } from '../iam/scoped-role';
import { GLUE_LOG_ACTIONS } from './glue-actions';
import type { GlueRoleProps } from './glue-role-props';

/**
 * The role Glue's crawler and job run as: trusted by Glue for this account only, allowed to write
 * Glue's own log groups and metrics. Everything else it may touch is granted by the resources
 * (buckets, key, catalog database, security configuration).
 *
 * @example
 * const role = new GlueRole(this, 'GlueRole', { names });
 * source.grantRead(role, 'products/');
 */
export class GlueRole extends ScopedRole {
  constructor(scope: Construct, id: string, props: GlueRoleProps) {
    const { names } = props;
    const region = names.env.region;
    const account = names.accountId('analytics');
    super(scope, id, {
      roleName: names.glueRoleName,
      accountId: account,
      partition: names.partition,
      description: `xetl ${names.env.name}: the Glue crawler and ETL job read account ${names.accountId('source')}'s feed and write staging`,
      trustedServices: ['glue.amazonaws.com'],
      serviceTrustConditions: { StringEquals: { 'aws:SourceAccount': account } },
    });
    const logGroups = `arn:${names.partition}:logs:${region}:${account}:log-group:${names.glueLogGroupPrefix}*`;
    this.addToPrincipalPolicy({ Sid: 'OwnLogs', Effect: 'Allow', Action: [...GLUE_LOG_ACTIONS], Resource: [logGroups, `${logGroups}:*`] });
    this.addToPrincipalPolicy({
      // PutMetricData has no resource type; the namespace condition keeps it to Glue's metrics.
      Sid: 'JobMetrics', Effect: 'Allow', Action: ['cloudwatch:PutMetricData'], Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': 'Glue' } },
    });
  }
}
