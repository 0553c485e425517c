import { applyDefaults } from './defaults';
import { parseCidr, cidrsOverlap, isPrivateCidr } from './cidr';
import { Naming } from './naming';
import { MWAA_LOG_TYPES, type CicdSharedResources, type EnvironmentConfig, type EnvironmentInput, type XetlConfig } from './types';

/** One problem in the config, with the dotted path of the field it concerns. */
export interface ConfigProblem {
  readonly field: string;
  readonly message: string;
}

/** Thrown before anything is synthesized; each line names one field. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map((p) => `xetl config: ${p.field}: ${p.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}

const ENV_NAME = /^[a-z][a-z0-9]{1,9}$/;
/** The UNLOAD query templates of sql/xetl_sql/queries the DAG can publish with. */
const UNLOAD_TEMPLATES = ['unload_partition', 'unload_daily_category_summary'] as const;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
/** What an AWS region name looks like (the CLI's `--region` is checked with it too). */
export const AWS_REGION_PATTERN = REGION;
const ACCOUNT_ID = /^\d{12}$/;
const NAME_PREFIX = /^[a-z][a-z0-9-]{0,10}[a-z0-9]$/;
const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const AIRFLOW_VERSION = /^\d+\.\d+\.\d+$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// The chat IDs as Amazon Q Developer in chat applications (AWS Chatbot) accepts them (its API reference).
const SLACK_TEAM_ID = /^[0-9A-Z]{1,255}$/;
const SLACK_CHANNEL_ID = /^[A-Za-z0-9]{1,255}$/;
const UUID = /^[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$/;
const TEAMS_CHANNEL_ID = /^(?=.{1,255}$)[A-Za-z0-9\-_=+/.,]*%3[aA][A-Za-z0-9\-_=+/.,]*%40[A-Za-z0-9\-_=+/.,]*$/;
const SECRETS_PREFIX = /^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*$/;
const S3_BUCKET = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const DYNAMODB_TABLE = /^[A-Za-z0-9_.-]{3,255}$/;
/** GitHub owner (1-39 of letters, digits, '-') and repository (letters, digits, '.', '_', '-'). */
const GITHUB_REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/;
/** A plain branch name: no wildcards, no "..", no leading/trailing "/" or ".", as the OIDC `sub` pins it literally. */
const GIT_BRANCH = /^(?!.*\.\.)(?!.*\/\/)(?![./])[A-Za-z0-9._\/-]{1,200}(?<![./])$/;
/** GitHub environment names: letters, digits, '.', '_', '-' (no ':' or wildcard, which would widen the `sub` pin). */
const GITHUB_ENVIRONMENT = /^[A-Za-z0-9._-]{1,255}$/;
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
const MWAA_CLASSES = ['mw1.micro', 'mw1.small', 'mw1.medium', 'mw1.large', 'mw1.xlarge', 'mw1.2xlarge'];
const MWAA_LOG_LEVELS = ['CRITICAL', 'ERROR', 'WARNING', 'INFO', 'DEBUG'];
/** What Redshift Serverless may do when a usage limit is reached (`aws_redshiftserverless_usage_limit.breach_action`). */
const RPU_LIMIT_BREACH_ACTIONS = ['log', 'emit-metric', 'deactivate'];
const GLUE_WORKER_TYPES = ['G.025X', 'G.1X', 'G.2X', 'G.4X', 'G.8X'];

/** Allowed keys per object path; anything else is a typo the user wants to hear about. */
const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': ['environments'],
  env: [
    'region', 'accounts', 'namePrefix', 'network', 'redshift', 'mwaa', 'glue', 'retention',
    'notifications', 'airflow', 'state', 'cicd', 'allowDestroyData', 'localOnly', 'parkable',
  ],
  'env.accounts': ['source', 'analytics'],
  'env.network': ['mwaaVpcCidr', 'redshiftVpcCidr', 'endpointAzs'],
  'env.redshift': ['baseCapacity', 'maxCapacity', 'databaseName', 'dailyRpuHoursLimit', 'rpuLimitBreachAction'],
  'env.mwaa': ['environmentClass', 'airflowVersion', 'minWorkers', 'maxWorkers', 'logLevels'],
  'env.mwaa.logLevels': [...MWAA_LOG_TYPES],
  'env.glue': ['workerType', 'numberOfWorkers', 'executionClass', 'timeoutMinutes'],
  'env.retention': ['noncurrentVersionDays', 'transitionToInfrequentAccessDays', 'logRetentionDays', 'accessLogDays', 'glueTempDays', 'quarantineDays'],
  'env.notifications': ['emails', 'chat'],
  'env.notifications.chat': ['slackTeamId', 'slackChannelId', 'teamsTenantId', 'teamsTeamId', 'teamsChannelId'],
  'env.airflow': ['secretsPrefix', 'sensorTimeoutSeconds', 'maxQuarantineRatio', 'unloadTemplate'],
  'env.state': ['source', 'analytics'],
  'env.state.backend': ['bucket', 'dynamodbTable', 'region', 'keyPrefix'],
  'env.cicd': ['githubRepository', 'deployBranch', 'githubEnvironment', 'pullRequestPlans'],
};

class Collector {
  readonly problems: ConfigProblem[] = [];

  add(field: string, message: string): void {
    this.problems.push({ field, message });
  }

  /** Reports keys of `value` not in the known list for `shape`. */
  unknownKeys(value: unknown, shape: string, field: string): void {
    if (!isObject(value)) return;
    const known = KNOWN_KEYS[shape] ?? [];
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) {
        this.add(field ? `${field}.${key}` : key, `unknown setting (expected one of: ${known.join(', ')})`);
      }
    }
  }

  pattern(value: unknown, field: string, re: RegExp, what: string): void {
    if (typeof value !== 'string' || !re.test(value)) {
      this.add(field, `${JSON.stringify(value)} is not ${what}`);
    }
  }

  /** A finite number (not only an integer) within [min, max]. */
  number(value: number, field: string, min: number, max: number): void {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      this.add(field, `${JSON.stringify(value)} is not a number between ${min} and ${max}`);
    }
  }

  integer(value: number, field: string, min: number, max: number): void {
    if (!Number.isInteger(value) || value < min || value > max) {
      this.add(field, `${JSON.stringify(value)} must be a whole number from ${min} to ${max}`);
    }
  }

  oneOf(value: unknown, field: string, allowed: readonly (string | number)[]): void {
    if (!allowed.includes(value as string | number)) {
      this.add(field, `${JSON.stringify(value)} must be one of: ${allowed.join(', ')}`);
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkShape(raw: Record<string, unknown>, field: string, c: Collector): void {
  c.unknownKeys(raw, 'env', field);
  for (const nested of ['accounts', 'network', 'redshift', 'mwaa', 'glue', 'retention', 'notifications', 'airflow', 'state', 'cicd']) {
    const value = raw[nested];
    if (value === undefined) continue;
    if (!isObject(value)) {
      c.add(`${field}.${nested}`, 'must be an object');
      continue;
    }
    c.unknownKeys(value, `env.${nested}`, `${field}.${nested}`);
  }
  const mwaa = raw.mwaa;
  if (isObject(mwaa) && mwaa.logLevels !== undefined) {
    if (isObject(mwaa.logLevels)) c.unknownKeys(mwaa.logLevels, 'env.mwaa.logLevels', `${field}.mwaa.logLevels`);
    else c.add(`${field}.mwaa.logLevels`, 'must be an object such as { scheduler: "WARNING" }');
  }
  const notifications = raw.notifications;
  if (isObject(notifications) && notifications.chat !== undefined) {
    if (!isObject(notifications.chat)) c.add(`${field}.notifications.chat`, 'must be an object');
    else c.unknownKeys(notifications.chat, 'env.notifications.chat', `${field}.notifications.chat`);
  }
  const state = raw.state;
  if (isObject(state)) {
    for (const side of ['source', 'analytics']) {
      c.unknownKeys(state[side], 'env.state.backend', `${field}.state.${side}`);
    }
  }
}

function checkEnvironment(env: EnvironmentConfig, raw: Record<string, unknown>, c: Collector): void {
  const f = `environments.${env.name}`;
  if (!ENV_NAME.test(env.name)) {
    c.add(f, 'environment names are 2-10 lowercase letters or digits, starting with a letter');
  }
  if (raw.region === undefined) c.add(`${f}.region`, 'is required');
  else c.pattern(env.region, `${f}.region`, REGION, 'an AWS region such as "eu-west-1"');
  if (!isObject(raw.accounts)) {
    c.add(`${f}.accounts`, 'is required: { source: "<12-digit id>", analytics: "<12-digit id>" }');
  } else {
    for (const side of ['source', 'analytics'] as const) {
      if (raw.accounts[side] === undefined) c.add(`${f}.accounts.${side}`, 'is required');
      else c.pattern(env.accounts[side], `${f}.accounts.${side}`, ACCOUNT_ID, 'a 12-digit AWS account ID');
    }
  }
  c.pattern(env.namePrefix, `${f}.namePrefix`, NAME_PREFIX, '2-12 lowercase letters, digits or "-", starting with a letter');

  const cidrs = { mwaaVpcCidr: env.network.mwaaVpcCidr, redshiftVpcCidr: env.network.redshiftVpcCidr };
  const parsed: Record<string, ReturnType<typeof parseCidr>> = {};
  for (const [key, cidr] of Object.entries(cidrs)) {
    const field = `${f}.network.${key}`;
    const p = parseCidr(cidr);
    if (!p) {
      c.add(field, `${JSON.stringify(cidr)} is not an IPv4 CIDR block such as "10.20.0.0/16"`);
    } else if (p.prefixLength < 16 || p.prefixLength > 22) {
      c.add(field, `${cidr}: the prefix length must be /16 to /22 (VPC limit /16; /22 leaves room for the subnets)`);
    } else if (!p.aligned) {
      c.add(field, `${cidr}: host bits are set; did you mean ${p.networkCidr}?`);
    } else if (!isPrivateCidr(p)) {
      c.add(field, `${cidr} is not in a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)`);
    } else {
      parsed[key] = p;
    }
  }
  if (parsed.mwaaVpcCidr && parsed.redshiftVpcCidr && cidrsOverlap(parsed.mwaaVpcCidr, parsed.redshiftVpcCidr)) {
    c.add(`${f}.network.redshiftVpcCidr`, `${env.network.redshiftVpcCidr} overlaps mwaaVpcCidr ${env.network.mwaaVpcCidr}; peered VPCs need disjoint ranges`);
  }
  // MWAA needs both of its subnets; the endpoints may use one of them or both.
  c.oneOf(env.network.endpointAzs, `${f}.network.endpointAzs`, [1, 2]);

  const rs = env.redshift;
  if (!(rs.baseCapacity === 4 || (Number.isInteger(rs.baseCapacity) && rs.baseCapacity % 8 === 0 && rs.baseCapacity >= 8 && rs.baseCapacity <= 512))) {
    c.add(`${f}.redshift.baseCapacity`, `${rs.baseCapacity} must be 4 or a multiple of 8 from 8 to 512 RPUs`);
  }
  c.integer(rs.maxCapacity, `${f}.redshift.maxCapacity`, 4, 5632);
  if (rs.maxCapacity < rs.baseCapacity) {
    c.add(`${f}.redshift.maxCapacity`, `${rs.maxCapacity} is below baseCapacity ${rs.baseCapacity}`);
  }
  c.pattern(rs.databaseName, `${f}.redshift.databaseName`, DATABASE_NAME, 'a lowercase database name');
  // A limit above what maxCapacity can use in a day never applies: say so rather than pretend it caps.
  c.integer(rs.dailyRpuHoursLimit, `${f}.redshift.dailyRpuHoursLimit`, 1, Math.max(1, rs.maxCapacity * 24));
  c.oneOf(rs.rpuLimitBreachAction, `${f}.redshift.rpuLimitBreachAction`, RPU_LIMIT_BREACH_ACTIONS);

  c.oneOf(env.mwaa.environmentClass, `${f}.mwaa.environmentClass`, MWAA_CLASSES);
  c.pattern(env.mwaa.airflowVersion, `${f}.mwaa.airflowVersion`, AIRFLOW_VERSION, 'a version such as "3.0.6"');
  c.integer(env.mwaa.minWorkers, `${f}.mwaa.minWorkers`, 1, 25);
  c.integer(env.mwaa.maxWorkers, `${f}.mwaa.maxWorkers`, 1, 25);
  if (env.mwaa.maxWorkers < env.mwaa.minWorkers) {
    c.add(`${f}.mwaa.maxWorkers`, `${env.mwaa.maxWorkers} is below minWorkers ${env.mwaa.minWorkers}`);
  }
  if (isObject(env.mwaa.logLevels)) {
    for (const type of MWAA_LOG_TYPES) c.oneOf(env.mwaa.logLevels[type], `${f}.mwaa.logLevels.${type}`, MWAA_LOG_LEVELS);
  }

  c.oneOf(env.glue.workerType, `${f}.glue.workerType`, GLUE_WORKER_TYPES);
  c.integer(env.glue.numberOfWorkers, `${f}.glue.numberOfWorkers`, 2, 299);
  c.oneOf(env.glue.executionClass, `${f}.glue.executionClass`, ['STANDARD', 'FLEX']);
  if (env.glue.executionClass === 'FLEX' && !['G.1X', 'G.2X'].includes(env.glue.workerType)) {
    c.add(`${f}.glue.executionClass`, `FLEX runs only on G.1X and G.2X workers, not ${env.glue.workerType}`);
  }
  c.integer(env.glue.timeoutMinutes, `${f}.glue.timeoutMinutes`, 1, 2880);

  c.integer(env.retention.noncurrentVersionDays, `${f}.retention.noncurrentVersionDays`, 1, 3650);
  if (env.retention.transitionToInfrequentAccessDays !== undefined) {
    c.integer(env.retention.transitionToInfrequentAccessDays, `${f}.retention.transitionToInfrequentAccessDays`, 30, 3650);
  }
  c.oneOf(env.retention.logRetentionDays, `${f}.retention.logRetentionDays`, LOG_RETENTION_DAYS);
  c.integer(env.retention.accessLogDays, `${f}.retention.accessLogDays`, 1, 3650);
  c.integer(env.retention.glueTempDays, `${f}.retention.glueTempDays`, 1, 3650);
  c.integer(env.retention.quarantineDays, `${f}.retention.quarantineDays`, 1, 3650);

  if (!Array.isArray(env.notifications.emails)) {
    c.add(`${f}.notifications.emails`, 'must be a list of e-mail addresses');
  } else {
    env.notifications.emails.forEach((email, i) =>
      c.pattern(email, `${f}.notifications.emails[${i}]`, EMAIL, 'an e-mail address'),
    );
  }

  if (env.notifications.chat) checkChat(env.notifications.chat, `${f}.notifications.chat`, c);

  c.pattern(env.airflow.secretsPrefix, `${f}.airflow.secretsPrefix`, SECRETS_PREFIX, 'a Secrets Manager path prefix such as "airflow"');
  c.integer(env.airflow.sensorTimeoutSeconds, `${f}.airflow.sensorTimeoutSeconds`, 60, 7 * 24 * 3600);
  c.number(env.airflow.maxQuarantineRatio, `${f}.airflow.maxQuarantineRatio`, 0, 1);
  c.oneOf(env.airflow.unloadTemplate, `${f}.airflow.unloadTemplate`, UNLOAD_TEMPLATES);

  if (env.state) {
    for (const side of ['source', 'analytics'] as const) {
      const s = env.state[side];
      // Derived names are built from fields checked above; check only what the user wrote, once.
      const rawState = (raw.state as Record<string, Record<string, unknown> | undefined> | undefined)?.[side];
      if (rawState?.bucket !== undefined) c.pattern(s.bucket, `${f}.state.${side}.bucket`, S3_BUCKET, 'a valid S3 bucket name');
      if (rawState?.dynamodbTable !== undefined) c.pattern(s.dynamodbTable, `${f}.state.${side}.dynamodbTable`, DYNAMODB_TABLE, 'a valid DynamoDB table name');
      if (rawState?.region !== undefined) c.pattern(s.region, `${f}.state.${side}.region`, REGION, 'an AWS region');
    }
  }

  if (env.cicd) {
    const cicd = raw.cicd as Record<string, unknown>;
    if (cicd.githubRepository === undefined) c.add(`${f}.cicd.githubRepository`, 'is required: "org/repo", the GitHub repository whose workflows plan and deploy');
    else c.pattern(env.cicd.githubRepository, `${f}.cicd.githubRepository`, GITHUB_REPOSITORY, 'a GitHub repository as "org/repo"');
    c.pattern(env.cicd.deployBranch, `${f}.cicd.deployBranch`, GIT_BRANCH, 'a branch name such as "main" (no wildcards)');
    c.pattern(env.cicd.githubEnvironment, `${f}.cicd.githubEnvironment`, GITHUB_ENVIRONMENT, 'a GitHub environment name (letters, digits, ".", "_", "-")');
    if (typeof env.cicd.pullRequestPlans !== 'boolean') c.add(`${f}.cicd.pullRequestPlans`, `${JSON.stringify(env.cicd.pullRequestPlans)} must be true or false`);
    if (!env.state) c.add(`${f}.cicd`, 'needs state (CI/CD deploys to AWS; emulator-only environments have no remote state)');
  }

  if (typeof env.parkable !== 'boolean') c.add(`${f}.parkable`, `${JSON.stringify(env.parkable)} must be true or false`);
  else if (env.parkable && env.localOnly) c.add(`${f}.parkable`, 'a localOnly environment is never deployed to AWS: there is nothing to park');

  // Derived names must obey the services' rules too; report them against the inputs that form them.
  for (const problem of new Naming(env).problems()) {
    c.add(`${f}.namePrefix`, problem);
  }
}

/** A chat block names at least one platform, each with every ID it needs, in the form Chatbot takes. */
function checkChat(chat: NonNullable<EnvironmentConfig['notifications']['chat']>, f: string, c: Collector): void {
  if (!chat.slack && !chat.teams) {
    c.add(f, 'names no channel: give slackTeamId and slackChannelId, or teamsTenantId, teamsTeamId and teamsChannelId (or remove the block)');
  }
  const id = (value: string | undefined, field: string, re: RegExp, what: string, platform: string) => {
    if (value === undefined) c.add(`${f}.${field}`, `is required with the other ${platform} IDs`);
    else c.pattern(value, `${f}.${field}`, re, what);
  };
  if (chat.slack) {
    id(chat.slack.teamId, 'slackTeamId', SLACK_TEAM_ID, 'a Slack workspace ID such as "T07EA123LEP"', 'Slack');
    id(chat.slack.channelId, 'slackChannelId', SLACK_CHANNEL_ID, 'a Slack channel ID such as "C07EZ1ABC23"', 'Slack');
  }
  if (chat.teams) {
    id(chat.teams.tenantId, 'teamsTenantId', UUID, 'a tenant ID (UUID)', 'Teams');
    id(chat.teams.teamId, 'teamsTeamId', UUID, 'a Teams team ID (UUID)', 'Teams');
    id(chat.teams.channelId, 'teamsChannelId', TEAMS_CHANNEL_ID, 'a URL-encoded Teams channel ID such as "19%3ab6ef35dc%40thread.tacv2"', 'Teams');
  }
}

/**
 * Validates raw config input and returns environments with defaults applied.
 * Throws `ConfigError` listing every problem, each naming its field.
 */
export function validateConfig(input: unknown): XetlConfig {
  const c = new Collector();
  if (!isObject(input)) throw new ConfigError([{ field: '(root)', message: 'the config must export an object with "environments"' }]);
  c.unknownKeys(input, '', '');
  const environments = input.environments;
  if (!isObject(environments) || Object.keys(environments).length === 0) {
    throw new ConfigError([...c.problems, { field: 'environments', message: 'is required and must name at least one environment' }]);
  }
  const resolved: EnvironmentConfig[] = [];
  for (const [name, raw] of Object.entries(environments)) {
    const field = `environments.${name}`;
    if (!isObject(raw)) {
      c.add(field, 'must be an object');
      continue;
    }
    checkShape(raw, field, c);
    const env = applyDefaults(name, raw as unknown as EnvironmentInput);
    checkEnvironment(env, raw, c);
    resolved.push(env);
  }
  checkAcrossEnvironments(resolved, c);
  if (c.problems.length > 0) throw new ConfigError(c.problems);
  return { environments: assignSharedCicdResources(assignAccountSettings(resolved)) };
}

/**
 * An account holds some settings once per region (the Glue Data Catalog's encryption), yet several
 * environments may share an analytics account. The first environment in the config with that
 * account and region manages them; the others leave them alone.
 */
function assignAccountSettings(envs: readonly EnvironmentConfig[]): EnvironmentConfig[] {
  const claimed = new Set<string>();
  return envs.map((env) => {
    const key = `${env.accounts.analytics}/${env.region}`;
    const owns = !claimed.has(key);
    claimed.add(key);
    return { ...env, ownsAccountSettings: owns };
  });
}

/**
 * A state bucket, a lock table and the GitHub OIDC provider exist once per account (the bucket
 * once globally), yet several environments may share an account. The first environment in the
 * config that uses one creates it in its bootstrap stack; the others refer to it by name. Decided
 * over the whole config, so `XETL_ENV=stage` synthesizes the same stacks as a full synth.
 */
function assignSharedCicdResources(envs: readonly EnvironmentConfig[]): EnvironmentConfig[] {
  const claimed = new Set<string>();
  const claim = (key: string) => (claimed.has(key) ? false : (claimed.add(key), true));
  return envs.map((env) => {
    if (!env.cicd || !env.state) return env;
    const state = env.state;
    const side = (s: 'source' | 'analytics'): CicdSharedResources => ({
      stateBucket: claim(`bucket/${state[s].bucket}`),
      lockTable: claim(`table/${env.accounts[s]}/${state[s].region}/${state[s].dynamodbTable}`),
      oidcProvider: claim(`oidc/${env.accounts[s]}`),
    });
    const source = side('source');
    const analytics = side('analytics');
    return { ...env, cicd: { ...env.cicd, creates: { source, analytics } } };
  });
}

/** Environments sharing an account and region must not collide on account-scoped names. */
function checkAcrossEnvironments(envs: readonly EnvironmentConfig[], c: Collector): void {
  const seen = new Map<string, string>();
  for (const env of envs) {
    if (env.localOnly) continue;
    const key = `${env.accounts.analytics}/${env.region}/${env.airflow.secretsPrefix}`;
    const other = seen.get(key);
    if (other) {
      c.add(
        `environments.${env.name}.airflow.secretsPrefix`,
        `"${env.airflow.secretsPrefix}" is already used by environment "${other}" in the same analytics account and region; give one of them its own prefix (e.g. "airflow-${env.name}")`,
      );
    }
    seen.set(key, env.name);
  }
}

/** Picks one environment by name, with an error that lists the known ones. */
export function selectEnvironment(config: XetlConfig, name: string): EnvironmentConfig {
  const env = config.environments.find((e) => e.name === name);
  if (!env) {
    const known = config.environments.map((e) => e.name).join(', ');
    throw new ConfigError([{ field: 'environment', message: `unknown environment "${name}" (known: ${known})` }]);
  }
  return env;
}
