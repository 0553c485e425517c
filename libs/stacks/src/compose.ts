import type { App } from 'cdktf';
import type { EnvironmentConfig, XetlConfig } from '@xetl/config';
import { selectEnvironment } from '@xetl/config';
import { AnalyticsAccountStack } from './analytics-account-stack';
import { SourceAccountStack } from './source-account-stack';

/** The environments to synthesize: all, or only the named one (unknown names throw). */
export function environmentsToSynth(config: XetlConfig, onlyEnvironment?: string): readonly EnvironmentConfig[] {
  return onlyEnvironment ? [selectEnvironment(config, onlyEnvironment)] : config.environments;
}

/** Adds one stack per account for each environment. */
export function addEnvironmentStacks(app: App, envs: readonly EnvironmentConfig[]): void {
  for (const env of envs) {
    new SourceAccountStack(app, env);
    new AnalyticsAccountStack(app, env);
  }
}
