import { Construct } from 'constructs';
import { Aspects, LocalBackend, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { AccountSide, EnvironmentConfig, Naming } from '@xetl/config';
import {
  AccessLogBucket, BOOTSTRAP_TAG, GithubActionsRole, GithubOidcProvider, PermissionsBoundaryPolicy, SecurityGuards, TerraformStateBackend,
  cicdTrusts, deployStatements, permissionsBoundaryStatements, planStatements,
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
 * lock table the account's xetl stack uses, the GitHub OIDC provider, two roles GitHub Actions
 * assumes without keys — a read-only plan role (the plan workflow on the deploy branch, and pull
 * requests where the environment allows) and a deploy role (only the deploy workflow's job in the
 * environment's GitHub environment, on the deploy branch) — and the permissions boundary every
 * role the deploy role creates must carry.
 *
 * Resources one account holds once (the OIDC provider; a bucket or table several environments
 * share) are created by the first environment in the config that uses them
 * (`env.cicd.creates`) and only referred to, by their deterministic names, by the others. The
 * state bucket and lock table are always protected from destroy, whatever that environment's
 * `allowDestroyData`: they hold every environment's state of the account.
 *
 * CI cannot widen its own rights (docs/security.md): it may not change the CI roles, the state
 * backend or anything tagged `xetl-bootstrap`, may not assume any role, and every role it
 * creates or changes carries the boundary, which keeps such a role away from IAM, the CI roles,
 * the state and anything outside the environment's resources.
 */
export class BootstrapStack extends TerraformStack {
  readonly names: Naming;
  readonly accountId: string;
  readonly planRole: GithubActionsRole;
  readonly deployRole: GithubActionsRole;
  readonly state: TerraformStateBackend;
  readonly oidcProvider?: GithubOidcProvider;
  readonly boundary: PermissionsBoundaryPolicy;

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
    });

    if (creates.oidcProvider) {
      this.oidcProvider = new GithubOidcProvider(this, 'GithubOidc', { host: names.githubOidcHost, audience: names.githubOidcAudience });
    }
    const repo = cicd.githubRepository;
    const provider = {
      providerArn: names.githubOidcProviderArn(side),
      providerHost: names.githubOidcHost,
      audience: names.githubOidcAudience,
      dependsOn: this.oidcProvider ? [this.oidcProvider.provider] : undefined,
    };
    const trusts = cicdTrusts(names);
    this.boundary = new PermissionsBoundaryPolicy(this, 'Boundary', {
      policyName: names.cicdPermissionsBoundaryName,
      description: `xetl ${env.name}: the ceiling of every role the deploy role creates in ${names.stackName(side)}`,
      statements: permissionsBoundaryStatements(names, side),
    });
    this.planRole = new GithubActionsRole(this, 'PlanRole', {
      ...provider,
      roleName: names.cicdPlanRoleName,
      description: `xetl ${env.name}: GitHub Actions plans ${names.stackName(side)} (read-only) from ${repo} ${cicd.deployBranch}${cicd.pullRequestPlans ? ' and pull requests' : ''}`,
      trusts: trusts.plan,
      statements: planStatements(names, side),
    });
    this.deployRole = new GithubActionsRole(this, 'DeployRole', {
      ...provider,
      roleName: names.cicdDeployRoleName,
      description: `xetl ${env.name}: GitHub Actions deploys ${names.stackName(side)} from ${repo} ${cicd.deployBranch}, GitHub environment ${cicd.githubEnvironment}`,
      trusts: trusts.deploy,
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
    new TerraformOutput(this, 'permissions_boundary_arn', { value: this.boundary.policy.arn });
  }
}
