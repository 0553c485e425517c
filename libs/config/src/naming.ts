import { DBT_DOCS_PREFIX, MARKER_FILE_NAME, PIPELINE_VARIABLE_KEY } from './pipeline-contract';
import type { EnvironmentConfig } from './types';

/**
 * Each account's Terraform state bucket unless the config names one: one per account and region,
 * shared by the environments of that account (the first one's bootstrap stack creates it).
 */
export function defaultStateBucket(namePrefix: string, account: string, region: string): string {
  return `${namePrefix}-tfstate-${account}-${region}`;
}

/** Each account's state lock table unless the config names one. */
export function defaultLockTable(namePrefix: string): string {
  return `${namePrefix}-tfstate-lock`;
}

/** The two sides of xetl. Account A holds the data; account B processes it. */
export type AccountSide = 'source' | 'analytics';

/**
 * Every physical name and ARN of xetl, derived from one environment's config.
 *
 * Stacks never read each other's state: each side computes the other side's names here, so the
 * two accounts deploy in any order. The CLI and the analytics stack's Airflow variables use the
 * same names. Nothing else in the repo spells a bucket, role or key name.
 *
 * @example
 * const names = new Naming(env);
 * names.sourceBucket;          // "xetl-dev-source-111111111111-eu-west-1"
 * names.roleArn('analytics', names.glueRoleName);
 */
export class Naming {
  /** `<namePrefix>-<environment>`, the stem of every name. */
  readonly base: string;

  constructor(readonly env: EnvironmentConfig) {
    this.base = `${env.namePrefix}-${env.name}`;
  }

  get partition(): string {
    if (this.env.region.startsWith('cn-')) return 'aws-cn';
    if (this.env.region.includes('-gov-')) return 'aws-us-gov';
    return 'aws';
  }

  accountId(side: AccountSide): string {
    return this.env.accounts[side];
  }

  // ---- stacks --------------------------------------------------------------------------------
  stackName(side: AccountSide): string {
    return `${this.base}-${side}`;
  }
  /** One account's bootstrap stack: state backend, GitHub OIDC provider, CI roles (docs/ci-cd.md). */
  bootstrapStackName(side: AccountSide): string {
    return `${this.base}-bootstrap-${side}`;
  }

  // ---- data layout ---------------------------------------------------------------------------
  /** Top folder of the products feed in the source, staging and target buckets. */
  readonly productsPrefix = 'products';

  // ---- account A -----------------------------------------------------------------------------
  get sourceBucket(): string {
    return this.bucketName('source', 'source');
  }
  get targetBucket(): string {
    return this.bucketName('target', 'source');
  }
  get sourceAccessLogBucket(): string {
    return this.bucketName('source-logs', 'source');
  }
  /** Alias of the customer-managed key that encrypts account A's buckets. */
  get dataKeyAlias(): string {
    return `alias/${this.base}-data`;
  }
  /** Role in A that Redshift (in B) chains into to write the target prefix. */
  get unloadRoleName(): string {
    return `${this.base}-unload`;
  }

  // ---- account B -----------------------------------------------------------------------------
  get stagingBucket(): string {
    return this.bucketName('staging', 'analytics');
  }
  get assetsBucket(): string {
    return this.bucketName('assets', 'analytics');
  }
  /** MWAA requires its source bucket's name to start with "airflow-". */
  get airflowBucket(): string {
    return `airflow-${this.base}-${this.accountId('analytics')}-${this.env.region}`;
  }
  get analyticsAccessLogBucket(): string {
    return this.bucketName('analytics-logs', 'analytics');
  }
  get analyticsKeyAlias(): string {
    return `alias/${this.base}-analytics`;
  }
  get glueRoleName(): string {
    return `${this.base}-glue`;
  }
  get mwaaRoleName(): string {
    return `${this.base}-mwaa`;
  }
  get redshiftRoleName(): string {
    return `${this.base}-redshift`;
  }
  get glueDatabase(): string {
    return this.base.replace(/-/g, '_');
  }
  get glueCrawler(): string {
    return `${this.base}-products`;
  }
  get glueJob(): string {
    return `${this.base}-products`;
  }
  get glueSecurityConfiguration(): string {
    return `${this.base}-glue`;
  }
  get redshiftNamespace(): string {
    return this.base;
  }
  /** The namespace's admin user; Secrets Manager keeps its password (never in code or state). Only `xetl bootstrap` signs in as it. */
  readonly redshiftAdminUsername = 'xetl_admin';
  /**
   * The database role the DAG's statements run with: MWAA's role signs in with IAM as the database
   * user `IAMR:<mwaa role name>`, which Redshift grants this role (the role's `RedshiftDbRoles` tag).
   * The SQL migrations create it with exactly the grants the pipeline's statements need.
   */
  readonly redshiftPipelineRole = 'xetl_pipeline';
  get redshiftWorkgroup(): string {
    return this.base;
  }
  /** The workgroup's port (Redshift's default, set explicitly so that the network and the DAG agree). */
  readonly redshiftPort = 5439;
  get mwaaEnvironment(): string {
    return this.base;
  }
  get pipelineTopic(): string {
    return `${this.base}-pipeline`;
  }
  /**
   * The chat channels' topic (only with `notifications.chat`): it carries Chatbot's JSON messages,
   * which the e-mail subscribers of the pipeline topic should not get.
   */
  get chatTopic(): string {
    return `${this.base}-chat`;
  }
  /** Role Amazon Q Developer in chat applications (AWS Chatbot) assumes for the chat channels. */
  get chatRoleName(): string {
    return `${this.base}-chat`;
  }
  /** The channels' guardrail: the most any chat user can do through them (read-only notifications). */
  get chatGuardrailPolicyName(): string {
    return `${this.base}-chat-guardrail`;
  }
  /** One Chatbot channel configuration per platform. */
  chatConfigurationName(platform: 'slack' | 'teams'): string {
    return `${this.base}-${platform}`;
  }
  /** Name tag of one of account B's VPCs ("mwaa" or "redshift"). */
  vpcName(purpose: 'mwaa' | 'redshift'): string {
    return `${this.base}-${purpose}`;
  }
  /** Security group names; EC2 forbids the "sg-" prefix, so they start with the base. */
  securityGroupName(purpose: string): string {
    return `${this.base}-${purpose}`;
  }
  /** CloudWatch log group both VPCs' flow logs go to. */
  get flowLogGroup(): string {
    return `/xetl/${this.base}/vpc-flow-logs`;
  }
  get flowLogRoleName(): string {
    return `${this.base}-flow-logs`;
  }
  /** Prefix of the log groups Glue writes with a security configuration (jobs and crawlers). */
  readonly glueLogGroupPrefix = '/aws-glue/';
  /** Prefix of the log groups MWAA creates for the environment: `airflow-<env>-<Component>`. */
  get mwaaLogGroupPrefix(): string {
    return `airflow-${this.mwaaEnvironment}-`;
  }
  /** The five log groups MWAA writes (one per log type), created beforehand with retention and the key. */
  get mwaaLogGroups(): string[] {
    return ['DAGProcessing', 'Scheduler', 'Task', 'WebServer', 'Worker'].map((t) => `${this.mwaaLogGroupPrefix}${t}`);
  }
  /**
   * The log groups Glue writes under the security configuration (CloudWatch encryption): the
   * crawler's (`/aws-glue/crawlers-role/<role>-<configuration>`), the job's driver output and errors
   * (Glue's `JobRun.LogGroupName` prefix `/aws-glue/jobs-<role>-<configuration>/`), and the job's
   * continuous log, whose name the job sets (`--continuous-log-logGroup`).
   */
  get glueLogGroups(): { crawler: string; jobOutput: string; jobError: string; jobContinuous: string } {
    const jobs = `${this.glueLogGroupPrefix}jobs-${this.glueRoleName}-${this.glueSecurityConfiguration}/`;
    return {
      crawler: `${this.glueLogGroupPrefix}crawlers-role/${this.glueRoleName}-${this.glueSecurityConfiguration}`,
      jobOutput: `${jobs}output`,
      jobError: `${jobs}error`,
      jobContinuous: `${jobs}logs-v2`,
    };
  }
  /**
   * The log groups Redshift Serverless exports to, one per log type and shared by every namespace of
   * the account and region (`/aws/redshift/serverless/<log type>`).
   */
  redshiftLogGroups(logTypes: readonly string[]): string[] {
    return logTypes.map((t) => `/aws/redshift/serverless/${t}`);
  }
  /** Keys in the assets bucket. */
  readonly glueScriptKey = 'glue-scripts/xetl_products_job.py';
  readonly glueLibraryKey = 'glue-scripts/xetl_transform.zip';
  /** The transform's JVM functions (`--extra-jars`), built by `nx run glue-scripts:jar`. */
  readonly glueJarKey = 'glue-scripts/xetl-transform.jar';
  readonly sqlAssetsPrefix = 'sql/';
  /** Staging-bucket prefixes (docs/data-contract.md). */
  readonly stagingCuratedPrefix = 'curated/';
  readonly stagingQuarantinePrefix = 'quarantine/';
  readonly stagingManifestsPrefix = 'manifests/';
  /** Glue's scratch space (`--TempDir`); only the Glue role reads or writes it. */
  readonly stagingGlueTempPrefix = 'glue-temp/';
  /** The dbt docs site the DAG publishes and `xetl docs` serves; defined in pipeline-contract.ts. */
  readonly stagingDbtDocsPrefix = DBT_DOCS_PREFIX;
  /** Keys in the MWAA bucket. */
  readonly airflowDagsPrefix = 'dags';
  get airflowRequirementsKey(): string {
    return `${this.airflowDagsPrefix}/requirements.txt`;
  }
  /** The wheels MWAA installs offline (Cosmos; dbt's own environment), outside the DAGs folder. */
  readonly airflowPluginsKey = 'plugins/plugins.zip';
  /** MWAA's startup script: builds dbt's virtual environment from the wheels in plugins.zip. */
  readonly airflowStartupScriptKey = 'startup/startup.sh';
  /** ECR keeps image layers in this AWS bucket; private ECR pulls through the S3 gateway need it. */
  get ecrLayerBucket(): string {
    return `prod-${this.env.region}-starport-layer-bucket`;
  }
  /** Secrets Manager ARN pattern of every Airflow secret of this environment in account B. */
  get airflowSecretsArnPattern(): string {
    return `arn:${this.partition}:secretsmanager:${this.env.region}:${this.accountId('analytics')}:secret:${this.env.airflow.secretsPrefix}/*`;
  }
  get mwaaEnvironmentArn(): string {
    return `arn:${this.partition}:airflow:${this.env.region}:${this.accountId('analytics')}:environment/${this.mwaaEnvironment}`;
  }
  /** Airflow variable (JSON) holding every name the DAG needs; defined in pipeline-contract.ts. */
  readonly pipelineVariableKey = PIPELINE_VARIABLE_KEY;
  get airflowVariablesPrefix(): string {
    return `${this.env.airflow.secretsPrefix}/variables`;
  }
  get airflowConnectionsPrefix(): string {
    return `${this.env.airflow.secretsPrefix}/connections`;
  }
  get pipelineVariableSecret(): string {
    return `${this.airflowVariablesPrefix}/${this.pipelineVariableKey}`;
  }
  /** ARN of that one secret: Secrets Manager appends '-' and six random characters to the name. */
  get pipelineVariableSecretArnPattern(): string {
    return `arn:${this.partition}:secretsmanager:${this.env.region}:${this.accountId('analytics')}:secret:${this.pipelineVariableSecret}-??????`;
  }

  // ---- event-driven trigger (docs/event-trigger.md) -----------------------------------------
  /** The object a producer writes last in a partition folder; defined in pipeline-contract.ts. */
  readonly markerFileName = MARKER_FILE_NAME;
  /** Account A: default-bus rule forwarding marker events to B's pipeline bus. */
  get markerForwardRuleName(): string {
    return `${this.base}-forward-markers`;
  }
  /** Account A: role EventBridge assumes to put events on B's bus (only `events:PutEvents` there). */
  get eventsForwarderRoleName(): string {
    return `${this.base}-events-forwarder`;
  }
  /** Account A: events the forwarder could not deliver to B's bus. */
  get markerForwardDlq(): string {
    return `${this.base}-forward-dlq`;
  }
  /** Account B: custom bus admitting account A's marker events. */
  get pipelineEventBus(): string {
    return `${this.base}-pipeline`;
  }
  get pipelineEventBusArn(): string {
    return `arn:${this.partition}:events:${this.env.region}:${this.accountId('analytics')}:event-bus/${this.pipelineEventBus}`;
  }
  /** Account B: rule on the pipeline bus re-checking the marker pattern, delivering to the queue. */
  get triggerRuleName(): string {
    return `${this.base}-trigger-markers`;
  }
  get triggerQueue(): string {
    return `${this.base}-trigger`;
  }
  get triggerDlq(): string {
    return `${this.base}-trigger-dlq`;
  }
  get triggerFunctionName(): string {
    return `${this.base}-trigger`;
  }
  get triggerRoleName(): string {
    return `${this.base}-trigger`;
  }
  get triggerLogGroup(): string {
    return `/aws/lambda/${this.triggerFunctionName}`;
  }
  /** ARN of an EventBridge rule (default bus when `bus` is omitted). */
  eventRuleArn(side: AccountSide, ruleName: string, bus?: string): string {
    const path = bus && bus !== 'default' ? `${bus}/${ruleName}` : ruleName;
    return `arn:${this.partition}:events:${this.env.region}:${this.accountId(side)}:rule/${path}`;
  }
  /** `airflow:InvokeRestApi` resource: the MWAA environment's Airflow role (Admin, Op, User, Viewer). */
  mwaaRestApiRoleArn(airflowRole: 'Op' | 'User' | 'Viewer'): string {
    return `arn:${this.partition}:airflow:${this.env.region}:${this.accountId('analytics')}:role/${this.mwaaEnvironment}/${airflowRole}`;
  }

  // ---- parking (docs/cost.md) -----------------------------------------------------------------
  /** SSM path the analytics stack reads at plan time (`GetParametersByPath`): the park switch's folder. */
  get parkParameterPath(): string {
    return `/${this.env.namePrefix}/${this.env.name}`;
  }
  /** The park switch: "true" while parked. `xetl park`/`unpark` write it; the analytics stack only reads it. */
  get parkParameter(): string {
    return `${this.parkParameterPath}/parked`;
  }
  /** `GetParametersByPath` is authorised on the path's own parameter ARN. */
  get parkParameterPathArn(): string {
    return `arn:${this.partition}:ssm:${this.env.region}:${this.accountId('analytics')}:parameter${this.parkParameterPath}`;
  }

  // ---- CI/CD (bootstrap stacks) ---------------------------------------------------------------
  /** Issuer of GitHub Actions' OIDC tokens; IAM names the provider after it. */
  readonly githubOidcHost = 'token.actions.githubusercontent.com';
  /** The `aud` claim configure-aws-credentials requests. */
  readonly githubOidcAudience = 'sts.amazonaws.com';
  /** Read-only role pull requests plan with. */
  get cicdPlanRoleName(): string {
    return `${this.base}-cicd-plan`;
  }
  /** Role the deploy workflow applies with, in the GitHub environment only. */
  get cicdDeployRoleName(): string {
    return `${this.base}-cicd-deploy`;
  }
  /** The workflow whose jobs plan (`terraform plan` with the plan role); the plan role trusts no other. */
  readonly githubPlanWorkflow = '.github/workflows/ci.yml';
  /** The reusable workflow whose job deploys one stack; the deploy role trusts no other. */
  readonly githubDeployWorkflow = '.github/workflows/deploy-stack.yml';
  /**
   * Managed policy every role the deploy role creates must carry as its permissions boundary
   * (created by the bootstrap stack; docs/security.md).
   */
  get cicdPermissionsBoundaryName(): string {
    return `${this.base}-cicd-boundary`;
  }
  cicdPermissionsBoundaryArn(side: AccountSide): string {
    return `arn:${this.partition}:iam::${this.accountId(side)}:policy/${this.cicdPermissionsBoundaryName}`;
  }
  /** The account-wide GitHub OIDC provider (one per account, shared by environments). */
  githubOidcProviderArn(side: AccountSide): string {
    return `arn:${this.partition}:iam::${this.accountId(side)}:oidc-provider/${this.githubOidcHost}`;
  }
  cicdPlanRoleArn(side: AccountSide): string {
    return this.roleArn(side, this.cicdPlanRoleName);
  }
  cicdDeployRoleArn(side: AccountSide): string {
    return this.roleArn(side, this.cicdDeployRoleName);
  }
  /** The S3 key of one stack's state, as the stacks' S3 backend writes it. */
  stateKey(side: AccountSide, stackName: string = this.stackName(side)): string {
    const state = this.requireState(side);
    return `${state.keyPrefix}/${this.env.name}/${stackName}.tfstate`;
  }
  /** Alias of the key that encrypts a state bucket and its lock table, derived from the bucket. */
  stateKeyAlias(side: AccountSide): string {
    return `alias/${this.requireState(side).bucket.replace(/[^A-Za-z0-9/_-]/g, '-')}`;
  }
  /** Server access logs of a state bucket. */
  stateAccessLogBucket(side: AccountSide): string {
    return `${this.requireState(side).bucket}-logs`;
  }
  lockTableArn(side: AccountSide): string {
    const state = this.requireState(side);
    return `arn:${this.partition}:dynamodb:${state.region}:${this.accountId(side)}:table/${state.dynamodbTable}`;
  }

  // ---- ARNs ----------------------------------------------------------------------------------
  roleArn(side: AccountSide, roleName: string): string {
    return `arn:${this.partition}:iam::${this.accountId(side)}:role/${roleName}`;
  }
  accountRootArn(side: AccountSide): string {
    return `arn:${this.partition}:iam::${this.accountId(side)}:root`;
  }
  bucketArn(bucket: string): string {
    return `arn:${this.partition}:s3:::${bucket}`;
  }
  get dataKeyAliasArn(): string {
    return `arn:${this.partition}:kms:${this.env.region}:${this.accountId('source')}:${this.dataKeyAlias}`;
  }
  /**
   * Account B cannot know the key ID of account A's key before A deploys, so its policies name
   * every key of account A and narrow to the one behind the alias with `kms:ResourceAliases`.
   */
  get dataKeyArnPattern(): string {
    return `arn:${this.partition}:kms:${this.env.region}:${this.accountId('source')}:key/*`;
  }
  get unloadRoleArn(): string {
    return this.roleArn('source', this.unloadRoleName);
  }
  get redshiftRoleArn(): string {
    return this.roleArn('analytics', this.redshiftRoleName);
  }
  get glueRoleArn(): string {
    return this.roleArn('analytics', this.glueRoleName);
  }
  get mwaaRoleArn(): string {
    return this.roleArn('analytics', this.mwaaRoleName);
  }
  /** The `IAM_ROLE` argument of UNLOAD: B's Redshift role chained into A's unload role. */
  get unloadRoleChain(): string {
    return `${this.redshiftRoleArn},${this.unloadRoleArn}`;
  }

  /** Names that break a service's rules, as messages; empty when all are valid. */
  problems(): string[] {
    const out: string[] = [];
    const buckets = [
      this.sourceBucket, this.targetBucket, this.sourceAccessLogBucket, this.stagingBucket,
      this.assetsBucket, this.airflowBucket, this.analyticsAccessLogBucket,
    ];
    for (const b of buckets) {
      if (b.length > 63) out.push(`derived bucket name "${b}" is ${b.length} characters; S3 allows 63 — shorten namePrefix or the environment name`);
    }
    for (const r of [this.unloadRoleName, this.glueRoleName, this.mwaaRoleName, this.redshiftRoleName, this.flowLogRoleName, this.chatRoleName]) {
      if (r.length > 64) out.push(`derived role name "${r}" exceeds IAM's 64 characters`);
    }
    for (const r of [this.eventsForwarderRoleName, this.triggerRoleName, this.triggerFunctionName]) {
      if (r.length > 64) out.push(`derived role or function name "${r}" exceeds the 64 characters IAM and Lambda allow`);
    }
    if (this.env.cicd && this.env.state) {
      for (const r of [this.cicdPlanRoleName, this.cicdDeployRoleName]) {
        if (r.length > 64) out.push(`derived role name "${r}" exceeds IAM's 64 characters`);
      }
      for (const side of ['source', 'analytics'] as const) {
        const b = this.stateAccessLogBucket(side);
        if (b.length > 63) out.push(`derived bucket name "${b}" (state access logs) is ${b.length} characters; S3 allows 63 — shorten state.${side}.bucket`);
      }
    }
    return out;
  }

  private requireState(side: AccountSide): Required<NonNullable<EnvironmentConfig['state']>[AccountSide]> {
    if (!this.env.state) throw new Error(`environment ${this.env.name} has no state backend (it is localOnly)`);
    return this.env.state[side];
  }

  private bucketName(purpose: string, side: AccountSide): string {
    // Account ID and region keep the globally unique S3 namespace free of collisions.
    return `${this.base}-${purpose}-${this.accountId(side)}-${this.env.region}`;
  }
}
