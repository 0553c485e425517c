import { ConfigError, validateConfig } from './validate';
import { Naming } from './naming';
import type { EnvironmentInput } from './types';

const state = (a: string, b: string) => ({
  source: { bucket: `state-${a}`, dynamodbTable: 'locks' },
  analytics: { bucket: `state-${b}`, dynamodbTable: 'locks' },
});
const env = (cicd: unknown, over: Partial<EnvironmentInput> = {}): EnvironmentInput => ({
  region: 'eu-west-1',
  accounts: { source: '111111111111', analytics: '222222222222' },
  state: state('111111111111', '222222222222'),
  cicd: cicd as EnvironmentInput['cicd'],
  ...over,
});

function problemsOf(environments: Record<string, unknown>): string[] {
  try {
    validateConfig({ environments });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message.split('\n').map((l) => l.replace(/^xetl config: /, ''));
  }
  return [];
}

describe('cicd config', () => {
  test('is optional, and defaults the branch to main and the GitHub environment to the xetl environment', () => {
    const [plain, withCicd] = validateConfig({
      environments: { qa: env(undefined, { airflow: { secretsPrefix: 'airflow-qa' } }), dev: env({ githubRepository: 'example-org/xetl' }) },
    }).environments;
    expect(plain.cicd).toBeUndefined();
    expect(withCicd.cicd).toMatchObject({ githubRepository: 'example-org/xetl', deployBranch: 'main', githubEnvironment: 'dev', pullRequestPlans: false });
  });

  test('keeps a branch and GitHub environment the user set', () => {
    const [e] = validateConfig({
      environments: { prod: env({ githubRepository: 'o/r', deployBranch: 'release/2026', githubEnvironment: 'production' }) },
    }).environments;
    expect(e.cicd).toMatchObject({ deployBranch: 'release/2026', githubEnvironment: 'production' });
  });

  test.each([
    ['xetl', 'environments.dev.cicd.githubRepository: "xetl" is not a GitHub repository as "org/repo"'],
    ['org/repo/extra', 'environments.dev.cicd.githubRepository: "org/repo/extra" is not a GitHub repository as "org/repo"'],
    ['org/*', 'environments.dev.cicd.githubRepository: "org/*" is not a GitHub repository as "org/repo"'],
    ['-org/repo', 'environments.dev.cicd.githubRepository: "-org/repo" is not a GitHub repository as "org/repo"'],
    ['org/..', 'environments.dev.cicd.githubRepository: "org/.." is not a GitHub repository as "org/repo"'],
  ])('refuses the repository %s, naming the field', (repo, message) => {
    expect(problemsOf({ dev: env({ githubRepository: repo }) })).toEqual([message]);
  });

  test('requires the repository', () => {
    expect(problemsOf({ dev: env({}) })).toEqual([
      'environments.dev.cicd.githubRepository: is required: "org/repo", the GitHub repository whose workflows plan and deploy',
    ]);
  });

  test('refuses wildcards in the branch and GitHub environment (they would widen the OIDC sub pin)', () => {
    expect(problemsOf({ dev: env({ githubRepository: 'o/r', deployBranch: 'release/*', githubEnvironment: 'prod:*' }) })).toEqual([
      'environments.dev.cicd.deployBranch: "release/*" is not a branch name such as "main" (no wildcards)',
      'environments.dev.cicd.githubEnvironment: "prod:*" is not a GitHub environment name (letters, digits, ".", "_", "-")',
    ]);
  });

  test('refuses unknown keys and cicd on an emulator-only environment', () => {
    expect(problemsOf({ dev: env({ githubRepository: 'o/r', branch: 'main' }) })).toEqual([
      'environments.dev.cicd.branch: unknown setting (expected one of: githubRepository, deployBranch, githubEnvironment, pullRequestPlans)',
    ]);
    expect(problemsOf({ dev: env({ githubRepository: 'o/r', pullRequestPlans: 'yes' }) })).toEqual([
      'environments.dev.cicd.pullRequestPlans: "yes" must be true or false',
    ]);
    expect(problemsOf({ local: env({ githubRepository: 'o/r' }, { state: undefined, localOnly: true }) })).toEqual([
      'environments.local.cicd: needs state (CI/CD deploys to AWS; emulator-only environments have no remote state)',
    ]);
  });

  test('the first environment using an account or state bucket creates the shared resources; later ones refer to them', () => {
    const shared = state('111111111111', '333333333333');
    shared.source.bucket = 'state-111111111111';
    const { environments } = validateConfig({
      environments: {
        dev: env({ githubRepository: 'o/r' }),
        stage: env({ githubRepository: 'o/r' }, { accounts: { source: '111111111111', analytics: '333333333333' }, state: shared, airflow: { secretsPrefix: 'airflow-stage' } }),
      },
    });
    const [dev, stage] = environments;
    const all = { stateBucket: true, lockTable: true, oidcProvider: true };
    expect(dev.cicd?.creates).toEqual({ source: all, analytics: all });
    expect(stage.cicd?.creates).toEqual({
      source: { stateBucket: false, lockTable: false, oidcProvider: false },
      analytics: all,
    });
  });

  test('one-account setups create the OIDC provider once', () => {
    const [e] = validateConfig({
      environments: { dev: env({ githubRepository: 'o/r' }, { accounts: { source: '111111111111', analytics: '111111111111' }, state: state('a1', 'b1') }) },
    }).environments;
    expect(e.cicd?.creates.source.oidcProvider).toBe(true);
    expect(e.cicd?.creates.analytics.oidcProvider).toBe(false);
    expect(e.cicd?.creates.analytics.stateBucket).toBe(true);
    expect(e.cicd?.creates.analytics.lockTable).toBe(false); // same account, region and table name
  });
});

describe('cicd names', () => {
  const [e] = validateConfig({ environments: { dev: env({ githubRepository: 'example-org/xetl' }) } }).environments;
  const names = new Naming(e);

  test('bootstrap stacks, roles and the OIDC provider', () => {
    expect(names.bootstrapStackName('source')).toBe('xetl-dev-bootstrap-source');
    expect(names.bootstrapStackName('analytics')).toBe('xetl-dev-bootstrap-analytics');
    expect(names.cicdPlanRoleName).toBe('xetl-dev-cicd-plan');
    expect(names.cicdDeployRoleName).toBe('xetl-dev-cicd-deploy');
    expect(names.cicdDeployRoleArn('analytics')).toBe('arn:aws:iam::222222222222:role/xetl-dev-cicd-deploy');
    expect(names.cicdPermissionsBoundaryArn('analytics')).toBe('arn:aws:iam::222222222222:policy/xetl-dev-cicd-boundary');
    expect(names.githubDeployWorkflow).toBe('.github/workflows/deploy-stack.yml');
    expect(names.githubPlanWorkflow).toBe('.github/workflows/ci.yml');
    expect(names.pipelineVariableSecretArnPattern).toBe('arn:aws:secretsmanager:eu-west-1:222222222222:secret:airflow/variables/xetl_pipeline-??????');
    expect(names.githubOidcProviderArn('source')).toBe('arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com');
  });

  test('state: the key the stacks write, the lock table and the key alias', () => {
    expect(names.stateKey('source')).toBe('xetl/dev/xetl-dev-source.tfstate');
    expect(names.stateKey('analytics', names.bootstrapStackName('analytics'))).toBe('xetl/dev/xetl-dev-bootstrap-analytics.tfstate');
    expect(names.lockTableArn('analytics')).toBe('arn:aws:dynamodb:eu-west-1:222222222222:table/locks');
    expect(names.stateKeyAlias('source')).toBe('alias/state-111111111111');
    expect(names.stateAccessLogBucket('source')).toBe('state-111111111111-logs');
  });

  test('a state bucket too long for its log bucket is reported against namePrefix like other derived names', () => {
    const long = 'x'.repeat(60);
    expect(problemsOf({ dev: env({ githubRepository: 'o/r' }, { state: { source: { bucket: long, dynamodbTable: 'locks' }, analytics: state('a', 'b').analytics } }) })).toEqual([
      `environments.dev.namePrefix: derived bucket name "${long}-logs" (state access logs) is 65 characters; S3 allows 63 — shorten state.source.bucket`,
    ]);
  });
});
