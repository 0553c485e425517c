import { CreateSubnetCommand, CreateVpcCommand, CreateVpcEndpointCommand, DeleteVpcEndpointsCommand, ModifyVpcAttributeCommand } from '@aws-sdk/client-ec2';
import { CreateAliasCommand, CreateKeyCommand } from '@aws-sdk/client-kms';
import {
  DescribeStatementCommand, GetStatementResultCommand, RedshiftDataClient, type Field,
} from '@aws-sdk/client-redshift-data';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'node:fs';
import { AIRFLOW_ENDPOINT_SERVICES, INTERFACE_ENDPOINT_SERVICES } from '@xetl/constructs';
import { Naming, PIPELINE_VARIABLE_FIELDS, loadConfig, pipelineVariable, selectEnvironment, type PipelineVariable } from '@xetl/config';
import type { AirflowApi, RestApiRequest } from './clients';
import type { OpsContext } from './context';
import { DOCTOR_CHECKS, doctor, doctorPassed, pipelineDatabaseGrants, renderDoctor, warehouseIdentitySql, type Check, type DoctorReport } from './doctor';
import { acceptMotoRedshiftDataTimestamps, motoContext, resetMoto, useMoto } from './test-support/moto';
import { expectCliJson, schemaFile } from './test-support/json-schema';

jest.setTimeout(120_000);
const moto = useMoto();
afterEach(() => jest.restoreAllMocks());

const FAST = { pollIntervalMs: 1, statementTimeoutMs: 5_000 };
const checkOf = (r: DoctorReport, name: string): Check | undefined => r.checks.find((c) => c.name === name);
const statuses = (r: DoctorReport) => r.checks.map((c) => `${c.status} ${c.name}`);

/** Account A as the source stack leaves it, in moto; `omit` leaves one piece out. Returns the data key's ARN. */
async function sourceSide(ctx: OpsContext, omit?: 'alias' | 'objects'): Promise<string> {
  const { names, clients } = ctx;
  await clients.s3.send(new CreateBucketCommand({ Bucket: names.sourceBucket }));
  if (omit !== 'objects') await clients.s3.send(new PutObjectCommand({ Bucket: names.sourceBucket, Key: 'products/year=2026/month=11/day=21/a.csv', Body: 'x' }));
  const key = (await clients.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  if (omit !== 'alias') await clients.kms.send(new CreateAliasCommand({ AliasName: names.dataKeyAlias, TargetKeyId: key.KeyId }));
  return key.Arn!;
}

/** The `xetl_pipeline` variable as the analytics stack writes it when deployed with the data key's ARN. */
function goodVariable(ctx: OpsContext, keyArn: string): PipelineVariable {
  const { names, env } = ctx;
  return pipelineVariable(names, env, {
    snsTopicArn: `arn:aws:sns:${env.region}:${names.accountId('analytics')}:${names.pipelineTopic}`,
    redshiftEndpoint: `${names.redshiftWorkgroup}.${names.accountId('analytics')}.${env.region}.redshift-serverless.amazonaws.com`,
    targetKmsKeyArn: keyArn,
    chatTopicArn: '',
    airflowUrl: `https://0123abcd-4567-89ef-0123-456789abcdef.c2.airflow.${env.region}.on.aws`,
  });
}

async function putVariable(ctx: OpsContext, value: unknown): Promise<void> {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  await ctx.clients.secrets.send(new CreateSecretCommand({ Name: ctx.names.pipelineVariableSecret, SecretString: text }));
}

/** The `local` environment of xetl.config.ts, as it is: localOnly (npm run local stands in for account B). */
async function localDeployed(omit?: 'alias' | 'secret' | 'objects') {
  await resetMoto(moto.server().endpoint);
  const ctx = motoContext(moto.server().endpoint);
  const keyArn = await sourceSide(ctx, omit === 'secret' ? undefined : omit);
  if (omit !== 'secret') await putVariable(ctx, goodVariable(ctx, keyArn));
  await ctx.clients.secrets.send(new CreateSecretCommand({ Name: 'unrelated/secret', SecretString: 'never-printed' }));
  return ctx;
}

const SERVICES = [...INTERFACE_ENDPOINT_SERVICES, ...AIRFLOW_ENDPOINT_SERVICES];

interface NetworkOptions {
  readonly vpcName?: string;
  readonly missing?: readonly string[];
  readonly deleted?: readonly string[];
  readonly privateDnsOff?: readonly string[];
  readonly dnsHostnames?: boolean;
}

/** The MWAA VPC and its interface endpoints as the analytics stack makes them, in moto's EC2; options break one piece each. */
async function mwaaNetwork(ctx: OpsContext, o: NetworkOptions = {}): Promise<string> {
  const { ec2 } = ctx.clients;
  const region = ctx.env.region;
  const makeVpc = async (name: string, cidr: string) => {
    const vpcId = (await ec2.send(new CreateVpcCommand({
      CidrBlock: cidr, TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: name }] }],
    }))).Vpc!.VpcId!;
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsSupport: { Value: true } }));
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: o.dnsHostnames ?? true } }));
    const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr.replace(/\.0\.0\/16$/, '.0.0/20'), AvailabilityZone: `${region}a` }))).Subnet!.SubnetId!;
    return { vpcId, subnetId };
  };
  // Another VPC of the account holds every endpoint: the check must look at the MWAA VPC only.
  const other = await makeVpc(ctx.names.vpcName('redshift'), ctx.env.network.redshiftVpcCidr);
  const mwaa = await makeVpc(o.vpcName ?? ctx.names.vpcName('mwaa'), ctx.env.network.mwaaVpcCidr);
  await ec2.send(new CreateVpcEndpointCommand({ VpcId: mwaa.vpcId, ServiceName: `com.amazonaws.${region}.s3`, VpcEndpointType: 'Gateway' }));
  for (const service of SERVICES) {
    const endpoint = (vpc: { vpcId: string; subnetId: string }, privateDns: boolean) => ec2.send(new CreateVpcEndpointCommand({
      VpcId: vpc.vpcId, ServiceName: `com.amazonaws.${region}.${service}`, VpcEndpointType: 'Interface',
      SubnetIds: [vpc.subnetId], PrivateDnsEnabled: privateDns,
    }));
    await endpoint(other, true);
    if (o.missing?.includes(service)) continue;
    const id = (await endpoint(mwaa, !o.privateDnsOff?.includes(service))).VpcEndpoint!.VpcEndpointId!;
    if (o.deleted?.includes(service)) await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [id] }));
  }
  return mwaa.vpcId;
}

/** There is no MWAA in moto: the Airflow API is replaced at the client seam with these answers. */
function stubAirflow(ctx: OpsContext, answer: (r: RestApiRequest) => { status: number; body: unknown }) {
  const calls: RestApiRequest[] = [];
  const api: AirflowApi = { invoke: async (r) => (calls.push(r), answer(r)) };
  jest.spyOn(ctx, 'airflow').mockReturnValue(api);
  return calls;
}
const unpausedDag = () => ({ status: 200, body: { dag_id: 'xetl_products_pipeline', is_paused: false, is_stale: false, has_import_errors: false, last_parsed_time: '2026-11-21T09:58:00Z' } });

/**
 * moto's Redshift Data records each statement (SQL, database, secret) but never runs it: it keeps
 * it STARTED and answers results with canned rows. This stub passes ExecuteStatement and
 * DescribeStatement to moto, reports the statement FINISHED, and answers GetStatementResult with
 * the row the warehouse would return: the login `user`, then one boolean per grant of the
 * pipeline's database role (false for those in `denied`, as "INSERT on xetl.products_staging").
 * It patches the class, because doctor builds its own clients with the role it assumes.
 */
function stubWarehouse(user: string, denied: readonly string[] = []): Record<string, unknown>[] {
  const recorded: Record<string, unknown>[] = [];
  const send = RedshiftDataClient.prototype.send as (cmd: unknown) => Promise<unknown>;
  const patched = new WeakSet<RedshiftDataClient>();
  const row: Field[] = [{ stringValue: user }, ...pipelineDatabaseGrants().map((g) => ({ booleanValue: !denied.includes(`${g.privilege} on ${g.kind === 'schema' ? 'schema ' : ''}${g.object}`) }))];
  jest.spyOn(RedshiftDataClient.prototype, 'send').mockImplementation((async function (this: RedshiftDataClient, cmd: object) {
    if (!patched.has(this)) {
      acceptMotoRedshiftDataTimestamps(this);
      patched.add(this);
    }
    if (cmd instanceof GetStatementResultCommand) return { Records: [row], TotalNumRows: 1 };
    const out = (await send.call(this, cmd)) as Record<string, unknown>;
    if (!(cmd instanceof DescribeStatementCommand)) return out;
    recorded.push(out);
    return { ...out, Status: 'FINISHED' };
  }) as never);
  return recorded;
}

/** Class-wide Redshift Data stubs (doctor builds its own clients), undone after each test. */
const classMocks: Array<{ restore(): void }> = [];
afterEach(() => classMocks.splice(0).forEach((m) => m.restore()));
function mockRedshiftData() {
  const m = mockClient(RedshiftDataClient);
  classMocks.push(m);
  return m;
}

/**
 * An AWS environment (the local names and account, with localOnly off, so that the MWAA,
 * warehouse and VPC checks apply), deployed as both stacks leave it; every piece in place.
 */
async function awsDeployed(o: { variable?: (good: PipelineVariable) => unknown; network?: NetworkOptions } = {}) {
  await resetMoto(moto.server().endpoint);
  const base = motoContext(moto.server().endpoint);
  const env = { ...base.env, localOnly: false };
  const ctx: OpsContext = { ...base, env, names: new Naming(env) };
  const keyArn = await sourceSide(ctx);
  const good = goodVariable(ctx, keyArn);
  await putVariable(ctx, o.variable ? o.variable(good) : good);
  const vpcId = await mwaaNetwork(ctx, o.network);
  return { ctx, keyArn, vpcId };
}

describe('xetl doctor, local environment (moto STS, S3, KMS, Secrets Manager)', () => {
  test('passes when every piece is in place, runs only the checks that apply without MWAA, and never prints a secret value', async () => {
    const ctx = await localDeployed();
    const r = await doctor(ctx);
    expect(statuses(r)).toEqual(['PASS identity', 'PASS source-prefix', 'PASS data-key', 'PASS airflow-secrets', 'PASS variable-contract']);
    expect(doctorPassed(r)).toBe(true);
    expectCliJson('doctor', r);
    const text = renderDoctor(r).join('\n');
    expect(text).toContain('caller arn:aws:sts::123456789012:user/moto');
    expect(text).toContain('1 secret(s) under airflow/: airflow/variables/xetl_pipeline');
    expect(checkOf(r, 'variable-contract')?.detail).toBe(
      `airflow/variables/xetl_pipeline holds all ${Object.keys(PIPELINE_VARIABLE_FIELDS).length} fields of the pipeline contract, each of the right type and form, and names what xetl.config.ts names`,
    );
    expect(text).not.toContain('never-printed');
    expect(text).not.toContain('unrelated');
  });

  test('a missing key alias is a FAIL line naming the alias and the stack to deploy', async () => {
    const ctx = await localDeployed('alias');
    const r = await doctor(ctx);
    expect(doctorPassed(r)).toBe(false);
    expect(renderDoctor(r)).toContain(
      'FAIL  data-key           key alias alias/xetl-local-data not found (arn:aws:kms:us-east-1:123456789012:alias/xetl-local-data); deploy xetl-local-source',
    );
  });

  test('a missing variable secret fails both secret checks; an empty source prefix only warns', async () => {
    const ctx = await localDeployed('secret');
    const r = await doctor(ctx);
    expect(checkOf(r, 'airflow-secrets')).toEqual({
      name: 'airflow-secrets', status: 'FAIL',
      detail: 'secret airflow/variables/xetl_pipeline not found under airflow/ (found: none); deploy xetl-local-analytics',
    });
    expect(checkOf(r, 'variable-contract')).toEqual({
      name: 'variable-contract', status: 'FAIL',
      detail: 'the xetl_pipeline variable does not resolve: secret airflow/variables/xetl_pipeline not found; deploy xetl-local-analytics (it writes the variable)',
    });
    const empty = await doctor(await localDeployed('objects'));
    expect(checkOf(empty, 'source-prefix')).toMatchObject({ status: 'WARN' });
    expect(doctorPassed(empty)).toBe(true);
  });

  test('assumes a role by short name, then checks as that role (moto STS issues the credentials)', async () => {
    const ctx = await localDeployed();
    const r = await doctor(ctx, { role: 'unload' });
    expect(r.checks[1]).toMatchObject({ name: 'assume-role', status: 'PASS' });
    expect(r.checks[1].detail).toContain('assumed arn:aws:iam::123456789012:role/xetl-local-unload');
    expect(r.caller).toBe('arn:aws:sts::123456789012:assumed-role/xetl-local-unload/xetl-doctor');
    await expect(doctor(ctx, { role: 'nope' })).rejects.toThrow('unknown role "nope"; give a role ARN or one of: unload, glue, mwaa, redshift');
  });

  test('AccessDenied on the source bucket names action, resource and caller (S3 stubbed: moto does not enforce IAM by default)', async () => {
    const ctx = await localDeployed();
    mockClient(ctx.clients.s3).on(ListObjectsV2Command).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const r = await doctor(ctx);
    expect(checkOf(r, 'source-prefix')?.detail).toBe(
      "missing grant: s3:ListBucket on arn:aws:s3:::xetl-local-source-123456789012-us-east-1 (s3:prefix products/*) to arn:aws:sts::123456789012:user/moto; account A's bucket policy must allow it too",
    );
  });

  test('credentials for another account: one FAIL line naming both, and no probe that would advise "deploy"', async () => {
    const ctx = await localDeployed();
    const dev = selectEnvironment(loadConfig(), 'dev'); // accounts 111111111111 and 222222222222; moto answers 123456789012
    const r = await doctor({ ...ctx, env: dev, names: new Naming(dev) });
    expect(r.checks).toEqual([{
      name: 'identity', status: 'FAIL',
      detail: 'wrong account: the credentials from the environment (AWS_ACCESS_KEY_ID) are for account 123456789012 (arn:aws:sts::123456789012:user/moto), '
        + 'but environment dev runs in accounts 111111111111 (source, A) and 222222222222 (analytics, B); nothing was changed; use credentials for 111111111111 or 222222222222 (--profile or AWS_PROFILE)',
    }]);
    expect(renderDoctor(r).join('\n')).not.toContain('deploy');
    expectCliJson('doctor', r);
  });
});

describe('xetl doctor, an AWS environment: the analytics side after deploy (moto STS, S3, KMS, Secrets Manager, EC2)', () => {
  test('every check passes as MWAA\'s role (MWAA stubbed: not in moto; Redshift Data result rows stubbed: moto returns canned results)', async () => {
    const { ctx, vpcId } = await awsDeployed();
    const calls = stubAirflow(ctx, unpausedDag);
    stubWarehouse('IAMR:xetl-local-mwaa');
    const r = await doctor(ctx, { role: 'mwaa', ...FAST });
    expect(statuses(r)).toEqual(DOCTOR_CHECKS.map((name) => `PASS ${name}`));
    expect(r.checks.map((c) => c.name)).toEqual([...DOCTOR_CHECKS]);
    expectCliJson('doctor', r);
    expect(calls).toEqual([{ path: '/dags/xetl_products_pipeline', method: 'GET' }]);
    expect(checkOf(r, 'assume-role')?.detail).toBe(
      'assumed arn:aws:iam::123456789012:role/xetl-local-mwaa; the checks below run as arn:aws:sts::123456789012:assumed-role/xetl-local-mwaa/xetl-doctor, '
        + 'except dag-unpaused and endpoints, which read the deployment with your own credentials',
    );
    expect(checkOf(r, 'dag-unpaused')?.detail).toBe('DAG xetl_products_pipeline is loaded and unpaused in MWAA environment xetl-local (last parsed 2026-11-21T09:58:00Z)');
    const grants = pipelineDatabaseGrants().length;
    expect(checkOf(r, 'warehouse-identity')?.detail).toBe(
      `the Data API ran a statement on workgroup xetl-local without a secret, as IAMR:xetl-local-mwaa, which holds all ${grants} table and schema grants of the xetl_pipeline database role`,
    );
    expect(checkOf(r, 'endpoints')?.detail).toBe(
      `all ${SERVICES.length} interface endpoints the pipeline needs are available in ${vpcId} (xetl-local-mwaa) with private DNS on (and the VPC's DNS support and host names), `
        + `so the services' default names resolve to them from the MWAA subnets (the resolution itself can be seen only from inside the VPC): ${[...SERVICES].sort().join(', ')}`,
    );
  });

  test('the variable holding the data key\'s alias ARN fails with the exact redeploy, naming the key ARN', async () => {
    const alias = 'arn:aws:kms:us-east-1:123456789012:alias/xetl-local-data';
    const { ctx, keyArn } = await awsDeployed({ variable: (good) => ({ ...good, target_kms_key_arn: alias }) });
    stubAirflow(ctx, unpausedDag);
    const r = await doctor(ctx, FAST);
    expect(checkOf(r, 'variable-contract')).toEqual({
      name: 'variable-contract', status: 'FAIL',
      detail: `target_kms_key_arn holds the data key's alias ARN ${alias}, which S3 does not accept for a key of another account: `
        + `the analytics stack was deployed without --var source_data_key_arn=...; redeploy xetl-local-analytics with --var source_data_key_arn=${keyArn} (docs/first-deploy.md, step 6)`,
    });
    // The other checks still ran.
    expect(r.checks.map((c) => c.name)).toEqual(DOCTOR_CHECKS.filter((n) => n !== 'assume-role'));
  });

  test('a variable off the contract lists every problem; one that is not JSON says so; one that differs from the config names the field', async () => {
    const broken = await awsDeployed({
      variable: (good) => {
        const { glue_job: _dropped, ...rest } = good;
        return { ...rest, sensor_timeout_seconds: '3600', extra_field: 1 };
      },
    });
    stubAirflow(broken.ctx, unpausedDag);
    expect(checkOf(await doctor(broken.ctx, FAST), 'variable-contract')?.detail).toBe(
      'airflow/variables/xetl_pipeline does not match the pipeline contract: missing glue_job; sensor_timeout_seconds must be integer, got string; unknown field extra_field; '
        + 'redeploy xetl-local-analytics (it writes the variable from the contract)',
    );

    const text = await awsDeployed({ variable: () => 'source_bucket=x' });
    stubAirflow(text.ctx, unpausedDag);
    expect(checkOf(await doctor(text.ctx, FAST), 'variable-contract')?.detail).toBe(
      'airflow/variables/xetl_pipeline is not JSON (Unexpected token \'s\', "source_bucket=x" is not valid JSON); redeploy xetl-local-analytics (it writes the variable from the contract)',
    );

    const stale = await awsDeployed({ variable: (good) => ({ ...good, glue_job: 'xetl-local-old-job' }) });
    stubAirflow(stale.ctx, unpausedDag);
    expect(checkOf(await doctor(stale.ctx, FAST), 'variable-contract')).toEqual({
      name: 'variable-contract', status: 'FAIL',
      detail: 'airflow/variables/xetl_pipeline matches the contract but differs from xetl.config.ts: glue_job is "xetl-local-old-job", the config names "xetl-local-products"; '
        + 'redeploy xetl-local-analytics from this config',
    });
  });

  test('a paused DAG fails with the ways to unpause it (MWAA stubbed: not in moto)', async () => {
    const { ctx } = await awsDeployed();
    stubAirflow(ctx, () => ({ status: 200, body: { ...unpausedDag().body, is_paused: true } }));
    const r = await doctor(ctx, FAST);
    expect(checkOf(r, 'dag-unpaused')).toEqual({
      name: 'dag-unpaused', status: 'FAIL',
      detail: 'DAG xetl_products_pipeline is paused in MWAA environment xetl-local: no run starts, not even from a marker; unpause it in the Airflow UI, '
        + 'or PATCH /dags/xetl_products_pipeline {"is_paused": false} (aws mwaa invoke-rest-api --name xetl-local --path /dags/xetl_products_pipeline --method PATCH --body \'{"is_paused": false}\'); '
        + 'new DAGs start unpaused because the analytics stack sets core.dags_are_paused_at_creation = False',
    });
    expect(doctorPassed(r)).toBe(false);
  });

  test('a DAG that is not loaded fails with the first import error (MWAA stubbed: not in moto)', async () => {
    const { ctx } = await awsDeployed();
    const calls = stubAirflow(ctx, (req) => req.path === '/importErrors'
      ? {
        status: 200,
        body: {
          total_entries: 2,
          import_errors: [{
            import_error_id: 7, filename: 'dags/xetl_products_pipeline.py', bundle_name: 'dags-folder', timestamp: '2026-11-21T09:58:00Z',
            stack_trace: 'Traceback (most recent call last):\n  File "dags/xetl_products_pipeline.py", line 3\nModuleNotFoundError: No module named \'cosmos\'\n',
          }],
        },
      }
      : { status: 404, body: { detail: 'The Dag with ID: `xetl_products_pipeline` was not found' } });
    const r = await doctor(ctx, FAST);
    expect(calls).toEqual([{ path: '/dags/xetl_products_pipeline', method: 'GET' }, { path: '/importErrors', method: 'GET', query: { limit: 1 } }]);
    expect(checkOf(r, 'dag-unpaused')?.detail).toBe(
      'DAG xetl_products_pipeline is not loaded in MWAA environment xetl-local; 2 import error(s), the first in dags/xetl_products_pipeline.py: '
        + 'ModuleNotFoundError: No module named \'cosmos\'; fix it and redeploy xetl-local-analytics (it uploads the DAGs and their requirements)',
    );
  });

  test('a DAG that is not loaded and no import error: deploy, then wait for the DAG processor (MWAA stubbed: not in moto)', async () => {
    const { ctx } = await awsDeployed();
    stubAirflow(ctx, (req) => req.path === '/importErrors' ? { status: 200, body: { total_entries: 0, import_errors: [] } } : { status: 404, body: { detail: 'not found' } });
    expect(checkOf(await doctor(ctx, FAST), 'dag-unpaused')?.detail).toBe(
      'DAG xetl_products_pipeline is not loaded in MWAA environment xetl-local and there is no import error; deploy xetl-local-analytics (it uploads the DAGs), '
        + 'then give the DAG processor a few minutes',
    );
  });

  test('Airflow refusing the read names the grant; MWAA\'s own errors are one line (MWAA stubbed: not in moto)', async () => {
    const { ctx } = await awsDeployed();
    stubAirflow(ctx, () => ({ status: 403, body: { detail: 'Forbidden' } }));
    expect(checkOf(await doctor(ctx, FAST), 'dag-unpaused')?.detail).toBe(
      'missing grant: airflow:InvokeRestApi on arn:aws:airflow:us-east-1:123456789012:role/xetl-local/Viewer to arn:aws:sts::123456789012:user/moto (Airflow answered 403 to GET /dags/xetl_products_pipeline)',
    );
    jest.spyOn(ctx, 'airflow').mockReturnValue({
      invoke: async () => { throw Object.assign(new Error('ResourceNotFoundException: Environment xetl-local not found'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } }); },
    });
    expect(checkOf(await doctor(ctx, FAST), 'dag-unpaused')?.detail).toBe(
      'MWAA environment xetl-local not found (ResourceNotFoundException: Environment xetl-local not found); deploy xetl-local-analytics',
    );
  });

  test('the warehouse check warns without --role mwaa and says how to run it', async () => {
    const { ctx } = await awsDeployed();
    stubAirflow(ctx, unpausedDag);
    const r = await doctor(ctx, FAST);
    expect(checkOf(r, 'warehouse-identity')).toEqual({
      name: 'warehouse-identity', status: 'WARN',
      detail: 'not checked: Redshift logs each IAM identity in as its own user, so only MWAA\'s role shows the DAG\'s database identity; run xetl doctor --env local --role mwaa',
    });
    const other = await doctor(ctx, { role: 'glue', ...FAST });
    expect(checkOf(other, 'warehouse-identity')?.status).toBe('WARN');
    expect(doctorPassed(r)).toBe(true);
  });

  test('the statement runs with IAM authentication, no secret, as the DAG does (moto records it; Redshift Data result rows stubbed)', async () => {
    const { ctx } = await awsDeployed();
    stubAirflow(ctx, unpausedDag);
    const recorded = stubWarehouse('IAMR:xetl-local-mwaa');
    await doctor(ctx, { role: 'mwaa', ...FAST });
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ QueryString: warehouseIdentitySql(pipelineDatabaseGrants()), Database: 'dev' });
    expect(recorded[0].SecretArn ?? null).toBeNull();
    expect(recorded[0].DbUser ?? null).toBeNull();
    expect(warehouseIdentitySql(pipelineDatabaseGrants())).toMatch(
      /^SELECT current_user, has_schema_privilege\('xetl', 'USAGE'\), has_table_privilege\('xetl\.products_staging', 'SELECT'\), has_table_privilege\('xetl\.products_staging', 'INSERT'\), /,
    );
  });

  test('a missing grant of the pipeline role fails naming each grant and the two fixes (Redshift Data result rows stubbed)', async () => {
    const { ctx } = await awsDeployed();
    stubAirflow(ctx, unpausedDag);
    stubWarehouse('IAMR:xetl-local-mwaa', ['INSERT on xetl.products_staging', 'CREATE on schema xetl_marts']);
    const r = await doctor(ctx, { role: 'mwaa', ...FAST });
    expect(checkOf(r, 'warehouse-identity')).toEqual({
      name: 'warehouse-identity', status: 'FAIL',
      detail: 'IAMR:xetl-local-mwaa lacks 2 grant(s) of the xetl_pipeline database role: INSERT on xetl.products_staging, CREATE on schema xetl_marts; '
        + 'run xetl bootstrap --env local (the grants are sql/migrations), and the MWAA role\'s RedshiftDbRoles principal tag must name xetl_pipeline (analytics stack)',
    });
  });

  test('a login as another user fails naming both (Redshift Data result rows stubbed)', async () => {
    const { ctx } = await awsDeployed();
    stubAirflow(ctx, unpausedDag);
    stubWarehouse('IAM:ops');
    expect(checkOf(await doctor(ctx, { role: 'mwaa', ...FAST }), 'warehouse-identity')?.detail).toBe(
      'the Data API logged in as IAM:ops, not IAMR:xetl-local-mwaa; the statement must run with the assumed MWAA role and no secret or database user',
    );
  });

  test('a failed statement, one that never finishes and a denied call are one line each (Redshift Data stubbed)', async () => {
    const { ctx } = await awsDeployed();
    stubAirflow(ctx, unpausedDag);
    const data = mockRedshiftData();
    data.resolves({ Id: 'abc' });
    data.on(DescribeStatementCommand).resolves({ Status: 'FAILED', Error: 'ERROR: relation "xetl.products_staging" does not exist\nmore' });
    expect(checkOf(await doctor(ctx, { role: 'mwaa', ...FAST }), 'warehouse-identity')?.detail).toBe(
      'the statement failed as IAMR:xetl-local-mwaa would run it: ERROR: relation "xetl.products_staging" does not exist; run xetl bootstrap --env local (it creates the tables and the grants)',
    );
    data.reset();
    data.resolves({ Id: 'abc' });
    data.on(DescribeStatementCommand).resolves({ Status: 'STARTED' });
    expect(checkOf(await doctor(ctx, { role: 'mwaa', pollIntervalMs: 1, statementTimeoutMs: 20 }), 'warehouse-identity')?.detail).toBe(
      'the statement is still STARTED after 0.02 s (abc); the workgroup may be resuming from zero capacity: run doctor again',
    );
    data.reset();
    data.rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }));
    expect(checkOf(await doctor(ctx, { role: 'mwaa', ...FAST }), 'warehouse-identity')?.detail).toBe(
      'missing grant: redshift-data:ExecuteStatement on workgroup xetl-local, and redshift-serverless:GetCredentials (IAM authentication without a secret), '
        + 'to arn:aws:sts::123456789012:assumed-role/xetl-local-mwaa/xetl-doctor; the analytics stack grants both to the MWAA role',
    );
  });

  test('endpoints: a missing one, a deleted one and one without private DNS each named, with the fix (moto EC2)', async () => {
    const { ctx, vpcId } = await awsDeployed({ network: { missing: ['glue', 'airflow.env'], deleted: ['kms'], privateDnsOff: ['sqs'] } });
    stubAirflow(ctx, unpausedDag);
    const r = await doctor(ctx, FAST);
    expect(checkOf(r, 'endpoints')).toEqual({
      name: 'endpoints', status: 'FAIL',
      detail: `in ${vpcId} (xetl-local-mwaa): missing airflow.env, glue; not available: kms (deleted); private DNS off: sqs, so its service name does not resolve to it from the MWAA subnets; `
        + 'redeploy xetl-local-analytics (it makes each endpoint with private DNS)',
    });
  });

  test('endpoints: no MWAA VPC, or one without DNS host names, fails with the fix (moto EC2)', async () => {
    const elsewhere = await awsDeployed({ network: { vpcName: 'someone-else' } });
    stubAirflow(elsewhere.ctx, unpausedDag);
    expect(checkOf(await doctor(elsewhere.ctx, FAST), 'endpoints')?.detail).toBe(
      'no VPC named xetl-local-mwaa in account 123456789012 (us-east-1); deploy xetl-local-analytics',
    );
    const { ctx, vpcId } = await awsDeployed({ network: { dnsHostnames: false } });
    stubAirflow(ctx, unpausedDag);
    expect(checkOf(await doctor(ctx, FAST), 'endpoints')?.detail).toBe(
      `${vpcId} (xetl-local-mwaa) has enableDnsHostnames off, so no endpoint's private DNS name resolves; redeploy xetl-local-analytics (the VPC turns on DNS support and host names)`,
    );
  });

  test('a parked environment: MWAA and the endpoints are WARN lines saying so, not "deploy" FAILs (SSM in moto)', async () => {
    const deployed = await awsDeployed({ network: { missing: ['glue'] } });
    const env = { ...deployed.ctx.env, parkable: true };
    const ctx: OpsContext = { ...deployed.ctx, env, names: new Naming(env) };
    const airflow = jest.fn();
    jest.spyOn(ctx, 'airflow').mockReturnValue({ invoke: airflow });
    await ctx.clients.ssm.send(new PutParameterCommand({ Name: ctx.names.parkParameter, Value: 'true', Type: 'String' }));
    const r = await doctor(ctx, FAST);
    expect(checkOf(r, 'dag-unpaused')).toEqual({ name: 'dag-unpaused', status: 'WARN', detail: 'local is parked (/xetl/local/parked = true): no MWAA environment to ask until xetl unpark --env local' });
    expect(checkOf(r, 'endpoints')).toEqual({ name: 'endpoints', status: 'WARN', detail: 'local is parked (/xetl/local/parked = true): the interface endpoints are deleted until xetl unpark --env local' });
    expect(airflow).not.toHaveBeenCalled();
    expectCliJson('doctor', r);
    // Unparked again, the real checks run (the missing endpoint is back to a FAIL).
    await ctx.clients.ssm.send(new PutParameterCommand({ Name: ctx.names.parkParameter, Value: 'false', Type: 'String', Overwrite: true }));
    stubAirflow(ctx, unpausedDag);
    expect(checkOf(await doctor(ctx, FAST), 'endpoints')?.status).toBe('FAIL');
  });

  test('no check stops the others: every line is there when MWAA, the warehouse and EC2 all fail', async () => {
    const { ctx } = await awsDeployed();
    await resetMoto(moto.server().endpoint);
    jest.spyOn(ctx, 'airflow').mockReturnValue({ invoke: async () => { throw new Error('socket hang up'); } });
    mockRedshiftData().rejects(new Error('boom'));
    const r = await doctor(ctx, { role: 'mwaa', ...FAST });
    expect(r.checks.map((c) => c.name)).toEqual([...DOCTOR_CHECKS]);
    expect(r.checks.filter((c) => c.status === 'FAIL').map((c) => c.name)).toEqual([
      'source-prefix', 'data-key', 'airflow-secrets', 'variable-contract', 'dag-unpaused', 'warehouse-identity', 'endpoints',
    ]);
    expect(checkOf(r, 'dag-unpaused')?.detail).toBe('airflow:InvokeRestApi GET /dags/xetl_products_pipeline on MWAA environment xetl-local failed: Error: socket hang up');
    expectCliJson('doctor', r);
  });
});

describe('doctor\'s fixed parts', () => {
  test('the grants come from the migrations: the xetl_pipeline role\'s table and schema grants', () => {
    const grants = pipelineDatabaseGrants();
    expect(grants).toContainEqual({ privilege: 'INSERT', kind: 'table', object: 'xetl.products_staging' });
    expect(grants).toContainEqual({ privilege: 'UPDATE', kind: 'table', object: 'xetl.pipeline_runs' });
    expect(grants).toContainEqual({ privilege: 'USAGE', kind: 'schema', object: 'xetl' });
    expect(grants).toContainEqual({ privilege: 'CREATE', kind: 'schema', object: 'xetl_marts' });
    expect(grants.some((g) => g.object.includes('sp_load_products_partition'))).toBe(false);
  });

  test('the JSON schema names every check, in order', () => {
    const schema = JSON.parse(fs.readFileSync(schemaFile('doctor'), 'utf8'));
    expect(schema.properties.checks.items.properties.name.enum).toEqual([...DOCTOR_CHECKS]);
  });
});
