/**
 * CI cannot escalate (docs/security.md): the escalation paths of issue #16, decided by AWS's
 * evaluation logic (tools/python/xetl_harness/iam.py) over the policies the app synthesizes for
 * dev — the bootstrap stacks' CI roles and boundary, and the xetl stacks' runtime roles.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import { AccountSide, Naming, loadConfig, selectEnvironment } from '@xetl/config';
import { addEnvironmentStacks } from './compose';

const REPO = path.resolve(__dirname, '../../..');
const env = selectEnvironment(loadConfig(), 'dev');
const names = new Naming(env);

// The real app output: `app.synth()` of dev's four stacks.
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'xetl-escalation-'));
const app = new App({ outdir });
addEnvironmentStacks(app, [env]);
app.synth();
const stackPath = (name: string) => path.join(outdir, 'stacks', name, 'cdk.tf.json');
const stackJson = (name: string) => JSON.parse(fs.readFileSync(stackPath(name), 'utf8'));

type Policy = { Version: string; Statement: unknown[] };
interface Req {
  readonly name: string;
  readonly as: Caller;
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string>;
  readonly resourcePolicy?: Policy;
}
interface Caller {
  readonly roleName: string;
  readonly account: string;
  readonly identity?: Policy[];
  readonly identityOf?: { stack_path: string; role: string };
  readonly boundary?: Policy[];
}

/** Decides the requests with xetl_harness.iam (tools venv); returns name -> allowed. */
function decide(requests: readonly Req[], withinBoundary: Array<{ stack: string; boundary: Policy }> = []) {
  const input = {
    requests: requests.map((r) => ({
      name: r.name,
      principal: { arn: `arn:aws:sts::${r.as.account}:assumed-role/${r.as.roleName}/s`, account: r.as.account, role_arn: `arn:aws:iam::${r.as.account}:role/${r.as.roleName}` },
      action: r.action, resource: r.resource, context: r.context ?? {},
      identity: r.as.identity, identity_of: r.as.identityOf, boundary: r.as.boundary ?? null, resource_policy: r.resourcePolicy ?? null,
    })),
    within_boundary: withinBoundary,
  };
  const out = execFileSync('bash', [path.join(REPO, 'scripts/venv-run.sh'), 'tools', 'python', path.join(__dirname, 'escalation/evaluate_requests.py')], {
    input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  const parsed = JSON.parse(out) as { decisions: Array<{ name: string; allowed: boolean; reason: string }>; outside_boundary: unknown[] };
  return { allowed: Object.fromEntries(parsed.decisions.map((d) => [d.name, d.allowed])), reasons: parsed.decisions, outside: parsed.outside_boundary };
}

/** The managed policies attached to a role of a bootstrap stack, and the boundary policy, as documents. */
function bootstrapPolicies(side: AccountSide) {
  const json = stackJson(names.bootstrapStackName(side));
  const policies = json.resource.aws_iam_policy as Record<string, { name: string; policy: string }>;
  const byName = (prefix: string) => Object.values(policies).filter((p) => p.name.startsWith(prefix) && /-\d+$/.test(p.name)).map((p) => JSON.parse(p.policy) as Policy);
  const boundary = JSON.parse(Object.values(policies).find((p) => p.name === names.cicdPermissionsBoundaryName)!.policy) as Policy;
  return { deploy: byName(`${names.cicdDeployRoleName}-`), plan: byName(`${names.cicdPlanRoleName}-`), boundary };
}

const ALL: Policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const trusting = (account: string, roleName: string): Policy => ({
  Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:role/${roleName}` }, Action: 'sts:AssumeRole' }],
});

describe.each(['source', 'analytics'] as const)('dev/%s: the escalation path of issue #16 is closed', (side) => {
  const account = names.accountId(side);
  const { deploy, plan, boundary } = bootstrapPolicies(side);
  const boundaryArn = names.cicdPermissionsBoundaryArn(side);
  const role = (n: string) => `arn:aws:iam::${account}:role/${n}`;
  const x = role(`${names.base}-x`);
  const deployer: Caller = { roleName: names.cicdDeployRoleName, account, identity: deploy };
  const planner: Caller = { roleName: names.cicdPlanRoleName, account, identity: plan };
  // What the deploy role could make at most: `xetl-dev-x` with "*" on "*", carrying the boundary.
  const made: Caller = { roleName: `${names.base}-x`, account, identity: [ALL], boundary: [boundary] };
  const withBoundary = { 'iam:PermissionsBoundary': boundaryArn };
  const state = env.state![side];

  const requests: Req[] = [
    // 1. Create the role: only with xetl's boundary.
    { name: 'create without a boundary', as: deployer, action: 'iam:CreateRole', resource: x },
    { name: 'create with another boundary', as: deployer, action: 'iam:CreateRole', resource: x, context: { 'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/AdministratorAccess' } },
    { name: 'create with the boundary', as: deployer, action: 'iam:CreateRole', resource: x, context: withBoundary },
    // 2. Give it "*" on "*": only inside the boundary, which caps it.
    { name: 'put a policy on a role with the boundary', as: deployer, action: 'iam:PutRolePolicy', resource: x, context: withBoundary },
    { name: 'put a policy on a role without it', as: deployer, action: 'iam:PutRolePolicy', resource: x },
    { name: 'attach AdministratorAccess', as: deployer, action: 'iam:AttachRolePolicy', resource: x, context: withBoundary },
    { name: 'change the trust of a role without it', as: deployer, action: 'iam:UpdateAssumeRolePolicy', resource: x },
    // 3. Lift the cap: remove, swap or edit the boundary.
    { name: 'remove the boundary', as: deployer, action: 'iam:DeleteRolePermissionsBoundary', resource: x, context: withBoundary },
    { name: 'swap the boundary', as: deployer, action: 'iam:PutRolePermissionsBoundary', resource: x, context: { 'iam:PermissionsBoundary': `arn:aws:iam::${account}:policy/${names.base}-wide-open` } },
    { name: 'edit the boundary', as: deployer, action: 'iam:CreatePolicyVersion', resource: boundaryArn },
    // 4. Trust it from a CI role and assume it.
    { name: 'deploy role assumes it', as: deployer, action: 'sts:AssumeRole', resource: x, resourcePolicy: trusting(account, names.cicdDeployRoleName) },
    { name: 'plan role assumes it', as: planner, action: 'sts:AssumeRole', resource: x, resourcePolicy: trusting(account, names.cicdPlanRoleName) },
    // 5. Or hand it to a service that runs code, or hand a CI role itself.
    { name: 'pass it to Lambda', as: deployer, action: 'iam:PassRole', resource: x, context: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
    { name: 'pass the deploy role', as: deployer, action: 'iam:PassRole', resource: names.cicdDeployRoleArn(side), context: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
    { name: 'change the deploy role', as: deployer, action: 'iam:PutRolePolicy', resource: names.cicdDeployRoleArn(side), context: withBoundary },
    { name: 'tag another database role onto a role', as: deployer, action: 'iam:TagRole', resource: x, context: { 'aws:RequestTag/RedshiftDbRoles': 'analysts' } },
    { name: 'tag the pipeline database role onto a role', as: deployer, action: 'iam:TagRole', resource: x, context: { 'aws:RequestTag/RedshiftDbRoles': 'xetl_pipeline' } },
    // What the bounded role could do with "*" on "*".
    { name: 'x creates a role', as: made, action: 'iam:CreateRole', resource: role('anything'), context: withBoundary },
    { name: 'x widens itself', as: made, action: 'iam:PutRolePolicy', resource: x, context: withBoundary },
    { name: 'x removes its boundary', as: made, action: 'iam:DeleteRolePermissionsBoundary', resource: x },
    { name: 'x changes the deploy role', as: made, action: 'iam:UpdateAssumeRolePolicy', resource: names.cicdDeployRoleArn(side) },
    { name: 'x assumes the deploy role', as: made, action: 'sts:AssumeRole', resource: names.cicdDeployRoleArn(side) },
    { name: 'x reads the state', as: made, action: 's3:GetObject', resource: `${names.bucketArn(state.bucket)}/${names.stateKey(side)}` },
    { name: 'x writes the state', as: made, action: 's3:PutObject', resource: `${names.bucketArn(state.bucket)}/${names.stateKey(side)}` },
    { name: 'x deletes the lock', as: made, action: 'dynamodb:DeleteItem', resource: names.lockTableArn(side) },
    { name: 'x reads another team\'s bucket', as: made, action: 's3:GetObject', resource: 'arn:aws:s3:::other-team-data/file.csv' },
    { name: 'x launches an instance', as: made, action: 'ec2:RunInstances', resource: `arn:aws:ec2:${env.region}:${account}:instance/*` },
    { name: 'x deletes a key', as: made, action: 'kms:ScheduleKeyDeletion', resource: `arn:aws:kms:${env.region}:${account}:key/1` },
    { name: 'x reads the Redshift admin secret', as: made, action: 'secretsmanager:GetSecretValue', resource: `arn:aws:secretsmanager:${env.region}:${account}:secret:redshift!${names.redshiftNamespace}-admin-AbCdEf` },
    // Not vacuous: the pipeline's own work stays possible under the boundary.
    { name: 'x writes a pipeline bucket', as: made, action: 's3:PutObject', resource: `${names.bucketArn(side === 'analytics' ? names.stagingBucket : names.targetBucket)}/products/x` },
  ];
  const { allowed, reasons, outside } = decide(requests, [{ stack: stackPath(names.stackName(side)), boundary }]);
  const denied = (name: string) => expect({ name, allowed: allowed[name], why: reasons.find((r) => r.name === name)?.reason }).toEqual({ name, allowed: false, why: expect.any(String) });
  const granted = (name: string) => expect({ name, allowed: allowed[name] }).toEqual({ name, allowed: true });

  test('the deploy role creates a role only with the boundary, and changes only roles that carry it', () => {
    denied('create without a boundary');
    denied('create with another boundary');
    granted('create with the boundary');
    granted('put a policy on a role with the boundary');
    denied('put a policy on a role without it');
    denied('attach AdministratorAccess');
    denied('change the trust of a role without it');
  });

  test('nothing removes, swaps or edits the boundary', () => {
    denied('remove the boundary');
    denied('swap the boundary');
    denied('edit the boundary');
    denied('x removes its boundary');
  });

  test('no CI role can assume the role it made, nor pass or change a CI role', () => {
    denied('deploy role assumes it');
    denied('plan role assumes it');
    denied('pass the deploy role');
    denied('change the deploy role');
    granted('pass it to Lambda'); // then the code runs with at most the boundary, below
  });

  test('CI names no database role but the pipeline\'s in the RedshiftDbRoles tag', () => {
    denied('tag another database role onto a role');
    granted('tag the pipeline database role onto a role');
  });

  test('a role with "*" on "*" under the boundary reaches no IAM, CI role, state, foreign data or admin secret', () => {
    for (const n of [
      'x creates a role', 'x widens itself', 'x changes the deploy role', 'x assumes the deploy role', 'x reads the state', 'x writes the state',
      'x deletes the lock', 'x reads another team\'s bucket', 'x launches an instance', 'x deletes a key', 'x reads the Redshift admin secret',
    ]) denied(n);
    granted('x writes a pipeline bucket');
  });

  test('every statement of the stack\'s own roles fits under the boundary (CI can deploy the stack)', () => {
    expect(outside).toEqual([]);
  });

  test('every role of the stack carries the boundary', () => {
    const roles = Object.values(stackJson(names.stackName(side)).resource.aws_iam_role) as Array<{ name: string; permissions_boundary?: string }>;
    expect(roles.length).toBeGreaterThan(0);
    for (const r of roles) expect({ role: r.name, boundary: r.permissions_boundary }).toEqual({ role: r.name, boundary: boundaryArn });
  });
});

describe('dev/analytics: the MWAA role and the Redshift admin secret', () => {
  const account = names.accountId('analytics');
  const { boundary } = bootstrapPolicies('analytics');
  const mwaa: Caller = { roleName: names.mwaaRoleName, account, identityOf: { stack_path: stackPath(names.stackName('analytics')), role: names.mwaaRoleName }, boundary: [boundary] };
  const workgroup = `arn:aws:redshift-serverless:${env.region}:${account}:workgroup/00000000-0000-4000-8000-000000000000`;
  const { allowed } = decide([
    { name: 'admin secret', as: mwaa, action: 'secretsmanager:GetSecretValue', resource: `arn:aws:secretsmanager:${env.region}:${account}:secret:redshift!${names.redshiftNamespace}-admin-AbCdEf` },
    { name: 'sign in with IAM', as: mwaa, action: 'redshift-serverless:GetCredentials', resource: workgroup },
    { name: 'run SQL', as: mwaa, action: 'redshift-data:ExecuteStatement', resource: workgroup },
    { name: 'pipeline variable', as: mwaa, action: 'secretsmanager:GetSecretValue', resource: `arn:aws:secretsmanager:${env.region}:${account}:secret:${names.pipelineVariableSecret}-AbCdEf` },
  ]);

  test('MWAA may not read the admin secret; it signs in with IAM and runs SQL on the workgroup', () => {
    expect(allowed).toEqual({ 'admin secret': false, 'sign in with IAM': true, 'run SQL': true, 'pipeline variable': true });
  });
});
