import type { App } from 'cdktf';
import type { XetlConfig } from '@xetl/config';
import { selectEnvironment } from '@xetl/config';
import { AnalyticsAccountStack } from './analytics-account-stack';
import { SourceAccountStack } from './source-account-stack';

/**
 * Adds one stack per account for each environment (or only `onlyEnvironment`).
 * Unknown environment names fail here, before any stack exists.
 */
export function addEnvironmentStacks(app: App, config: XetlConfig, onlyEnvironment?: string): void {
  const envs = onlyEnvironment ? [selectEnvironment(config, onlyEnvironment)] : config.environments;
  for (const env of envs) {
    new SourceAccountStack(app, env);
    new AnalyticsAccountStack(app, env);
  }
}
