import { Construct } from 'constructs';
import { Aspects, LocalBackend, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { AccountSide, EnvironmentConfig, Naming } from '@xetl/config';
import {
  BOOTSTRAP_TAG, GithubActionsRole, GithubOidcProvider, TerraformStateBackend, deployStatements, planStatements, AccessLogBucket, SecurityGuards,
} from '@xetl/constructs';

/** Where the bootstrap stack keeps its own state (see docs/ci-cd.md, "Step zero"). */
export type BootstrapBackend = 'local' | 's3';

export interface BootstrapStackOptions {
  /**
   * `local` for the first apply (the state bucket does not exist yet), then `s3` and
   * `terraform init -migrate-state` to move the state into the bucket it created.
   * @default "local"
   */
  readonly backend?: BootstrapBackend;
}

/**
 * Step zero of one account, applied once by an administrator: the Terraform state bucket and
 * lock table the account's xetl stack uses, the GitHub OIDC provider, and two roles GitHub
 * Actions assumes without keys — a read-only plan role (pull requests and the deploy branch)
 * and a deploy role (only jobs in the environment's GitHub environment).
 *
 * Resources one account holds once (the OIDC provider; a bucket or table several environments
 * share) are created by the first environment in the config that uses them
 * (`env.cicd.creates`) and only referred to, by their deterministic names, by the others.
 *
 * Its resources carry the `xetl-bootstrap` tag; the deploy role is denied changes to them and
 * to the CI roles, so CI can never widen its own rights.
 */
export class BootstrapStack extends TerraformStack {
  readonly names: Naming;
  readonly accountId: string;
  readonly planRole: GithubActionsRole;
  readonly deployRole: GithubActionsRole;
  readonly state: TerraformStateBackend;
  readonly oidcProvider?: GithubOidcProvider;

  constructor(scope: Construct, readonly env: EnvironmentConfig, readonly side: AccountSide, options: BootstrapStackOptions = {}) {
    const names = new Naming(env);
    const stackName = names.bootstrapStackName(side);
    super(scope, stackName);
    if (!env.cicd || !env.state) throw new Error(`${stackName}: the environment has no cicd and state config`);
    this.names = names;
    this.accountId = names.accountId(side);
    const cicd = env.cicd;
    const state = env.state[side];
    const creates = cicd.creates[side];

    new AwsProvider(this, 'aws', {
      region: env.region,
      allowedAccountIds: [this.accountId],
      defaultTags: [{
        tags: { project: 'xetl', environment: env.name, stack: stackName, 'managed-by': 'cdktf', [BOOTSTRAP_TAG]: 'true' },
      }],
    });
    if (options.backend === 's3') {
      new S3Backend(this, {
        bucket: state.bucket,
        key: names.stateKey(side, stackName),
        region: state.region,
        dynamodbTable: state.dynamodbTable,
        encrypt: true,
      });
    } else {
      // Outside cdktf.out (which every synth deletes) and git-ignored (*.tfstate); see docs/ci-cd.md.
      new LocalBackend(this, { path: `../../../bootstrap-state/${stackName}.tfstate` });
    }

    // At stack level, like the other stacks' access-log buckets (checkov's accepted SSE-S3 finding names them so).
    const accessLogs = creates.stateBucket
      ? new AccessLogBucket(this, 'AccessLogs', {
        bucketName: names.stateAccessLogBucket(side),
        accountId: this.accountId,
        retentionDays: env.retention.accessLogDays,
        allowDestroy: env.allowDestroyData,
      })
      : undefined;
    this.state = new TerraformStateBackend(this, 'State', {
      bucketName: state.bucket,
      lockTableName: state.dynamodbTable,
      keyAlias: names.stateKeyAlias(side),
      accessLogs,
      region: state.region,
      accountId: this.accountId,
      partition: names.partition,
      createBucket: creates.stateBucket,
      createLockTable: creates.lockTable,
      allowDestroy: env.allowDestroyData,
    });

    if (creates.oidcProvider) {
      this.oidcProvider = new GithubOidcProvider(this, 'GithubOidc', { host: names.githubOidcHost, audience: names.githubOidcAudience });
    }
    const repo = cicd.githubRepository;
    const trust = {
      providerArn: names.githubOidcProviderArn(side),
      providerHost: names.githubOidcHost,
      audience: names.githubOidcAudience,
      dependsOn: this.oidcProvider ? [this.oidcProvider.provider] : undefined,
    };
    this.planRole = new GithubActionsRole(this, 'PlanRole', {
      ...trust,
      roleName: names.cicdPlanRoleName,
      description: `xetl ${env.name}: GitHub Actions plans ${names.stackName(side)} (read-only) from ${repo} pull requests and ${cicd.deployBranch}`,
      subjects: [`repo:${repo}:pull_request`, `repo:${repo}:ref:refs/heads/${cicd.deployBranch}`],
      statements: planStatements(names, side),
    });
    this.deployRole = new GithubActionsRole(this, 'DeployRole', {
      ...trust,
      roleName: names.cicdDeployRoleName,
      description: `xetl ${env.name}: GitHub Actions deploys ${names.stackName(side)} from ${repo}, GitHub environment ${cicd.githubEnvironment}`,
      subjects: [`repo:${repo}:environment:${cicd.githubEnvironment}`],
      statements: deployStatements(names, side),
      // MWAA's first create alone can take 30+ minutes.
      maxSessionDurationSeconds: 7200,
    });

    Aspects.of(this).add(new SecurityGuards());

    new TerraformOutput(this, 'plan_role_arn', { value: this.planRole.roleArn });
    new TerraformOutput(this, 'deploy_role_arn', { value: this.deployRole.roleArn });
    new TerraformOutput(this, 'state_bucket', { value: state.bucket });
    new TerraformOutput(this, 'lock_table', { value: state.dynamodbTable });
    new TerraformOutput(this, 'github_oidc_provider_arn', { value: names.githubOidcProviderArn(side) });
  }
}
