// Types of cdktf's jest matchers (registered at runtime by Testing.setupJest in the jest setup).
import type {} from 'cdktf/lib/testing/adapters/jest';
import { Testing } from 'cdktf';
import { RedshiftserverlessNamespace } from '@cdktf/provider-aws/lib/redshiftserverless-namespace';
import { RedshiftserverlessWorkgroup } from '@cdktf/provider-aws/lib/redshiftserverless-workgroup';
import { applyDefaults, Naming } from '@xetl/config';
import { ScopedRole } from '../iam/scoped-role';
import { DataKey } from '../storage/data-key';
import { resourcesOf, roleStatements, synthJson, testStack } from '../test-helpers';
import { ServerlessWarehouse } from './serverless-warehouse';

const env = applyDefaults('dev', { region: 'eu-west-1', accounts: { source: '111111111111', analytics: '222222222222' } });
const names = new Naming(env);

function build(usageLimit?: ConstructorParameters<typeof ServerlessWarehouse>[2]['usageLimit']) {
  const stack = testStack();
  const key = new DataKey(stack, 'Key', { alias: names.analyticsKeyAlias, description: 'test', accountId: '222222222222' });
  const warehouse = new ServerlessWarehouse(stack, 'Warehouse', {
    names, encryptionKey: key, subnetIds: ['subnet-a', 'subnet-b', 'subnet-c'], securityGroupIds: ['sg-r'],
    baseCapacity: 8, maxCapacity: 32, databaseName: 'dev', logRetentionDays: 30, usageLimit,
  });
  const caller = new ScopedRole(stack, 'Caller', { roleName: 'caller', accountId: '222222222222', description: 'test', trustedServices: ['airflow.amazonaws.com'] });
  warehouse.grantRunQueries(caller, { databaseRoles: ['xetl_pipeline'] });
  return { stack, json: synthJson(stack), raw: Testing.synth(stack) };
}


describe('ServerlessWarehouse', () => {
  const { json, raw } = build();

  test('keeps the workgroup private: not public, enhanced VPC routing, SSL required, three subnets', () => {
    expect(raw).toHaveResourceWithProperties(RedshiftserverlessWorkgroup, {
      workgroup_name: 'xetl-dev',
      publicly_accessible: false,
      enhanced_vpc_routing: true,
      base_capacity: 8,
      max_capacity: 32,
      subnet_ids: ['subnet-a', 'subnet-b', 'subnet-c'],
      config_parameter: expect.arrayContaining([{ parameter_key: 'require_ssl', parameter_value: 'true' }]),
    });
  });

  test('sets every workgroup parameter the API returns, so a second plan shows no diff', () => {
    const [wg] = resourcesOf(json, 'aws_redshiftserverless_workgroup') as any[];
    const params = Object.fromEntries(wg.config_parameter.map((p: any) => [p.parameter_key, p.parameter_value]));
    expect(params).toEqual({
      auto_mv: 'true', datestyle: 'ISO, MDY', enable_case_sensitive_identifier: 'false', enable_user_activity_logging: 'true',
      max_query_execution_time: '14400', query_group: 'default', require_ssl: 'true', search_path: '$user, public', use_fips_ssl: 'false',
    });
    // The API also returns keys provider 5.100.0 cannot accept (enable_large_strings_opt_in, 2026).
    expect(wg.lifecycle).toEqual({ ignore_changes: ['config_parameter'] });
  });

  test('lets Secrets Manager manage the admin password of a named admin user; no password anywhere', () => {
    expect(raw).toHaveResourceWithProperties(RedshiftserverlessNamespace, {
      manage_admin_password: true,
      admin_username: 'xetl_admin',
      log_exports: ['connectionlog', 'useractivitylog', 'userlog'],
    });
    const [ns] = resourcesOf(json, 'aws_redshiftserverless_namespace');
    expect(ns.admin_user_password).toBeUndefined();
    expect(ns.kms_key_id).toMatch(/aws_kms_key/);
    expect(ns.admin_password_secret_kms_key_id).toMatch(/aws_kms_key/);
    expect(ns.iam_roles).toEqual([ns.default_iam_role_arn]);
  });

  test("exports its logs into the account's per-type log groups, created first with retention and the key", () => {
    const groups = Object.entries(json.resource.aws_cloudwatch_log_group) as Array<[string, any]>;
    expect(groups.map(([, g]) => g.name)).toEqual(['/aws/redshift/serverless/connectionlog', '/aws/redshift/serverless/useractivitylog', '/aws/redshift/serverless/userlog']);
    for (const [, g] of groups) expect(g).toMatchObject({ retention_in_days: 30, kms_key_id: expect.stringMatching(/aws_kms_key/) });
    const [ns] = resourcesOf(json, 'aws_redshiftserverless_namespace') as any[];
    expect(ns.depends_on).toEqual(groups.map(([k]) => `aws_cloudwatch_log_group.${k}`));
  });

  test("lets the Redshift role assume exactly account A's unload role, trusted by both Redshift services", () => {
    const statements = roleStatements(json, 'xetl-dev-redshift');
    expect(statements).toEqual([
      { Sid: 'ChainIntoUnloadRole', Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: 'arn:aws:iam::111111111111:role/xetl-dev-unload' },
    ]);
    const role = resourcesOf(json, 'aws_iam_role').find((r) => r.name === 'xetl-dev-redshift');
    expect(JSON.parse(String(role?.assume_role_policy)).Statement[0].Principal.Service).toEqual(['redshift-serverless.amazonaws.com', 'redshift.amazonaws.com']);
  });

  test('grantRunQueries: SQL on the workgroup only, as the role itself (IAM), own statements only, never the admin secret', () => {
    const statements = roleStatements(json, 'caller');
    const bySid = Object.fromEntries(statements.filter((s) => s.Sid).map((s) => [s.Sid, s]));
    expect(bySid.RunSqlOnWorkgroup).toMatchObject({
      Action: ['redshift-data:BatchExecuteStatement', 'redshift-data:ExecuteStatement'], Resource: expect.stringMatching(/aws_redshiftserverless_workgroup\..*\.arn/),
    });
    // The Data API signs the role in with temporary credentials from GetCredentials (no SecretArn).
    expect(bySid.SignInWithIam).toEqual({
      Sid: 'SignInWithIam', Effect: 'Allow', Action: ['redshift-serverless:GetCredentials'],
      Resource: expect.stringMatching(/^\$\{aws_redshiftserverless_workgroup\..*\.arn\}$/),
    });
    // Exactly what RedshiftDataOperator/Hook and RedshiftDataTrigger (provider 9.12.0) call on statements.
    expect(bySid.ReadOwnStatements.Action).toEqual(['redshift-data:CancelStatement', 'redshift-data:DescribeStatement', 'redshift-data:GetStatementResult']);
    expect(statements.flatMap((s) => s.Action)).not.toContain('secretsmanager:GetSecretValue');
    expect(JSON.stringify(statements)).not.toContain('admin_password_secret_arn');
    for (const s of statements) for (const a of s.Action) expect(a).not.toContain('*');
  });

  test('grantRunQueries: the role signs in as a database user holding exactly the named database roles (RedshiftDbRoles tag)', () => {
    const role = resourcesOf(json, 'aws_iam_role').find((r) => r.name === 'caller');
    expect(role?.tags).toEqual({ RedshiftDbRoles: 'xetl_pipeline' });
    // No key grant for reading a secret through Secrets Manager: the caller reads none.
    const [key] = resourcesOf(json, 'aws_kms_key');
    const viaSecrets = JSON.parse(String(key.policy)).Statement.filter((s: any) => s.Condition?.StringEquals?.['kms:ViaService']?.startsWith('secretsmanager.'));
    expect(viaSecrets).toEqual([]);
  });

  test('grantRunQueries refuses database role names Redshift would not match', () => {
    const stack = testStack();
    const key = new DataKey(stack, 'Key', { alias: names.analyticsKeyAlias, description: 'test', accountId: '222222222222' });
    const warehouse = new ServerlessWarehouse(stack, 'Warehouse', {
      names, encryptionKey: key, subnetIds: ['subnet-a'], securityGroupIds: ['sg-r'], baseCapacity: 8, maxCapacity: 32, databaseName: 'dev', logRetentionDays: 30,
    });
    const caller = new ScopedRole(stack, 'Caller', { roleName: 'caller', accountId: '222222222222', description: 'test', trustedServices: ['airflow.amazonaws.com'] });
    expect(() => warehouse.grantRunQueries(caller, { databaseRoles: [] })).toThrow('name at least one database role');
    expect(() => warehouse.grantRunQueries(caller, { databaseRoles: ['a:b'] })).toThrow('database role "a:b"');
  });

  test("reads back statements of any session of the caller's role: the triggerer polls under another session name", () => {
    const { ReadOwnStatements } = Object.fromEntries(roleStatements(json, 'caller').filter((s) => s.Sid).map((s) => [s.Sid, s]));
    const roles = json.resource.aws_iam_role;
    const callerId = Object.keys(roles).find((k) => roles[k].name === 'caller');
    expect(ReadOwnStatements).toMatchObject({
      Resource: '*',
      Condition: { StringLike: { 'redshift-data:statement-owner-iam-userid': `\${aws_iam_role.${callerId}.unique_id}:*` } },
    });
  });
});

describe('ServerlessWarehouse usage limit', () => {
  test('without one configured, the workgroup has no limit', () => {
    expect(resourcesOf(build().json, 'aws_redshiftserverless_usage_limit')).toEqual([]);
  });

  test('caps the workgroup\'s compute per day in RPU-hours, with the configured breach action', () => {
    const { json } = build({ dailyRpuHours: 12, breachAction: 'deactivate' });
    const [workgroupId] = Object.keys(json.resource.aws_redshiftserverless_workgroup);
    expect(resourcesOf(json, 'aws_redshiftserverless_usage_limit')).toEqual([{
      resource_arn: `\${aws_redshiftserverless_workgroup.${workgroupId}.arn}`,
      usage_type: 'serverless-compute',
      period: 'daily',
      amount: 12,
      breach_action: 'deactivate',
    }]);
  });
});
