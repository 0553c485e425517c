import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { execFileSync } from 'node:child_process';
import { Naming, PARKED_COUNT, PARKED_ENABLED, PIPELINE_VARIABLE_FIELDS, loadConfig, pipelineVariable, selectEnvironment, type EnvironmentConfig } from '@xetl/config';
import { AnalyticsAccountStack } from './analytics-account-stack';
import { glueLibraryZip, triggerZip } from './pipeline-packages';

/** The entry names of a zip, as Python's zipfile (what Glue and Lambda use) reads them. */
const zipNames = (zip: string): string[] =>
  JSON.parse(execFileSync('python3', ['-c', 'import json,sys,zipfile; print(json.dumps(zipfile.ZipFile(sys.argv[1]).namelist()))', zip], { encoding: 'utf8' }));

const config = loadConfig();
type Statement = { Sid?: string; Effect: string; Principal?: any; Action: string | string[]; Resource?: string | string[]; Condition?: any };

/** A repository-shaped fixture: the stack builds its packages from these sources at synth. */
function fixtureRoot(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xetl-analytics-'));
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  // What ships to MWAA ...
  write('dags/xetl_products_pipeline.py', 'DAG_ID = "xetl_products_pipeline"\n');
  write('dags/xetl_tasks/__init__.py', '');
  write('dags/xetl_tasks/aws.py', 'x = 1\n');
  write('dags/xetl_tasks/contract/pipeline_contract.json', '{}');
  write('dags/requirements.txt', '--constraint "/usr/local/airflow/dags/constraints-3.0.6-3.12.txt"\n');
  write('dags/constraints-3.0.6-3.12.txt', 'apache-airflow==3.0.6\n');
  write('dags/.airflowignore', 'xetl_tasks/\n');
  write('sql/xetl_sql/__init__.py', '');
  write('sql/xetl_sql/render.py', 'x = 1\n');
  write('sql/xetl_sql/queries/unload_partition.sql', 'unload;\n');
  // ... and what must not: tests, local stand-ins, benchmarks, tool files, caches, notes.
  write('dags/bench_parse.py', 'bench\n');
  write('dags/local_run.py', 'local\n');
  write('dags/requirements-dev.txt', 'pytest\n');
  write('dags/project.json', '{}');
  write('dags/README.md', '# dags\n');
  write('dags/tests/test_dag.py', 'def test(): pass\n');
  write('dags/xetl_tasks/local.py', 'local\n');
  write('dags/xetl_tasks/local_warehouse.py', 'local\n');
  write('dags/xetl_tasks/__pycache__/aws.cpython-312.pyc', 'bytes');
  write('dags/xetl_tasks/tests/test_aws.py', 'def test(): pass\n');
  write('dags/xetl_tasks/notes.md', 'notes\n');
  write('sql/xetl_sql/tests/test_render.py', 'def test(): pass\n');
  write('sql/xetl_sql/conftest.py', 'x = 1\n');
  // The assets bucket: the Glue job and library, the migrations (not tests, queries or dbt models).
  write('glue-scripts/xetl_products_job.py', 'print("job")\n');
  write('glue-scripts/xetl_transform/__init__.py', '');
  write('glue-scripts/xetl_transform/contract.py', 'COLUMNS = ()\n');
  write('glue-scripts/xetl_transform/__pycache__/contract.cpython-311.pyc', 'cache');
  write('apps/trigger/xetl_trigger/__init__.py', '');
  write('apps/trigger/xetl_trigger/handler.py', 'def handler(event, context): pass\n');
  write('apps/trigger/xetl_trigger/local_poller.py', 'LOCAL_ONLY = True\n');
  write('sql/migrations/0001_schema.sql', 'create schema if not exists xetl;\n');
  write('sql/tests/fixture.sql', 'select 1;\n');
  write('sql/dbt/models/products.sql', 'select 1\n');
  return dir;
}

/** The fixture with the built files AWS environments ship: the dbt stage's (npx nx run dbt:package) and
 * the Glue job's jar (npx nx run glue-scripts:jar). */
function withDbtPackage(dir: string): string {
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  write('dist/dbt/project/dbt_project.yml', 'name: xetl\n');
  write('dist/dbt/project/profiles.yml', 'xetl: {}\n');
  write('dist/dbt/project/models/marts/daily_category_summary.sql', 'select 1\n');
  write('dist/dbt/project/target/manifest.json', '{}');
  write('dist/dbt/project/target/run_results.json', '{}');  // dbt output that must not ship
  write('dist/mwaa/plugins.zip', 'PK');
  write('dist/mwaa/startup.sh', '#!/bin/sh\n');
  write('dist/glue-scripts/xetl-transform.jar', 'PK');
  return dir;
}

const root = withDbtPackage(fixtureRoot());

function synth(envName: string, repoRoot = root, change: (env: EnvironmentConfig) => EnvironmentConfig = (e) => e) {
  const app = Testing.app();
  const stack = new AnalyticsAccountStack(app, change(selectEnvironment(config, envName)), { repoRoot });
  const text = Testing.synth(stack);
  return { text, json: JSON.parse(text) };
}

function statements(json: any, types: string[]): Statement[] {
  // The airflow.env endpoint carries no policy (see AnalyticsNetwork): only resources with one.
  return types.flatMap((type) => Object.values(json.resource[type] ?? {}).filter((r: any) => r.policy !== undefined).flatMap((r: any) => JSON.parse(r.policy).Statement));
}

/** Actions that have no resource-level permission (or an AWS-owned resource); each is explained in the constructs. */
const WILDCARD_RESOURCE_ACTIONS = new Set([
  's3:GetAccountPublicAccessBlock', 'cloudwatch:PutMetricData', 'logs:DescribeLogGroups',
  'redshift-data:CancelStatement', 'redshift-data:DescribeStatement', 'redshift-data:GetStatementResult',
  // The trigger Lambda's VPC network interfaces (docs/event-trigger.md, the documented exception).
  'ec2:AssignPrivateIpAddresses', 'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface',
  'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:UnassignPrivateIpAddresses',
  // The chat channel role's read-only notification context (ChatChannels), only with notifications.chat.
  'cloudwatch:DescribeAlarmHistory', 'cloudwatch:DescribeAlarms', 'cloudwatch:GetMetricData',
  'cloudwatch:GetMetricWidgetImage', 'cloudwatch:ListMetrics',
]);

describe.each(config.environments.map((e) => e.name))('AnalyticsAccountStack (%s)', (envName) => {
  const { text, json } = synth(envName);
  const env = selectEnvironment(config, envName);

  test('synthesizes, pinned to account B', () => {
    expect(json.provider.aws[0].allowed_account_ids).toEqual([env.accounts.analytics]);
    for (const type of ['aws_redshiftserverless_workgroup', 'aws_mwaa_environment', 'aws_glue_job', 'aws_glue_crawler', 'aws_sns_topic', 'aws_secretsmanager_secret']) {
      expect(Object.keys(json.resource[type] ?? {})).toHaveLength(1);
    }
  });

  test('has no secret-looking literal anywhere in its JSON', () => {
    expect(text).not.toMatch(/AKIA[0-9A-Z]{16}/);
    expect(text).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
    expect(text).not.toMatch(/"admin_user_password"|"master_password"|"password"\s*:/i);
    // key ending in password/secret/token/secret_key/access_key with a literal value (not a reference or ARN)
    const literal = /"[A-Za-z_.-]*(password|passwd|secret|token|secret_key|access_key)"\s*:\s*"(?!\$\{|arn:)[^"]{6,}"/gi;
    expect(text.match(literal) ?? []).toEqual([]);
    // the same inside the JSON strings Terraform receives (escaped quotes)
    const escaped = /\\"[A-Za-z_.-]*(password|passwd|secret|token)\\"\s*:\s*\\"(?!\$\{|arn:)[^\\"]{6,}\\"/gi;
    expect(text.match(escaped) ?? []).toEqual([]);
  });

  test('every IAM Allow is scoped: no wildcard action, named resources except the documented exceptions', () => {
    const identity = statements(json, ['aws_iam_role_policy']).filter((s) => s.Effect === 'Allow');
    expect(identity.length).toBeGreaterThan(20);
    for (const s of identity) {
      const actions = [s.Action].flat();
      for (const a of actions) expect(a).not.toContain('*');
      if ([s.Resource].flat().includes('*')) {
        expect(actions.filter((a) => !WILDCARD_RESOURCE_ACTIONS.has(a))).toEqual([]);
      }
    }
    for (const s of statements(json, ['aws_kms_key', 'aws_s3_bucket_policy', 'aws_sns_topic_policy', 'aws_vpc_endpoint']).filter((x) => x.Effect === 'Allow')) {
      for (const a of [s.Action].flat()) expect(a).not.toContain('*');
    }
  });

  test('keeps inline role policies under IAM size limits', () => {
    for (const p of Object.values(json.resource.aws_iam_role_policy) as any[]) expect(p.policy.length).toBeLessThan(10240);
  });

  test("writes the xetl_pipeline variable with account A's names from Naming and B's from Terraform", () => {
    const [version] = Object.values(json.resource.aws_secretsmanager_secret_version) as any[];
    const value = JSON.parse(version.secret_string.replace(/\$\{[^}]*\}/g, (m: string) => m.replace(/"/g, "'")));
    // Exactly the contract's builder: names from Naming, the two deploy-time values from Terraform.
    expect(value).toEqual(pipelineVariable(new Naming(env), env, {
      snsTopicArn: value.sns_topic_arn, targetKmsKeyArn: value.target_kms_key_arn, redshiftEndpoint: value.redshift_endpoint,
      chatTopicArn: value.chat_topic_arn, airflowUrl: value.airflow_url,
    }));
    // No chat channel in the shipped config: no chat topic, and the DAG publishes no chat message.
    expect(value.chat_topic_arn).toBe('');
    // A parkable environment reads the URL over the environment's instances: "" while parked.
    const url = env.parkable ? `join\\('', aws_mwaa_environment\\..*\\[\\*\\]\\.webserver_url\\)` : 'aws_mwaa_environment\\..*\\.webserver_url';
    expect(value.airflow_url).toMatch(new RegExp(`^\\$\\{replace\\(${url}, '/\\^\\(\\?:https://\\)\\?\\(\\.\\+\\)\\$/', 'https://\\$1'\\)\\}$`));
    expect(value.redshift_endpoint).toMatch(/aws_redshiftserverless_workgroup\..*\.endpoint\[0\]\.address/);
    expect(Object.keys(value)).toEqual(Object.keys(PIPELINE_VARIABLE_FIELDS));
    expect(value.sns_topic_arn).toMatch(/^\$\{aws_sns_topic\..*\.arn\}$/);
    expect(value.target_kms_key_arn).toBe(`\${coalesce(var.source_data_key_arn, '${new Naming(env).dataKeyAliasArn}')}`);
    // The DAG authenticates to Redshift with its IAM role: no credentials in the variable.
    expect(value).not.toHaveProperty('redshift_secret_arn');
    expect(value.unload_role_chain).toBe(`arn:aws:iam::${env.accounts.analytics}:role/xetl-${envName}-redshift,arn:aws:iam::${env.accounts.source}:role/xetl-${envName}-unload`);
    const [secret] = Object.values(json.resource.aws_secretsmanager_secret) as any[];
    expect(secret).toMatchObject({ name: 'airflow/variables/xetl_pipeline', kms_key_id: expect.stringMatching(/aws_kms_key/) });
  });

  test("uploads exactly the DAG bundle's allow-list to MWAA's bucket, and the Glue code and migrations to the assets bucket", () => {
    const objects = Object.values(json.resource.aws_s3_object) as any[];
    const keysIn = (bucket: RegExp) => objects.filter((o) => bucket.test(o.bucket)).map((o) => o.key).sort();
    const dbtStage = env.localOnly ? [] : [
      'dags/dbt/dbt_project.yml', 'dags/dbt/models/marts/daily_category_summary.sql', 'dags/dbt/profiles.yml', 'dags/dbt/target/manifest.json',
    ];
    expect(keysIn(/AirflowBucket/)).toEqual([
      'dags/.airflowignore', 'dags/constraints-3.0.6-3.12.txt', ...dbtStage,
      'dags/requirements.txt', 'dags/xetl_products_pipeline.py',
      'dags/xetl_sql/__init__.py', 'dags/xetl_sql/queries/unload_partition.sql', 'dags/xetl_sql/render.py',
      'dags/xetl_tasks/__init__.py', 'dags/xetl_tasks/aws.py', 'dags/xetl_tasks/contract/pipeline_contract.json',
      ...(env.localOnly ? [] : ['plugins/plugins.zip', 'startup/startup.sh']),
    ]);
    expect(keysIn(/Assets/)).toEqual([
      ...(env.localOnly ? [] : ['glue-scripts/xetl-transform.jar']),
      'glue-scripts/xetl_products_job.py', 'glue-scripts/xetl_transform.zip', 'sql/migrations/0001_schema.sql',
    ]);
    expect(objects).toHaveLength(env.localOnly ? 13 : 20);
    const [mwaa] = Object.values(json.resource.aws_mwaa_environment) as any[];
    expect(mwaa.requirements_s3_object_version).toMatch(/aws_s3_object\..*requirements.*\.version_id/);
    if (env.localOnly) return;
    expect(mwaa).toMatchObject({ plugins_s3_path: 'plugins/plugins.zip', startup_script_s3_path: 'startup/startup.sh' });
    expect(mwaa.plugins_s3_object_version).toMatch(/aws_s3_object\..*plugins.*\.version_id/);
    expect(mwaa.airflow_configuration_options['cosmos.enable_telemetry']).toBe('False');
  });

  test('a localOnly environment synthesizes without the dbt stage (its account B is never deployed)', () => {
    const { json: local } = synth('local', fixtureRoot());
    const keys = Object.values<any>(local.resource.aws_s3_object).map((o) => o.key);
    expect(keys.some((k) => k.startsWith('dags/dbt/') || k.startsWith('plugins/'))).toBe(false);
  });

  test('an AWS environment without the built dbt stage fails synth saying how to build it', () => {
    expect(() => synth('dev', fixtureRoot())).toThrow(/manifest\.json does not exist: build it with `npx nx run dbt:package`/);
  });

  test('an AWS environment without the Glue job\'s jar fails synth saying how to build it', () => {
    const root = withDbtPackage(fixtureRoot());
    fs.rmSync(path.join(root, 'dist', 'glue-scripts'), { recursive: true });
    expect(() => synth('dev', root)).toThrow(/xetl-transform\.jar does not exist: build it with `npx nx run glue-scripts:jar`/);
  });

  test('first apply in order: objects after versioning; MWAA after its policy and every endpoint', () => {
    const versioningOf = (bucketRef: string) => {
      const id = Object.keys(json.resource.aws_s3_bucket_versioning).find((k) => json.resource.aws_s3_bucket_versioning[k].bucket === bucketRef);
      return `aws_s3_bucket_versioning.${id}`;
    };
    for (const o of Object.values(json.resource.aws_s3_object) as any[]) expect(o.depends_on).toEqual([versioningOf(o.bucket)]);
    const [mwaa] = Object.values(json.resource.aws_mwaa_environment) as any[];
    const endpoints = Object.keys(json.resource.aws_vpc_endpoint).map((id) => `aws_vpc_endpoint.${id}`);
    expect(endpoints.length).toBeGreaterThan(10);
    const mwaaPolicy = Object.keys(json.resource.aws_iam_role_policy).find((id) => /Airflow_ExecutionRole/.test(id));
    expect(mwaa.depends_on).toEqual(expect.arrayContaining([...endpoints, `aws_iam_role_policy.${mwaaPolicy}`]));
  });

  test('MWAA runs SQL as itself with the xetl_pipeline database role, and can read the Redshift admin secret nowhere', () => {
    const roles = json.resource.aws_iam_role as Record<string, any>;
    const [mwaaId, mwaa] = Object.entries(roles).find(([, r]) => r.name === `xetl-${envName}-mwaa`) as [string, any];
    expect(mwaa.tags).toEqual({ RedshiftDbRoles: 'xetl_pipeline' });
    const policy = (Object.values(json.resource.aws_iam_role_policy) as any[]).find((p) => p.role === `\${aws_iam_role.${mwaaId}.id}`);
    const mwaaStatements = JSON.parse(policy.policy).Statement as Statement[];
    expect(mwaaStatements.find((s) => s.Sid === 'SignInWithIam')?.Resource).toMatch(/^\$\{aws_redshiftserverless_workgroup\..*\.arn\}$/);
    // Its only secret read is the Airflow backend's, under airflow/ (the admin secret is redshift!...).
    const secretReads = mwaaStatements.filter((s) => [s.Action].flat().some((a) => a.startsWith('secretsmanager:')));
    expect(secretReads.map((s) => [s.Action, s.Resource])).toEqual([[['secretsmanager:GetSecretValue'], `arn:aws:secretsmanager:${env.region}:${env.accounts.analytics}:secret:airflow/*`]]);
    // Nothing in the stack grants anyone the admin secret: no policy names it.
    expect(text.match(/admin_password_secret_arn/g)).toHaveLength(1); // the stack output for `xetl bootstrap`
    expect(json.output.redshift_admin_secret_arn.value).toMatch(/admin_password_secret_arn/);
    // The Secrets Manager endpoint lets only the Airflow secrets through.
    const endpoint = (Object.values(json.resource.aws_vpc_endpoint) as any[]).find((e) => e.service_name.endsWith('.secretsmanager'));
    expect(JSON.parse(endpoint.policy).Statement.map((s: Statement) => s.Resource)).toEqual([`arn:aws:secretsmanager:${env.region}:${env.accounts.analytics}:secret:airflow/*`]);
  });

  test("expires staging's glue-temp/ and quarantine/ after the environment's retention", () => {
    const rules = (Object.values(json.resource.aws_s3_bucket_lifecycle_configuration) as any[]).flatMap((l) => l.rule);
    expect(rules.filter((r: any) => r.id.startsWith('expire-prefix')).map((r: any) => [r.filter[0].prefix, r.expiration[0].days])).toEqual([
      ['glue-temp/', env.retention.glueTempDays], ['quarantine/', env.retention.quarantineDays],
    ]);
  });

  test('references no other stack (no remote state)', () => {
    expect(json.data?.terraform_remote_state).toBeUndefined();
  });

  test("caps the workgroup's daily RPU-hours as configured", () => {
    const [workgroupId] = Object.keys(json.resource.aws_redshiftserverless_workgroup);
    expect(Object.values(json.resource.aws_redshiftserverless_usage_limit)).toEqual([{
      resource_arn: `\${aws_redshiftserverless_workgroup.${workgroupId}.arn}`, usage_type: 'serverless-compute', period: 'daily',
      amount: env.redshift.dailyRpuHoursLimit, breach_action: env.redshift.rpuLimitBreachAction,
    }]);
  });

  test('puts the interface endpoints in network.endpointAzs of the MWAA subnets, MWAA in both', () => {
    const interfaces = Object.values<any>(json.resource.aws_vpc_endpoint).filter((e) => e.vpc_endpoint_type === 'Interface');
    for (const e of interfaces) expect(e.subnet_ids).toHaveLength(env.network.endpointAzs);
    const [mwaa] = Object.values<any>(json.resource.aws_mwaa_environment);
    expect(mwaa.network_configuration.subnet_ids).toHaveLength(2);
  });

  test('sets MWAA log levels from config', () => {
    const [mwaa] = Object.values<any>(json.resource.aws_mwaa_environment);
    const c = mwaa.logging_configuration;
    expect([c.dag_processing_logs, c.scheduler_logs, c.task_logs, c.webserver_logs, c.worker_logs].map((l: any) => l.log_level)).toEqual([
      env.mwaa.logLevels.dagProcessing, env.mwaa.logLevels.scheduler, env.mwaa.logLevels.task, env.mwaa.logLevels.webserver, env.mwaa.logLevels.worker,
    ]);
  });

  test(env.parkable
    ? 'parks exactly MWAA and the interface endpoints, pauses the trigger, keeps every resource that holds data or state'
    : 'cannot park: no switch, no count, the trigger always on', () => {
    const counted = Object.entries<Record<string, any>>(json.resource)
      .flatMap(([type, byId]) => Object.entries(byId).filter(([, r]) => r.count !== undefined).map(([id, r]) => [type, id, r.count]));
    const [mapping] = Object.values<any>(json.resource.aws_lambda_event_source_mapping);
    if (!env.parkable) {
      expect(counted).toEqual([]);
      expect(json.data?.aws_ssm_parameters_by_path).toBeUndefined();
      expect(mapping.enabled).toBeUndefined();
      return;
    }
    const interfaceIds = Object.entries<any>(json.resource.aws_vpc_endpoint).filter(([, e]) => e.vpc_endpoint_type === 'Interface').map(([id]) => id);
    expect(counted.map(([type, id]) => `${type}.${id}`).sort()).toEqual([
      ...Object.keys(json.resource.aws_mwaa_environment).map((id) => `aws_mwaa_environment.${id}`),
      ...interfaceIds.map((id) => `aws_vpc_endpoint.${id}`),
    ].sort());
    for (const [, , count] of counted) expect(count).toBe(PARKED_COUNT);
    expect(Object.values(json.data.aws_ssm_parameters_by_path)).toEqual([{ path: `/xetl/${envName}`, recursive: false }]);
    // Marker events wait in the queue while parked, and flow again only once MWAA is back.
    expect(mapping.enabled).toBe(PARKED_ENABLED);
    const [mwaaId] = Object.keys(json.resource.aws_mwaa_environment);
    expect(mapping.depends_on).toContain(`aws_mwaa_environment.${mwaaId}`);
    expect(json.output.mwaa_webserver_url.value).toBe(`\${join("", aws_mwaa_environment.${mwaaId}[*].webserver_url)}`);
    expect(json.output.parked.value).toBe('${local.xetl_parked}');
  });
});

describe('AnalyticsAccountStack with notifications.chat', () => {
  const chat = { slack: { teamId: 'T07EA123LEP', channelId: 'C07EZ1ABC23' } };
  const withChat = (env: EnvironmentConfig): EnvironmentConfig => ({ ...env, notifications: { ...env.notifications, chat } });
  const { json } = synth('dev', root, withChat);
  const resources = (type: string) => Object.entries<any>(json.resource[type] ?? {});

  test('creates the chat topic and the channel configuration only when configured', () => {
    expect(resources('aws_chatbot_slack_channel_configuration')).toHaveLength(1);
    expect(resources('aws_sns_topic').map(([, t]) => t.name).sort()).toEqual(['xetl-dev-chat', 'xetl-dev-pipeline']);
    const without = synth('dev').json;
    expect(without.resource.aws_chatbot_slack_channel_configuration).toBeUndefined();
    expect(without.resource.aws_chatbot_teams_channel_configuration).toBeUndefined();
    expect(Object.values<any>(without.resource.aws_iam_role).map((r) => r.name)).not.toContain('xetl-dev-chat');
  });

  test("writes the chat topic into the variable and lets MWAA's role publish there", () => {
    const [[chatTopicId]] = resources('aws_sns_topic').filter(([, t]) => t.name === 'xetl-dev-chat');
    const [version] = Object.values(json.resource.aws_secretsmanager_secret_version) as any[];
    expect(version.secret_string).toContain(`"chat_topic_arn":"\${aws_sns_topic.${chatTopicId}.arn}"`);
    const mwaaPolicy = resources('aws_iam_role_policy').find(([id]) => /Airflow_ExecutionRole/.test(id))![1];
    expect(JSON.parse(mwaaPolicy.policy).Statement).toContainEqual(
      expect.objectContaining({ Action: ['sns:Publish'], Resource: `\${aws_sns_topic.${chatTopicId}.arn}` }),
    );
  });

  test('the channel role reads notification context only, capped by a guardrail of the same', () => {
    const [, role] = resources('aws_iam_role').find(([, r]) => r.name === 'xetl-dev-chat')!;
    expect(JSON.parse(role.assume_role_policy).Statement[0].Principal).toEqual({ Service: ['chatbot.amazonaws.com'] });
    const [, guardrail] = resources('aws_iam_policy').find(([, p]) => p.name === 'xetl-dev-chat-guardrail')!;
    const [statement] = JSON.parse(guardrail.policy).Statement;
    expect([statement.Action].flat().every((a: string) => /^cloudwatch:(Describe|Get|List)/.test(a))).toBe(true);
  });
});

describe('AnalyticsAccountStack dbt docs', () => {
  test("lets MWAA's role write the docs site under the staging bucket's dbt-docs/ prefix, and nothing else new", () => {
    const { json } = synth('dev');
    const [, policy] = Object.entries<any>(json.resource.aws_iam_role_policy).find(([id]) => /Airflow_ExecutionRole/.test(id))!;
    const [stagingId] = Object.entries<any>(json.resource.aws_s3_bucket).find(([, b]) => b.bucket === new Naming(selectEnvironment(config, 'dev')).stagingBucket)!;
    const writes = JSON.parse(policy.policy).Statement.filter((s: Statement) => [s.Action].flat().includes('s3:PutObject'));
    expect(writes.map((s: Statement) => s.Resource).filter((r: string) => r.includes(`aws_s3_bucket.${stagingId}.`)))
      .toEqual([`\${aws_s3_bucket.${stagingId}.arn}/dbt-docs/*`]);
  });
});

describe('AnalyticsAccountStack packages', () => {
  // A pristine clone has no dist/: synth (and `cdktf deploy`) must work from the sources alone.
  test('are built at synth from the sources, with no build step before it', () => {
    const bare = fixtureRoot();
    expect(fs.existsSync(path.join(bare, 'dist'))).toBe(false);
    const { json: synthesized } = synth('local', bare);
    const objects = Object.values<any>(synthesized.resource.aws_s3_object);
    const library = objects.find((o) => o.key === 'glue-scripts/xetl_transform.zip');
    expect(library).toBeDefined();
    const lambda = Object.values<any>(synthesized.resource.aws_lambda_function)[0];
    expect(lambda.source_code_hash).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  test('ship the trigger handler module and its package marker, nothing local', () => {
    const lambda = Object.values<any>(synth('dev').json.resource.aws_lambda_function)[0];
    expect(lambda.handler).toBe('xetl_trigger.handler.handler');
    expect(zipNames(triggerZip(root))).toEqual(['xetl_trigger/__init__.py', 'xetl_trigger/handler.py']);
  });

  test('ship the Glue library as the package sources, without caches', () => {
    expect(zipNames(glueLibraryZip(root))).toEqual(['xetl_transform/__init__.py', 'xetl_transform/contract.py']);
  });

  test('are the same bytes on every synth (an unchanged package is no plan diff)', () => {
    const hash = (r: string) => Object.values<any>(synth('dev', r).json.resource.aws_lambda_function)[0].source_code_hash;
    expect(hash(withDbtPackage(fixtureRoot()))).toBe(hash(withDbtPackage(fixtureRoot())));
  });

  test('fail synth with the missing source named when the Glue package is absent', () => {
    const bare = withDbtPackage(fixtureRoot());
    fs.rmSync(path.join(bare, 'glue-scripts', 'xetl_transform'), { recursive: true });
    expect(() => synth('dev', bare)).toThrow(/xetl_transform\/__init__\.py does not exist: the Glue transform package/);
  });
});
