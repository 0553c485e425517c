/**
 * xetl's one config file: every environment's accounts, region and sizing.
 * Validated before anything is synthesized; see docs/configuration.md for every field and its default.
 * Replace the example account IDs with yours. Each account's Terraform state bucket and lock table
 * default to `xetl-tfstate-<account>-<region>` and `xetl-tfstate-lock`; `state` overrides them.
 */
import { defineConfig } from './libs/config/src/types';

export default defineConfig({
  environments: {
    // Runs only against the local emulator (`npm run local`); never deployed to AWS.
    // 123456789012 is the emulator's default account; A = B as in a one-account setup.
    local: {
      region: 'us-east-1',
      accounts: { source: '123456789012', analytics: '123456789012' },
      localOnly: true,
      allowDestroyData: true,
      retention: { noncurrentVersionDays: 1, logRetentionDays: 7, accessLogDays: 7 },
      // A local drop is complete when the DAG starts: a minute is plenty.
      airflow: { sensorTimeoutSeconds: 60 },
    },
    // Cheap by default (docs/cost.md, "A cheap dev"): each choice below trades availability or
    // history for money; `xetl park --env dev` deletes MWAA and the endpoints while nobody works.
    dev: {
      region: 'eu-west-1',
      accounts: { source: '111111111111', analytics: '222222222222' },
      network: { endpointAzs: 1 },
      redshift: { dailyRpuHoursLimit: 12, rpuLimitBreachAction: 'deactivate' },
      mwaa: {
        environmentClass: 'mw1.micro', maxWorkers: 1,
        logLevels: { dagProcessing: 'WARNING', scheduler: 'WARNING', task: 'INFO', webserver: 'WARNING', worker: 'WARNING' },
      },
      glue: { executionClass: 'FLEX' },
      parkable: true,
      allowDestroyData: true,
      retention: { noncurrentVersionDays: 7, logRetentionDays: 30 },
      notifications: { emails: ['data-team@example.com'] },
      // GitHub Actions plans on pull requests (dev only) and deploys on merge (docs/ci-cd.md).
      cicd: { githubRepository: 'example-org/xetl', pullRequestPlans: true },
    },
    stage: {
      region: 'eu-west-1',
      accounts: { source: '111111111111', analytics: '333333333333' },
      network: { mwaaVpcCidr: '10.40.0.0/16', redshiftVpcCidr: '10.41.0.0/16' },
      notifications: { emails: ['data-team@example.com'] },
      cicd: { githubRepository: 'example-org/xetl' },
    },
    prod: {
      region: 'eu-west-1',
      accounts: { source: '444444444444', analytics: '555555555555' },
      network: { mwaaVpcCidr: '10.60.0.0/16', redshiftVpcCidr: '10.61.0.0/16' },
      redshift: { baseCapacity: 16, maxCapacity: 64 },
      mwaa: { environmentClass: 'mw1.medium', minWorkers: 1, maxWorkers: 4 },
      glue: { numberOfWorkers: 4 },
      retention: { noncurrentVersionDays: 90, logRetentionDays: 365, transitionToInfrequentAccessDays: 90 },
      notifications: { emails: ['data-oncall@example.com'] },
      cicd: { githubRepository: 'example-org/xetl' },
    },
  },
});
