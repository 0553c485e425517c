/**
 * The shape of `xetl.config.ts`: what a user writes (`XetlConfigInput`) and what every other
 * part of xetl reads after defaults and validation (`EnvironmentConfig`).
 *
 * Every optional input documents its default and why; defaults live in `defaults.ts`.
 */

/** Where Terraform keeps one account's stacks' state; every field has a derived default. */
export interface StateBackendInput {
  /**
   * S3 bucket holding the state (created by the bootstrap stack of that account).
   * @default `<namePrefix>-tfstate-<account>-<state region>` — `defaultStateBucket` in naming.ts
   */
  readonly bucket?: string;
  /** DynamoDB table used for state locking. @default `<namePrefix>-tfstate-lock` */
  readonly dynamodbTable?: string;
  /** Region of the state bucket. @default the environment's region */
  readonly region?: string;
  /** Prefix of the state key; the stack name is appended. @default "xetl" */
  readonly keyPrefix?: string;
}

/** CI/CD from GitHub Actions: who may plan and deploy this environment (docs/ci-cd.md). */
export interface CicdInput {
  /** The GitHub repository whose workflows plan and deploy, as "org/repo". Required. */
  readonly githubRepository: string;
  /** Branch whose pushes CI runs plans for and deploys from. @default "main" */
  readonly deployBranch?: string;
  /**
   * GitHub environment the deploy jobs run in; the deploy role trusts only tokens issued for it
   * (`repo:ORG/REPO:environment:<name>`). @default the xetl environment's name
   */
  readonly githubEnvironment?: string;
  /**
   * Plan this environment on pull requests from branches of the repository: its plan role then
   * also trusts `pull_request` tokens of the plan workflow. Meant for dev only; stage and prod are
   * planned from the deploy branch alone. @default false
   */
  readonly pullRequestPlans?: boolean;
}

/**
 * The chat channels of one environment. The workspace (Slack) or team (Teams) must first be
 * authorized once per account in the Amazon Q Developer in chat applications console, which shows
 * the IDs to copy here. Give the Slack pair, the Teams triple, or both.
 */
export interface ChatInput {
  /** Slack workspace ID (e.g. "T07EA123LEP"), from the console after authorizing the workspace. */
  readonly slackTeamId?: string;
  /** Slack channel ID (e.g. "C07EZ1ABC23"): channel details, at the bottom of the About tab. */
  readonly slackChannelId?: string;
  /** Microsoft Entra tenant ID of the Teams team (a UUID). */
  readonly teamsTenantId?: string;
  /** Microsoft Teams team ID (a UUID), from the console after authorizing the team. */
  readonly teamsTeamId?: string;
  /** Teams channel ID as the console shows it, URL-encoded (e.g. "19%3ab6ef35dc%40thread.tacv2"). */
  readonly teamsChannelId?: string;
}

/** The chat channels after validation: each platform present only when fully configured. */
export interface ChatConfig {
  readonly slack?: { readonly teamId: string; readonly channelId: string };
  readonly teams?: { readonly tenantId: string; readonly teamId: string; readonly channelId: string };
}

export interface EnvironmentInput {
  /** AWS region both accounts deploy to, e.g. "eu-west-1". Required. */
  readonly region: string;
  /** The two accounts. They may be the same account for one-account dev setups. */
  readonly accounts: {
    /** Account A: source and target buckets, KMS key, unload role. */
    readonly source: string;
    /** Account B: Redshift Serverless, Glue, MWAA, networking. */
    readonly analytics: string;
  };
  /**
   * Prefix of every physical name (buckets, roles, workgroup, ...).
   * @default "xetl" — lowercase letters, digits and '-', 2-12 characters, so that derived
   * names stay within S3's 63 and IAM's 64 character limits.
   */
  readonly namePrefix?: string;
  /** The two account B VPCs. They must not overlap (they are peered). */
  readonly network?: {
    /** @default "10.20.0.0/16" */
    readonly mwaaVpcCidr?: string;
    /** @default "10.30.0.0/16" */
    readonly redshiftVpcCidr?: string;
    /**
     * How many availability zones the interface VPC endpoints span: 1 or 2 of the MWAA VPC's two
     * subnets (MWAA itself always needs both). Endpoints bill per AZ-hour, so one AZ halves their
     * cost; MWAA in the other AZ reaches them across AZs (private DNS resolves to the endpoint's
     * addresses, which the VPC routes between its subnets). The trade-off: an outage of that one AZ
     * stops the pipeline (no Airflow component reaches SQS, Logs, ECR, ...) until the AZ returns.
     * @default 2 — an AZ outage leaves the endpoints up in the other AZ (docs/network.md)
     */
    readonly endpointAzs?: 1 | 2;
  };
  readonly redshift?: {
    /** Base capacity in RPUs. @default 8 — the common minimum. */
    readonly baseCapacity?: number;
    /** Upper bound on RPUs, caps cost. @default 32 */
    readonly maxCapacity?: number;
    /** Database the pipeline loads into. @default "dev" — Redshift Serverless' default database. */
    readonly databaseName?: string;
    /**
     * Compute the workgroup may use a day, in RPU-hours (a usage limit on the workgroup, reset daily
     * at 00:00 UTC). It caps what a runaway query or a large backfill costs: one 1M-row run at 8 RPU
     * uses about 0.4 RPU-hours. What happens at the limit is `rpuLimitBreachAction`.
     * @default 48 — 8 RPUs for 6 hours, $18 a day at $0.375 per RPU-hour; about 100 partition runs
     */
    readonly dailyRpuHoursLimit?: number;
    /**
     * What Redshift Serverless does when the day's RPU-hours reach `dailyRpuHoursLimit`: `log`
     * records the breach in a system table, `emit-metric` publishes a CloudWatch metric an alarm
     * can watch, `deactivate` refuses new queries until the next day (the DAG's load, checks, dbt
     * and unload fail until then; `xetl trigger` re-runs them).
     * @default "log" — never stops a run; the limit is a record, not a brake
     */
    readonly rpuLimitBreachAction?: 'log' | 'emit-metric' | 'deactivate';
  };
  readonly mwaa?: {
    /** @default "mw1.small" — the smallest class that runs the pipeline comfortably. */
    readonly environmentClass?: 'mw1.micro' | 'mw1.small' | 'mw1.medium' | 'mw1.large' | 'mw1.xlarge' | 'mw1.2xlarge';
    /** @default "3.0.6" — the Airflow version the DAG is tested on. */
    readonly airflowVersion?: string;
    /** @default 1 */
    readonly minWorkers?: number;
    /** @default 2 */
    readonly maxWorkers?: number;
    /**
     * Level of each of MWAA's five CloudWatch log types. Each type at INFO writes about a GB a
     * month while idle (the scheduler logs every loop); at WARNING a few MB. Task logs are what
     * `xetl logs` and the Airflow UI show for a failed task: keep them at INFO.
     * @default dagProcessing WARNING, scheduler INFO, task INFO, webserver WARNING, worker INFO
     */
    readonly logLevels?: MwaaLogLevelsInput;
  };
  readonly glue?: {
    /** @default "G.1X" */
    readonly workerType?: 'G.025X' | 'G.1X' | 'G.2X' | 'G.4X' | 'G.8X';
    /** @default 2 — the minimum for a Spark job. */
    readonly numberOfWorkers?: number;
    /** FLEX is cheaper for runs that can wait for capacity. @default "STANDARD" */
    readonly executionClass?: 'STANDARD' | 'FLEX';
    /** @default 60 */
    readonly timeoutMinutes?: number;
    // No retry setting: the job never retries itself (max_retries 0); the DAG's task retries own that.
  };
  readonly retention?: {
    /** Days a replaced object version is kept in the data buckets. @default 30 */
    readonly noncurrentVersionDays?: number;
    /** Move current objects to STANDARD_IA after this many days; unset keeps them in STANDARD. @default undefined */
    readonly transitionToInfrequentAccessDays?: number;
    /** CloudWatch Logs retention in days. @default 90 */
    readonly logRetentionDays?: number;
    /** Days server access logs are kept. @default 365 */
    readonly accessLogDays?: number;
    /** Days Glue's scratch files (`glue-temp/` in the staging bucket) are kept. @default 7 */
    readonly glueTempDays?: number;
    /** Days quarantined rows (`quarantine/` in the staging bucket) are kept for inspection. @default 90 */
    readonly quarantineDays?: number;
  };
  readonly notifications?: {
    /** E-mail addresses subscribed to pipeline success/failure. @default [] */
    readonly emails?: readonly string[];
    /**
     * Slack and/or Microsoft Teams channels that get each run's outcome through Amazon Q Developer
     * in chat applications (AWS Chatbot), from a topic of their own (docs/notifications.md).
     * @default unset — no chat channel, no chat topic
     */
    readonly chat?: ChatInput;
  };
  readonly airflow?: {
    /** Prefix of Airflow's secrets in Secrets Manager. @default "airflow" */
    readonly secretsPrefix?: string;
    /**
     * How long the DAG waits for a partition's `_SUCCESS` marker, in seconds. Event-triggered runs
     * start after the marker exists; the wait matters for runs started by hand or by a backfill.
     * @default 21600 (6 h)
     */
    readonly sensorTimeoutSeconds?: number;
    /**
     * The largest share of a partition's rows (0..1) that may be quarantined before the quality gate
     * refuses to publish it. A partition over it usually means a broken feed, not bad luck.
     * @default 0.2
     */
    readonly maxQuarantineRatio?: number;
    /**
     * What the DAG unloads to account A's target bucket: the published table (`unload_partition`,
     * xetl.products) or the dbt mart of the day (`unload_daily_category_summary`). One query
     * template of sql/xetl_sql/queries per choice.
     * @default "unload_partition"
     */
    readonly unloadTemplate?: 'unload_partition' | 'unload_daily_category_summary';
  };
  /**
   * Remote state per account, to override the derived names. Environments deployed to AWS always
   * have remote state; `localOnly` ones never do.
   * @default each account's `<namePrefix>-tfstate-<account>-<region>` bucket and `<namePrefix>-tfstate-lock` table
   */
  readonly state?: {
    readonly source?: StateBackendInput;
    readonly analytics?: StateBackendInput;
  };
  /**
   * GitHub Actions plans and deploys this environment; adds one bootstrap stack per account
   * (state bucket, lock table, OIDC provider, plan and deploy roles). @default unset — no CI/CD
   */
  readonly cicd?: CicdInput;
  /**
   * Allow `terraform destroy` to delete data buckets and their objects. Only for throwaway
   * environments. @default false — data buckets carry `prevent_destroy`.
   */
  readonly allowDestroyData?: boolean;
  /**
   * Marks an environment that only ever runs against the local emulator (no state backend,
   * throwaway data). @default false
   */
  readonly localOnly?: boolean;
  /**
   * `xetl park` may delete this environment's MWAA environment and interface endpoints while
   * nobody uses it (data and state stay; `xetl unpark` brings them back in about 30 minutes). The
   * analytics stack then reads the park switch (SSM parameter `/<namePrefix>/<env>/parked`) at
   * every plan. Not for environments whose runs must start on time.
   * @default false — always on (docs/cost.md, "Parking an idle environment")
   */
  readonly parkable?: boolean;
}

/** MWAA's log levels, as its API names them. */
export type MwaaLogLevel = 'CRITICAL' | 'ERROR' | 'WARNING' | 'INFO' | 'DEBUG';
/** The five log types of an MWAA environment. */
export const MWAA_LOG_TYPES = ['dagProcessing', 'scheduler', 'task', 'webserver', 'worker'] as const;
export type MwaaLogType = (typeof MWAA_LOG_TYPES)[number];
export type MwaaLogLevelsInput = { readonly [T in MwaaLogType]?: MwaaLogLevel };

/**
 * Which account-wide resources one side's bootstrap stack creates. Environments that share an
 * account (or a state bucket) share these; the first such environment in the config creates
 * them and the others only refer to them by name. Computed by validation, never written.
 */
export interface CicdSharedResources {
  readonly stateBucket: boolean;
  readonly lockTable: boolean;
  readonly oidcProvider: boolean;
}

export interface CicdConfig {
  readonly githubRepository: string;
  readonly deployBranch: string;
  readonly githubEnvironment: string;
  readonly pullRequestPlans: boolean;
  readonly creates: { readonly source: CicdSharedResources; readonly analytics: CicdSharedResources };
}

export interface XetlConfigInput {
  readonly environments: Readonly<Record<string, EnvironmentInput>>;
}

/** An environment after defaults: every field is present. */
export interface EnvironmentConfig {
  readonly name: string;
  readonly region: string;
  readonly accounts: { readonly source: string; readonly analytics: string };
  readonly namePrefix: string;
  readonly network: { readonly mwaaVpcCidr: string; readonly redshiftVpcCidr: string; readonly endpointAzs: 1 | 2 };
  readonly redshift: {
    readonly baseCapacity: number;
    readonly maxCapacity: number;
    readonly databaseName: string;
    readonly dailyRpuHoursLimit: number;
    readonly rpuLimitBreachAction: NonNullable<NonNullable<EnvironmentInput['redshift']>['rpuLimitBreachAction']>;
  };
  readonly mwaa: {
    readonly environmentClass: NonNullable<NonNullable<EnvironmentInput['mwaa']>['environmentClass']>;
    readonly airflowVersion: string;
    readonly minWorkers: number;
    readonly maxWorkers: number;
    readonly logLevels: { readonly [T in MwaaLogType]: MwaaLogLevel };
  };
  readonly glue: {
    readonly workerType: NonNullable<NonNullable<EnvironmentInput['glue']>['workerType']>;
    readonly numberOfWorkers: number;
    readonly executionClass: 'STANDARD' | 'FLEX';
    readonly timeoutMinutes: number;
  };
  readonly retention: {
    readonly noncurrentVersionDays: number;
    readonly transitionToInfrequentAccessDays?: number;
    readonly logRetentionDays: number;
    readonly accessLogDays: number;
    readonly glueTempDays: number;
    readonly quarantineDays: number;
  };
  readonly notifications: {
    readonly emails: readonly string[];
    /** Unset when the environment has no chat channel. */
    readonly chat?: ChatConfig;
  };
  readonly airflow: {
    readonly secretsPrefix: string;
    readonly sensorTimeoutSeconds: number;
    readonly maxQuarantineRatio: number;
    readonly unloadTemplate: 'unload_partition' | 'unload_daily_category_summary';
  };
  readonly state?: {
    readonly source: Required<StateBackendInput>;
    readonly analytics: Required<StateBackendInput>;
  };
  readonly cicd?: CicdConfig;
  readonly allowDestroyData: boolean;
  readonly localOnly: boolean;
  readonly parkable: boolean;
  /**
   * This environment manages the settings its analytics account holds once per region (the Glue
   * Data Catalog's encryption): the first environment in the config with that account and region.
   * Computed by validation, never written.
   */
  readonly ownsAccountSettings: boolean;
}

export interface XetlConfig {
  readonly environments: readonly EnvironmentConfig[];
}

/** Identity helper so `xetl.config.ts` gets type checking and completion. */
export function defineConfig(config: XetlConfigInput): XetlConfigInput {
  return config;
}
