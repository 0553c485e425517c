import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, TerraformResource, Testing } from 'cdktf';
import type {} from 'cdktf/lib/testing/adapters/jest';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { loadConfig, selectEnvironment, validateConfig } from '@xetl/config';
import { DEPLOYABLE_RESOURCE_TYPES, cicdGrants } from '../../constructs/src/cicd';
import { securityFindings } from '../../constructs/src/guards';
import { BootstrapStack } from './bootstrap-stack';
import { addEnvironmentStacks } from './compose';

const config = loadConfig();
type Statement = { Sid?: string; Effect: string; Principal?: any; Action: string | string[]; Resource?: string | string[]; Condition?: any };
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function synth(envName: string, side: 'source' | 'analytics', options = {}) {
  const app = Testing.app();
  const stack = new BootstrapStack(app, selectEnvironment(config, envName), side, options);
  const text = Testing.synth(stack);
  return { stack, text, json: JSON.parse(text) };
}

function role(json: any, name: string) {
  const [id, r] = Object.entries(json.resource.aws_iam_role).find(([, v]: any) => v.name === name) as [string, any];
  const policyRefs = Object.values(json.resource.aws_iam_role_policy_attachment)
    .filter((a: any) => a.role === `\${aws_iam_role.${id}.name}`)
    .map((a: any) => (a.policy_arn as string).replace(/^\$\{aws_iam_policy\.(.*)\.arn\}$/, '$1'));
  const statements: Statement[] = policyRefs.flatMap((ref) => JSON.parse(json.resource.aws_iam_policy[ref].policy).Statement);
  return { trust: JSON.parse(r.assume_role_policy).Statement as Statement[], statements, raw: r };
}

const HOST = 'token.actions.githubusercontent.com';
/** Verbs that change something. */
const CHANGING = /^[a-z0-9-]+:(Put|Create|Delete|Update|Attach|Detach|Tag|Untag|Set|Modify|Authorize|Revoke|Associate|Disassociate|Accept|Enable|Disable|Schedule|Replace|Pass|Subscribe|Unsubscribe|Rotate|Retire|Encrypt|GenerateDataKey|Start|Stop|Invoke|Run)/;

describe.each([
  ['source', '111111111111'],
  ['analytics', '222222222222'],
] as const)('BootstrapStack dev/%s (account %s)', (side, account) => {
  const { stack, text, json } = synth('dev', side);
  const provider = `arn:aws:iam::${account}:oidc-provider/${HOST}`;
  const plan = role(json, 'xetl-dev-cicd-plan');
  const deploy = role(json, 'xetl-dev-cicd-deploy');
  const bucket = `xetl-tfstate-${account}-eu-west-1`;

  test('is pinned to its account, tags its resources as bootstrap, and keeps its own state locally at first', () => {
    expect(json.provider.aws[0].allowed_account_ids).toEqual([account]);
    expect(json.provider.aws[0].default_tags[0].tags).toMatchObject({ stack: `xetl-dev-bootstrap-${side}`, 'xetl-bootstrap': 'true' });
    expect(json.terraform.backend).toEqual({ local: { path: `../../../bootstrap-state/xetl-dev-bootstrap-${side}.tfstate` } });
  });

  test('creates the state bucket and lock table the stacks\' backends name, protected from destroy although dev allows destroying data', () => {
    expect(selectEnvironment(config, 'dev').allowDestroyData).toBe(true);
    expect(text).toHaveResourceWithProperties(S3Bucket, { bucket, force_destroy: false, lifecycle: { prevent_destroy: true } });
    expect(text).toHaveResourceWithProperties(S3Bucket, { bucket: `${bucket}-logs`, force_destroy: false, lifecycle: { prevent_destroy: true } });
    expect(text).toHaveResourceWithProperties(DynamodbTable, {
      name: 'xetl-tfstate-lock', hash_key: 'LockID', attribute: [{ name: 'LockID', type: 'S' }],
      point_in_time_recovery: { enabled: true }, deletion_protection_enabled: true, lifecycle: { prevent_destroy: true },
    });
    const table: any = Object.values(json.resource.aws_dynamodb_table)[0];
    expect(table.server_side_encryption.enabled).toBe(true);
    expect(table.server_side_encryption.kms_key_arn).toMatch(/^\$\{aws_kms_key\./);
  });

  test('creates the GitHub OIDC provider with the STS audience', () => {
    expect(text).toHaveResourceWithProperties(IamOpenidConnectProvider, { url: `https://${HOST}`, client_id_list: ['sts.amazonaws.com'] });
  });

  test('the deploy role trusts only the deploy workflow\'s job in the dev GitHub environment, on main', () => {
    expect(text).toHaveResourceWithProperties(IamRole, { name: 'xetl-dev-cicd-plan' });
    expect(deploy.trust).toEqual([{
      Effect: 'Allow', Principal: { Federated: provider }, Action: ['sts:AssumeRoleWithWebIdentity'],
      Condition: {
        StringEquals: {
          [`${HOST}:aud`]: 'sts.amazonaws.com',
          [`${HOST}:job_workflow_ref`]: 'example-org/xetl/.github/workflows/deploy-stack.yml@refs/heads/main',
          [`${HOST}:ref`]: 'refs/heads/main',
          [`${HOST}:sub`]: 'repo:example-org/xetl:environment:dev',
        },
      },
    }]);
    expect(JSON.stringify(deploy.trust)).not.toContain('*');
  });

  test('the plan role trusts the plan workflow on main, and (dev only) on pull requests, the PR number its one wildcard', () => {
    expect(plan.trust.map((t) => t.Condition)).toEqual([
      {
        StringEquals: {
          [`${HOST}:aud`]: 'sts.amazonaws.com',
          [`${HOST}:job_workflow_ref`]: 'example-org/xetl/.github/workflows/ci.yml@refs/heads/main',
          [`${HOST}:ref`]: 'refs/heads/main',
          [`${HOST}:sub`]: 'repo:example-org/xetl:ref:refs/heads/main',
        },
      },
      {
        StringEquals: { [`${HOST}:aud`]: 'sts.amazonaws.com', [`${HOST}:sub`]: 'repo:example-org/xetl:pull_request' },
        StringLike: { [`${HOST}:job_workflow_ref`]: 'example-org/xetl/.github/workflows/ci.yml@refs/pull/*/merge' },
      },
    ]);
  });

  test('the pinned workflows exist, and each is the one that assumes its role', () => {
    const root = path.resolve(__dirname, '../../..');
    const read = (f: string) => fs.readFileSync(path.join(root, f), 'utf8');
    expect(read('.github/workflows/deploy-stack.yml')).toMatch(/role-to-assume: \$\{\{ vars\[steps\.info\.outputs\.deploy-role-var\] \}\}/);
    expect(read('.github/workflows/ci.yml')).toMatch(/role-to-assume: \$\{\{ vars\[steps\.info\.outputs\.plan-role-var\] \}\}/);
    expect(read('.github/workflows/deploy-stack.yml')).toMatch(/^\s+environment: \$\{\{ inputs\.environment \}\}$/m);
  });

  test('the plan role reads no secret but the pipeline variable (names), and decrypts only through a service', () => {
    const allows = plan.statements.filter((s) => s.Effect === 'Allow');
    const secretValues = allows.filter((s) => list(s.Action).includes('secretsmanager:GetSecretValue'));
    expect(secretValues.map((s) => s.Resource)).toEqual(side === 'analytics'
      ? [`arn:aws:secretsmanager:eu-west-1:${account}:secret:airflow/variables/xetl_pipeline-??????`] : []);
    for (const s of allows.filter((x) => list(x.Action).includes('kms:Decrypt'))) {
      expect({ sid: s.Sid, via: s.Condition?.StringEquals?.['kms:ViaService'] }).toEqual({ sid: s.Sid, via: expect.anything() });
    }
  });

  test('no Allow anywhere in the stack has a * action, and the stack passes the security guards', () => {
    const all = [...plan.statements, ...deploy.statements];
    expect(all.filter((s) => s.Effect === 'Allow').flatMap((s) => list(s.Action)).filter((a) => a.includes('*'))).toEqual([]);
    // The exemptions the constructs declare (the access-log bucket cannot use a CMK), as SecurityGuards reads them.
    const exemptions = new Map<string, Set<any>>();
    for (const c of stack.node.findAll()) {
      for (const m of c.node.metadata.filter((x) => x.type === 'xetl:guard-exemption')) {
        // Testing.synth leaves out construct paths, so findings name resources as <type>.<logical id>.
        const key = c instanceof TerraformResource ? `${c.terraformResourceType}.${c.friendlyUniqueId}` : c.node.path;
        exemptions.set(key, new Set([...(exemptions.get(key) ?? []), (m.data as any).rule]));
      }
    }
    expect(securityFindings(json, exemptions)).toEqual([]);
  });

  test('the plan role can change nothing but the lock item', () => {
    const changing = plan.statements.filter((s) => s.Effect === 'Allow')
      .flatMap((s) => list(s.Action).filter((a) => CHANGING.test(a)).map((a) => ({ a, s })));
    for (const { a, s } of changing) {
      if (a.startsWith('dynamodb:')) {
        // Only the lock item of this environment's stack, in the lock table.
        expect(s.Resource).toBe(`arn:aws:dynamodb:eu-west-1:${account}:table/xetl-tfstate-lock`);
        expect(s.Condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [`${bucket}/xetl/dev/xetl-dev-${side}.tfstate`] } });
      } else {
        // KMS encryption only through DynamoDB, for the lock table (DynamoDB encrypts the lock item with the caller's rights).
        expect(a).toMatch(/^kms:(Encrypt|GenerateDataKey)$/);
        expect(s.Condition.StringEquals['kms:ViaService']).toBe('dynamodb.eu-west-1.amazonaws.com');
        expect(s.Condition.StringEquals['kms:EncryptionContext:aws:dynamodb:tableName']).toBe('xetl-tfstate-lock');
      }
    }
    // Nothing on state objects but reading this side's own key.
    const onState = plan.statements.filter((s) => list(s.Resource).some((r) => r.startsWith(`arn:aws:s3:::${bucket}/`)));
    expect(onState).toEqual([{ Sid: 'StateObject', Effect: 'Allow', Action: ['s3:GetObject'], Resource: `arn:aws:s3:::${bucket}/xetl/dev/xetl-dev-${side}.tfstate` }]);
  });

  test('no CI role may assume a role, so a role that trusts one gains it nothing', () => {
    for (const r of [plan, deploy]) {
      expect(r.statements).toContainEqual({ Sid: 'DenyAssumingRoles', Effect: 'Deny', Action: ['sts:AssumeRole'], Resource: '*' });
    }
  });

  test('the deploy role creates and changes roles only with the boundary, never removes it, and changes no managed policy', () => {
    const boundaryArn = `arn:aws:iam::${account}:policy/xetl-dev-cicd-boundary`;
    const bounded = deploy.statements.find((s) => s.Sid === 'RolesWithBoundary');
    expect(bounded).toEqual({
      Sid: 'RolesWithBoundary', Effect: 'Allow', Resource: `arn:aws:iam::${account}:role/xetl-dev-*`,
      Action: ['iam:CreateRole', 'iam:DeleteRole', 'iam:DeleteRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:UpdateRole', 'iam:UpdateRoleDescription'],
      Condition: { StringEquals: { 'iam:PermissionsBoundary': boundaryArn } },
    });
    // No other Allow holds a role-changing IAM action.
    const unbounded = deploy.statements.filter((s) => s.Effect === 'Allow' && s.Sid !== 'RolesWithBoundary')
      .flatMap((s) => list(s.Action)).filter((a) => a.startsWith('iam:') && !/^iam:(Get|List|TagRole|UntagRole|PassRole|CreateServiceLinkedRole)/.test(a));
    expect(unbounded).toEqual([]);
    expect(deploy.statements.find((s) => s.Sid === 'DenyRemovingPermissionsBoundaries')).toMatchObject({ Effect: 'Deny', Action: ['iam:DeleteRolePermissionsBoundary'], Resource: '*' });
    expect(deploy.statements.find((s) => s.Sid === 'DenyChangingManagedPolicies')).toMatchObject({ Effect: 'Deny', Resource: '*' });
    // The boundary itself: a managed policy of this stack, named as the condition says.
    expect(Object.values(json.resource.aws_iam_policy).map((p: any) => p.name)).toContain('xetl-dev-cicd-boundary');
    expect(json.output.permissions_boundary_arn).toBeDefined();
  });

  test('the deploy role writes only its own state object and digest, and may not touch the CI roles or the state bucket', () => {
    const stateObject = deploy.statements.find((s) => s.Sid === 'StateObject');
    expect(stateObject).toEqual({ Sid: 'StateObject', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `arn:aws:s3:::${bucket}/xetl/dev/xetl-dev-${side}.tfstate` });
    const deny = (sid: string) => deploy.statements.find((s) => s.Sid === sid && s.Effect === 'Deny');
    expect(deny('DenyChangingCiRoles')?.Resource).toEqual([`arn:aws:iam::${account}:role/xetl-dev-cicd-deploy`, `arn:aws:iam::${account}:role/xetl-dev-cicd-plan`]);
    expect(list(deny('DenyChangingCiRoles')?.Action)).toEqual(expect.arrayContaining(['iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:PassRole']));
    expect(deny('DenyChangingStateBucket')?.Resource).toEqual([`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}-logs`]);
    expect(deny('DenyChangingBootstrapResources')?.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/xetl-bootstrap': 'true' } });
  });

  test('actions IAM authorizes on no resource type are granted on "*" (a named resource would grant nothing), with the conditions the service supports', () => {
    const find = (sid: string) => deploy.statements.find((s) => s.Sid === sid);
    expect(find('EventBusPermissions')).toMatchObject({ Action: ['events:PutPermission', 'events:RemovePermission'], Resource: '*' });
    expect(list(find('Events')?.Action)).not.toContain('events:PutPermission');
    if (side === 'analytics') {
      expect(find('LogGroupList')).toMatchObject({ Action: ['logs:DescribeLogGroups'], Resource: '*' });
      expect(plan.statements.find((s) => s.Sid === 'LogGroupList')).toMatchObject({ Action: ['logs:DescribeLogGroups'], Resource: '*' });
      expect(find('FunctionEventSourceCreate')).toEqual({
        Sid: 'FunctionEventSourceCreate', Effect: 'Allow', Action: ['lambda:CreateEventSourceMapping'], Resource: '*',
        Condition: { ArnLike: { 'lambda:FunctionArn': `arn:aws:lambda:eu-west-1:${account}:function:xetl-dev-*` } },
      });
      expect(find('GlueCrawlerCreate')).toEqual({
        Sid: 'GlueCrawlerCreate', Effect: 'Allow', Action: ['glue:CreateCrawler'], Resource: '*',
        Condition: { StringEquals: { 'aws:RequestTag/stack': 'xetl-dev-analytics' } },
      });
      expect(find('TopicSubscriptions')).toMatchObject({
        Action: ['sns:GetSubscriptionAttributes', 'sns:SetSubscriptionAttributes', 'sns:Unsubscribe'], Resource: '*',
      });
      expect(plan.statements.find((s) => s.Sid === 'TopicSubscriptions')).toMatchObject({ Action: ['sns:GetSubscriptionAttributes'], Resource: '*' });
      for (const sid of ['Glue', 'Topic', 'FunctionEventSources']) {
        expect(list(find(sid)?.Action).filter((a) => /CreateCrawler|SubscriptionAttributes|Unsubscribe|CreateEventSourceMapping/.test(a))).toEqual([]);
      }
    }
  });

  test('every Allow names the environment\'s resources, or is a documented broader grant', () => {
    const doc = fs.readFileSync(path.resolve(__dirname, '../../../docs/ci-cd.md'), 'utf8');
    const grants = cicdGrants(new BootstrapStack(Testing.app(), selectEnvironment(config, 'dev'), side).names, side);
    for (const g of grants) {
      const scoped = g.resources.every((r) => /xetl-dev|xetl_dev|xetl-tfstate|airflow\/|:parameter\/xetl\/dev$/.test(r)) && !g.condition?.StringEquals?.['kms:ViaService'];
      if (!scoped) {
        expect({ sid: g.sid, broader: g.broader }).toEqual({ sid: g.sid, broader: expect.any(String) });
        // docs/ci-cd.md lists every broader grant by its Sid.
        expect({ sid: g.sid, documented: doc.includes(`\`${g.sid}\``) }).toEqual({ sid: g.sid, documented: true });
      }
    }
  });
});

describe('BootstrapStack in an account shared by two environments', () => {
  test('stage (same account A as dev) creates only its roles and refers to dev\'s provider, bucket and table', () => {
    const { text, json } = synth('stage', 'source');
    expect(Object.keys(json.resource).sort()).toEqual(['aws_iam_policy', 'aws_iam_role', 'aws_iam_role_policy_attachment']);
    expect(text).not.toHaveResource(IamOpenidConnectProvider);
    const trust = role(json, 'xetl-stage-cicd-deploy').trust;
    expect(trust[0].Principal).toEqual({ Federated: `arn:aws:iam::111111111111:oidc-provider/${HOST}` });
    expect(trust[0].Condition.StringEquals[`${HOST}:sub`]).toBe('repo:example-org/xetl:environment:stage');
  });

  test.each(['stage', 'prod'])('%s: no role of its bootstrap stacks can be assumed by GitHub outside main', (envName) => {
    for (const side of ['source', 'analytics'] as const) {
      const { json } = synth(envName, side);
      for (const r of Object.values(json.resource.aws_iam_role) as any[]) {
        for (const t of JSON.parse(r.assume_role_policy).Statement) {
          expect(t.Condition.StringEquals[`${HOST}:ref`]).toBe('refs/heads/main');
          expect(t.Condition.StringEquals[`${HOST}:job_workflow_ref`]).toMatch(/@refs\/heads\/main$/);
          expect(t.Condition.StringLike).toBeUndefined();
          expect(t.Condition.StringEquals[`${HOST}:sub`]).not.toContain('pull_request');
        }
      }
    }
  });

  test('after the first apply, XETL_BOOTSTRAP_BACKEND=s3 moves its state into the bucket it created', () => {
    const { json } = synth('dev', 'analytics', { backend: 's3' });
    expect(json.terraform.backend.s3).toEqual({
      bucket: 'xetl-tfstate-222222222222-eu-west-1', key: 'xetl/dev/xetl-dev-bootstrap-analytics.tfstate',
      region: 'eu-west-1', dynamodb_table: 'xetl-tfstate-lock', encrypt: true,
    });
  });

  test('stage, which shares account A and its state backend with dev, names dev\'s bootstrap as the owner and creates neither', () => {
    const { json } = synth('stage', 'source');
    expect(json.resource.aws_s3_bucket).toBeUndefined();
    expect(json.resource.aws_dynamodb_table).toBeUndefined();
  });

  test('prod protects its state bucket and table from destroy', () => {
    const { json } = synth('prod', 'analytics');
    const table: any = Object.values(json.resource.aws_dynamodb_table)[0];
    expect(table.deletion_protection_enabled).toBe(true);
    expect(table.lifecycle.prevent_destroy).toBe(true);
    const bucket: any = Object.values(json.resource.aws_s3_bucket).find((b: any) => b.bucket === 'xetl-tfstate-555555555555-eu-west-1');
    expect(bucket.lifecycle.prevent_destroy).toBe(true);
  });
});

describe('compose', () => {
  test('adds bootstrap stacks only for environments with cicd', () => {
    const app = new App({ outdir: fs.mkdtempSync('/tmp/xetl-compose-') });
    const { environments } = validateConfig({
      environments: {
        qa: { region: 'eu-west-1', accounts: { source: '111111111111', analytics: '222222222222' }, localOnly: true },
        dev: {
          region: 'eu-west-1', accounts: { source: '111111111111', analytics: '222222222222' }, airflow: { secretsPrefix: 'airflow-dev' },
          state: { source: { bucket: 'state-a-111111111111', dynamodbTable: 'locks' }, analytics: { bucket: 'state-b-222222222222', dynamodbTable: 'locks' } },
          cicd: { githubRepository: 'o/r' },
        },
      },
    });
    addEnvironmentStacks(app, environments);
    expect(app.node.children.map((c) => c.node.id).sort()).toEqual([
      'xetl-dev-analytics', 'xetl-dev-bootstrap-analytics', 'xetl-dev-bootstrap-source', 'xetl-dev-source', 'xetl-qa-analytics', 'xetl-qa-source',
    ]);
  });
});

describe('the deploy role covers every resource type of the stacks it deploys', () => {
  test.each(['source', 'analytics'] as const)('%s', (side) => {
    const app = new App({ outdir: fs.mkdtempSync('/tmp/xetl-types-') });
    addEnvironmentStacks(app, [selectEnvironment(config, 'dev')]);
    const stack = app.node.findChild(`xetl-dev-${side}`) as any;
    const types = Object.keys(JSON.parse(Testing.synth(stack)).resource ?? {}).sort();
    const missing = types.filter((t) => !DEPLOYABLE_RESOURCE_TYPES[side].includes(t));
    // A new type needs its permissions in libs/constructs/src/cicd/cicd-permissions.ts (docs/ci-cd.md).
    expect(missing).toEqual([]);
  });
});
