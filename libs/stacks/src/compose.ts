import type { App } from 'cdktf';
import type { EnvironmentConfig, XetlConfig } from '@xetl/config';
import { selectEnvironment } from '@xetl/config';
import { AnalyticsAccountStack } from './analytics-account-stack';
import { BootstrapStack } from './bootstrap-stack';
import { SourceAccountStack } from './source-account-stack';

/** The environments to synthesize: all, or only the named one (unknown names throw). */
export function environmentsToSynth(config: XetlConfig, onlyEnvironment?: string): readonly EnvironmentConfig[] {
  return onlyEnvironment ? [selectEnvironment(config, onlyEnvironment)] : config.environments;
}

/**
 * Adds one stack per account for each environment, and for environments with `cicd` one
 * bootstrap stack per account (docs/ci-cd.md). `XETL_BOOTSTRAP_BACKEND=s3` gives the bootstrap
 * stacks the S3 backend they migrate to after their first, local-state apply.
 */
export function addEnvironmentStacks(app: App, envs: readonly EnvironmentConfig[]): void {
  const backend = process.env.XETL_BOOTSTRAP_BACKEND === 's3' ? 's3' : 'local';
  for (const env of envs) {
    new SourceAccountStack(app, env);
    new AnalyticsAccountStack(app, env);
    if (env.cicd) {
      new BootstrapStack(app, env, 'source', { backend });
      new BootstrapStack(app, env, 'analytics', { backend });
    }
  }
}
