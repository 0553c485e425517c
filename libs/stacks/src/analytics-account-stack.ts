import { Construct } from 'constructs';
import type { EnvironmentConfig } from '@xetl/config';
import { XetlStack } from './xetl-stack';

/**
 * Account B: networking, Redshift Serverless, Glue, MWAA, secrets and pipeline assets.
 * Its place is reserved here so both accounts' stacks synthesize, list and deploy from the
 * first day; the resources arrive with the analytics-stack work (see docs/architecture.md).
 */
export class AnalyticsAccountStack extends XetlStack {
  constructor(scope: Construct, env: EnvironmentConfig) {
    super(scope, env, 'analytics');
  }
}
