import { defaultLockTable, defaultStateBucket } from './naming';
import type { ChatConfig, ChatInput, CicdConfig, CicdInput, EnvironmentConfig, EnvironmentInput, StateBackendInput } from './types';

/** Every default in one place; `types.ts` documents why each is what it is. */
export const DEFAULTS = {
  namePrefix: 'xetl',
  network: { mwaaVpcCidr: '10.20.0.0/16', redshiftVpcCidr: '10.30.0.0/16', endpointAzs: 2 },
  redshift: { baseCapacity: 8, maxCapacity: 32, databaseName: 'dev', dailyRpuHoursLimit: 48, rpuLimitBreachAction: 'log' },
  mwaa: {
    environmentClass: 'mw1.small', airflowVersion: '3.0.6', minWorkers: 1, maxWorkers: 2,
    logLevels: { dagProcessing: 'WARNING', scheduler: 'INFO', task: 'INFO', webserver: 'WARNING', worker: 'INFO' },
  },
  glue: { workerType: 'G.1X', numberOfWorkers: 2, executionClass: 'STANDARD', timeoutMinutes: 60 },
  retention: { noncurrentVersionDays: 30, logRetentionDays: 90, accessLogDays: 365, glueTempDays: 7, quarantineDays: 90 },
  airflow: { secretsPrefix: 'airflow', sensorTimeoutSeconds: 6 * 3600, maxQuarantineRatio: 0.2, unloadTemplate: 'unload_partition' },
  stateKeyPrefix: 'xetl',
  cicdDeployBranch: 'main',
} as const;

/** One account's state backend: what the config names, the rest derived (naming.ts). */
function backend(input: StateBackendInput | undefined, namePrefix: string, account: string, envRegion: string): Required<StateBackendInput> {
  const region = input?.region ?? envRegion;
  return {
    bucket: input?.bucket ?? defaultStateBucket(namePrefix, account, region),
    dynamodbTable: input?.dynamodbTable ?? defaultLockTable(namePrefix),
    region,
    keyPrefix: input?.keyPrefix ?? DEFAULTS.stateKeyPrefix,
  };
}

/**
 * Until validation has seen every environment, each one is assumed to create its own shared
 * resources; `validateConfig` then hands each account's to the first environment that uses it.
 */
function cicd(input: CicdInput | undefined, name: string): CicdConfig | undefined {
  if (!input) return undefined;
  const all = { stateBucket: true, lockTable: true, oidcProvider: true };
  return {
    githubRepository: input.githubRepository,
    deployBranch: input.deployBranch ?? DEFAULTS.cicdDeployBranch,
    githubEnvironment: input.githubEnvironment ?? name,
    pullRequestPlans: input.pullRequestPlans ?? false,
    creates: { source: all, analytics: all },
  };
}

/**
 * The chat block as the stack reads it: a platform appears when any of its IDs is given (validation
 * then requires the rest), so a half-written block is reported, never silently dropped.
 */
function chat(input: ChatInput | undefined): ChatConfig | undefined {
  if (!input) return undefined;
  const given = (...values: (string | undefined)[]) => values.some((v) => v !== undefined);
  return {
    ...(given(input.slackTeamId, input.slackChannelId)
      ? { slack: { teamId: input.slackTeamId as string, channelId: input.slackChannelId as string } }
      : {}),
    ...(given(input.teamsTenantId, input.teamsTeamId, input.teamsChannelId)
      ? { teams: { tenantId: input.teamsTenantId as string, teamId: input.teamsTeamId as string, channelId: input.teamsChannelId as string } }
      : {}),
  };
}

/** Fills every optional field. Never overrides a value the user set (`??`, not `||`). */
export function applyDefaults(name: string, raw: EnvironmentInput): EnvironmentConfig {
  const region = raw.region;
  const namePrefix = raw.namePrefix ?? DEFAULTS.namePrefix;
  const localOnly = raw.localOnly ?? false;
  const accounts = { source: raw.accounts?.source, analytics: raw.accounts?.analytics } as EnvironmentConfig['accounts'];
  return {
    name,
    region,
    accounts,
    namePrefix,
    network: { ...DEFAULTS.network, ...stripUndefined(raw.network) },
    redshift: { ...DEFAULTS.redshift, ...stripUndefined(raw.redshift) },
    // Log levels merge per type: setting one level keeps the others' defaults.
    mwaa: { ...DEFAULTS.mwaa, ...stripUndefined(raw.mwaa), logLevels: { ...DEFAULTS.mwaa.logLevels, ...stripUndefined(raw.mwaa?.logLevels) } },
    glue: { ...DEFAULTS.glue, ...stripUndefined(raw.glue) },
    retention: { ...DEFAULTS.retention, ...stripUndefined(raw.retention) },
    notifications: {
      emails: raw.notifications?.emails ?? [],
      ...(raw.notifications?.chat ? { chat: chat(raw.notifications.chat) } : {}),
    },
    airflow: { ...DEFAULTS.airflow, ...stripUndefined(raw.airflow) },
    // Deployed environments always keep remote state; emulator-only ones keep theirs locally.
    state: localOnly && !raw.state
      ? undefined
      : {
        source: backend(raw.state?.source, namePrefix, accounts.source, region),
        analytics: backend(raw.state?.analytics, namePrefix, accounts.analytics, region),
      },
    cicd: cicd(raw.cicd, name),
    allowDestroyData: raw.allowDestroyData ?? false,
    localOnly,
    parkable: raw.parkable ?? false,
    // Until validation has seen every environment (assignAccountSettings in validate.ts).
    ownsAccountSettings: true,
  };
}

function stripUndefined<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
