import type { VpcEndpoint } from '@aws-sdk/client-ec2';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { DescribeStatementCommand, ExecuteStatementCommand, GetStatementResultCommand } from '@aws-sdk/client-redshift-data';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, ListSecretsCommand, type SecretListEntry } from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { PIPELINE_DAG_ID, PIPELINE_VARIABLE_FIELDS, PIPELINE_VARIABLE_KEY, pipelineVariable, pipelineVariableProblems, type PipelineVariable } from '@xetl/config';
import { AwsClients, type RestApiRequest } from './clients';
import type { OpsContext } from './context';
import { EXIT, XetlError, awsErrorKind, usageError } from './errors';
import { requireAccount } from './identity';
import { listMigrations } from './migrations';
import { readParkSwitch } from './park';

/** Every check doctor runs, in the order it prints them (libs/ops/schemas/doctor.schema.json). */
export const DOCTOR_CHECKS = [
  'identity', 'assume-role', 'source-prefix', 'data-key', 'airflow-secrets',
  'variable-contract', 'dag-unpaused', 'warehouse-identity', 'endpoints',
] as const;
export type CheckName = (typeof DOCTOR_CHECKS)[number];
export type CheckStatus = 'PASS' | 'FAIL' | 'WARN';
export interface Check {
  readonly name: CheckName;
  readonly status: CheckStatus;
  /** One line: what was found and, unless it passed, the fix. */
  readonly detail: string;
}
export interface DoctorReport {
  readonly environment: string;
  readonly caller: string | null;
  readonly checks: readonly Check[];
}
export interface DoctorOptions {
  /** Role to assume first: a full ARN or one of xetl's roles by short name (unload, glue, mwaa, redshift). */
  readonly role?: string;
  /** How often to poll the warehouse statement, in ms. */
  readonly pollIntervalMs?: number;
  /** How long to wait for it: a paused Serverless workgroup resumes first. */
  readonly statementTimeoutMs?: number;
}

/** The database role the DAG's identity is granted (created by sql/migrations/0006_pipeline_role.sql). */
export const PIPELINE_DATABASE_ROLE = 'xetl_pipeline';

/** One grant of the pipeline's database role that Redshift can test for the current user. */
export interface DatabaseGrant {
  readonly privilege: string;
  readonly kind: 'table' | 'schema';
  readonly object: string;
}

const GRANT = /^GRANT\s+([A-Z, ]+?)\s+ON\s+(TABLE|SCHEMA)\s+([\w.]+)\s+TO\s+ROLE\s+(\w+)$/i;

/**
 * The table and schema grants of the pipeline's database role, read from the migrations that make
 * them, so the list lives once. Procedure grants are left out: Redshift has no function to test them.
 */
export function pipelineDatabaseGrants(root?: string): DatabaseGrant[] {
  return listMigrations(root).flatMap((m) => m.statements).flatMap((statement) => {
    const m = GRANT.exec(statement.replace(/--[^\n]*/g, '').trim());
    if (!m || m[4] !== PIPELINE_DATABASE_ROLE) return [];
    const kind = m[2].toLowerCase() as DatabaseGrant['kind'];
    return m[1].split(',').map((p) => ({ privilege: p.trim().toUpperCase(), kind, object: m[3] }));
  });
}

/** `SELECT current_user, has_…_privilege(…) …`: the login and one boolean per grant, in order. */
export function warehouseIdentitySql(grants: readonly DatabaseGrant[]): string {
  const tests = grants.map((g) => `has_${g.kind}_privilege('${g.object}', '${g.privilege}')`);
  return `SELECT current_user, ${tests.join(', ')}`;
}

const grantLabel = (g: DatabaseGrant) => `${g.privilege} on ${g.kind === 'schema' ? 'schema ' : ''}${g.object}`;

/** xetl's roles by the short names `--role` accepts; every ARN comes from Naming. */
export function knownRoles(ctx: OpsContext): Record<string, string> {
  const n = ctx.names;
  return { unload: n.unloadRoleArn, glue: n.glueRoleArn, mwaa: n.mwaaRoleArn, redshift: n.redshiftRoleArn };
}

export function resolveRole(ctx: OpsContext, role: string): string {
  if (role.startsWith('arn:')) return role;
  const roles = knownRoles(ctx);
  if (roles[role]) return roles[role];
  throw usageError(`unknown role "${role}"; give a role ARN or one of: ${Object.keys(roles).join(', ')}`);
}

function errorText(err: unknown): string {
  return `${(err as { name?: string }).name ?? 'Error'}: ${((err as Error).message ?? String(err)).split('\n')[0]}`;
}

const pass = (name: CheckName, detail: string): Check => ({ name, status: 'PASS', detail });
const warn = (name: CheckName, detail: string): Check => ({ name, status: 'WARN', detail });
const fail = (name: CheckName, detail: string): Check => ({ name, status: 'FAIL', detail });

/** What each probe needs: the context, the clients of the identity being checked, and who that is. */
interface Probe {
  readonly ctx: OpsContext;
  /** The caller's clients, or the assumed role's. */
  readonly clients: AwsClients;
  /** ARN of the identity the probes run as. */
  readonly caller: string;
  /** The role `--role` assumed, when it could be. */
  readonly assumed?: string;
  readonly options: DoctorOptions;
}

const denied = (p: Probe, action: string, resource: string, extra = '') => `missing grant: ${action} on ${resource} to ${p.caller}${extra}`;
const deployAnalytics = (p: Probe) => `deploy ${p.ctx.names.stackName('analytics')}`;

async function sourcePrefix(p: Probe): Promise<Check> {
  const { names } = p.ctx;
  const bucket = names.sourceBucket;
  const prefix = `${names.productsPrefix}/`;
  try {
    const out = await p.clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 5 }));
    const n = out.KeyCount ?? out.Contents?.length ?? 0;
    return n > 0
      ? pass('source-prefix', `listed s3://${bucket}/${prefix} (${n}${out.IsTruncated ? '+' : ''} objects)`)
      : warn('source-prefix', `s3://${bucket}/${prefix} is listable but empty; drop a day with xetl drop`);
  } catch (err) {
    return fail('source-prefix', (err as { name?: string }).name === 'NoSuchBucket'
      ? `bucket ${bucket} does not exist; deploy ${names.stackName('source')}`
      : awsErrorKind(err) === 'access-denied'
        ? denied(p, 's3:ListBucket', `${names.bucketArn(bucket)} (s3:prefix ${prefix}*)`, `; account A's bucket policy must allow it too`)
        : `s3:ListBucket on ${names.bucketArn(bucket)} failed: ${errorText(err)}`);
  }
}

/** The data-key check, and the key's ARN when the alias resolved (the variable's fix names it). */
async function dataKey(p: Probe): Promise<{ check: Check; keyArn?: string }> {
  const { names } = p.ctx;
  const alias = names.dataKeyAliasArn;
  try {
    const key = (await p.clients.kms.send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata;
    return {
      keyArn: key?.Arn,
      check: key?.Enabled
        ? pass('data-key', `${names.dataKeyAlias} -> ${key.Arn} (${key.KeyState})`)
        : fail('data-key', `${names.dataKeyAlias} -> ${key?.Arn} is ${key?.KeyState}; enable the key in account A`),
    };
  } catch (err) {
    const kind = awsErrorKind(err);
    return {
      check: fail('data-key', kind === 'not-found'
        ? `key alias ${names.dataKeyAlias} not found (${alias}); deploy ${names.stackName('source')}`
        : kind === 'access-denied'
          ? denied(p, 'kms:DescribeKey', alias, `; account A's key policy must admit the caller`)
          : `kms:DescribeKey on ${alias} failed: ${errorText(err)}`),
    };
  }
}

async function airflowSecrets(p: Probe): Promise<Check> {
  const { ctx } = p;
  const secretsPrefix = `${ctx.env.airflow.secretsPrefix}/`;
  try {
    const found: SecretListEntry[] = [];
    let token: string | undefined;
    do {
      const out = await p.clients.secrets.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [secretsPrefix] }], NextToken: token }));
      found.push(...(out.SecretList ?? []));
      token = out.NextToken;
    } while (token);
    const secretNames = found.map((s) => s.Name as string).filter((n) => n.startsWith(secretsPrefix)).sort();
    return secretNames.includes(ctx.names.pipelineVariableSecret)
      ? pass('airflow-secrets', `${secretNames.length} secret(s) under ${secretsPrefix}: ${secretNames.join(', ')}`)
      : fail('airflow-secrets', `secret ${ctx.names.pipelineVariableSecret} not found under ${secretsPrefix} (found: ${secretNames.join(', ') || 'none'}); ${deployAnalytics(p)}`);
  } catch (err) {
    return fail('airflow-secrets', awsErrorKind(err) === 'access-denied'
      ? denied(p, 'secretsmanager:ListSecrets', '*', ' (ListSecrets takes no resource ARN)')
      : `secretsmanager:ListSecrets failed: ${errorText(err)}`);
  }
}

/** Fields the analytics stack fills from resources it creates, not from the config. */
const RUNTIME_FIELDS = new Set<keyof PipelineVariable>(['sns_topic_arn', 'redshift_endpoint', 'target_kms_key_arn', 'chat_topic_arn', 'airflow_url']);

/**
 * Reads the variable's secret (as MWAA's secrets backend does) and checks it against the pipeline
 * contract, then against what the config names. `keyArn`: the data key's ARN, when known.
 */
async function variableContract(p: Probe, keyArn: Promise<string | undefined>): Promise<Check> {
  const { ctx } = p;
  const { names } = ctx;
  const secret = names.pipelineVariableSecret;
  const redeploy = `redeploy ${names.stackName('analytics')} (it writes the variable from the contract)`;
  let text: string | undefined;
  try {
    text = (await p.clients.secrets.send(new GetSecretValueCommand({ SecretId: secret }))).SecretString;
  } catch (err) {
    const kind = awsErrorKind(err);
    return fail('variable-contract', kind === 'not-found'
      ? `the ${PIPELINE_VARIABLE_KEY} variable does not resolve: secret ${secret} not found; ${deployAnalytics(p)} (it writes the variable)`
      : kind === 'access-denied'
        ? denied(p, 'secretsmanager:GetSecretValue', names.airflowSecretsArnPattern, ' (and kms:Decrypt on the analytics key through Secrets Manager), as MWAA\'s role has')
        : `secretsmanager:GetSecretValue on ${secret} failed: ${errorText(err)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text ?? '');
  } catch (err) {
    return fail('variable-contract', `${secret} is not JSON (${(err as Error).message}); ${redeploy}`);
  }
  const problems = pipelineVariableProblems(value);
  const kmsField = 'target_kms_key_arn';
  const held = (value as Record<string, unknown> | null)?.[kmsField];
  if (problems.length === 1 && problems[0].startsWith(`${kmsField} `) && typeof held === 'string' && held.includes(':alias/')) {
    const arn = (await keyArn) ?? `<data_key_arn output of ${names.stackName('source')}>`;
    return fail('variable-contract', `${kmsField} holds the data key's alias ARN ${held}, which S3 does not accept for a key of another account: `
      + `the analytics stack was deployed without --var source_data_key_arn=...; redeploy ${names.stackName('analytics')} with --var source_data_key_arn=${arn} (docs/first-deploy.md, step 6)`);
  }
  if (problems.length) return fail('variable-contract', `${secret} does not match the pipeline contract: ${problems.join('; ')}; ${redeploy}`);
  const deployed = value as PipelineVariable;
  const expected = pipelineVariable(names, ctx.env, {
    snsTopicArn: deployed.sns_topic_arn, redshiftEndpoint: deployed.redshift_endpoint, targetKmsKeyArn: deployed.target_kms_key_arn,
    chatTopicArn: deployed.chat_topic_arn, airflowUrl: deployed.airflow_url,
  });
  const differ = (Object.keys(PIPELINE_VARIABLE_FIELDS) as (keyof PipelineVariable)[])
    .filter((k) => !RUNTIME_FIELDS.has(k) && deployed[k] !== expected[k])
    .map((k) => `${k} is ${JSON.stringify(deployed[k])}, the config names ${JSON.stringify(expected[k])}`);
  if (differ.length) {
    return fail('variable-contract', `${secret} matches the contract but differs from xetl.config.ts: ${differ.join('; ')}; redeploy ${names.stackName('analytics')} from this config`);
  }
  return pass('variable-contract', `${secret} holds all ${Object.keys(PIPELINE_VARIABLE_FIELDS).length} fields of the pipeline contract, each of the right type and form, and names what xetl.config.ts names`);
}

/** The last line of a Python traceback: the exception and its message. */
const lastLine = (trace: string) => trace.trim().split('\n').at(-1)?.trim().slice(0, 300) ?? '';

/**
 * Reads the DAG through MWAA's InvokeRestApi (Airflow 3 REST, `GET /dags/<id>`), with the caller's
 * own credentials: MWAA's execution role has no reason to call the Airflow API.
 */
async function dagUnpaused(p: Probe): Promise<Check> {
  const { ctx } = p;
  const env = ctx.names.mwaaEnvironment;
  const dagPath = `/dags/${PIPELINE_DAG_ID}`;
  const airflow = ctx.airflow();
  const call = async (request: RestApiRequest) => {
    try {
      return await airflow.invoke(request);
    } catch (err) {
      const kind = awsErrorKind(err);
      throw new XetlError(kind === 'not-found'
        ? `MWAA environment ${env} not found (${((err as Error).message ?? '').split('\n')[0]}); deploy ${ctx.names.stackName('analytics')}`
        : kind === 'access-denied'
          ? denied(p, 'airflow:InvokeRestApi', ctx.names.mwaaRestApiRoleArn('Viewer'))
          : `airflow:InvokeRestApi ${request.method} ${request.path} on MWAA environment ${env} failed: ${errorText(err)}`, EXIT.aws);
    }
  };
  const refused = (status: number, what: string) =>
    `${denied(p, 'airflow:InvokeRestApi', ctx.names.mwaaRestApiRoleArn('Viewer'))} (Airflow answered ${status} to ${what})`;
  try {
    const dag = await call({ path: dagPath, method: 'GET' });
    if (dag.status === 401 || dag.status === 403) return fail('dag-unpaused', refused(dag.status, `GET ${dagPath}`));
    if (dag.status === 404) {
      const errors = await call({ path: '/importErrors', method: 'GET', query: { limit: 1 } });
      const body = errors.body as { total_entries?: number; import_errors?: { filename?: string; stack_trace?: string }[] } | undefined;
      const first = body?.import_errors?.[0];
      const missing = `DAG ${PIPELINE_DAG_ID} is not loaded in MWAA environment ${env}`;
      const upload = `deploy ${ctx.names.stackName('analytics')} (it uploads the DAGs), then give the DAG processor a few minutes`;
      if (errors.status !== 200) return fail('dag-unpaused', `${missing}; its import errors could not be read (Airflow answered ${errors.status} to GET /importErrors); ${upload}`);
      return fail('dag-unpaused', first
        ? `${missing}; ${body?.total_entries ?? 1} import error(s), the first in ${first.filename}: `
          + `${lastLine(first.stack_trace ?? '')}; fix it and redeploy ${ctx.names.stackName('analytics')} (it uploads the DAGs and their requirements)`
        : `${missing} and there is no import error; ${upload}`);
    }
    if (dag.status !== 200) return fail('dag-unpaused', `Airflow answered ${dag.status} to GET ${dagPath}: ${JSON.stringify(dag.body ?? '').slice(0, 200)}`);
    const body = dag.body as { is_paused?: boolean; is_stale?: boolean; last_parsed_time?: string | null };
    if (body.is_paused === true) {
      return fail('dag-unpaused', `DAG ${PIPELINE_DAG_ID} is paused in MWAA environment ${env}: no run starts, not even from a marker; unpause it in the Airflow UI, `
        + `or PATCH ${dagPath} {"is_paused": false} (aws mwaa invoke-rest-api --name ${env} --path ${dagPath} --method PATCH --body '{"is_paused": false}'); `
        + 'new DAGs start unpaused because the analytics stack sets core.dags_are_paused_at_creation = False');
    }
    if (body.is_stale) {
      return fail('dag-unpaused', `DAG ${PIPELINE_DAG_ID} is stale in MWAA environment ${env}: its file is no longer in the DAGs folder; redeploy ${ctx.names.stackName('analytics')} (it uploads the DAGs)`);
    }
    return pass('dag-unpaused', `DAG ${PIPELINE_DAG_ID} is loaded and unpaused in MWAA environment ${env} (last parsed ${body.last_parsed_time ?? 'unknown'})`);
  } catch (err) {
    if (err instanceof XetlError) return fail('dag-unpaused', err.message);
    throw err;
  }
}

/**
 * Runs one statement on the workgroup through the Data API as the DAG does (no secret: Redshift
 * logs the IAM identity in as `IAMR:<role>`), and checks the login and the pipeline role's grants.
 * Only meaningful as MWAA's own role.
 */
async function warehouseIdentity(p: Probe): Promise<Check> {
  const { ctx, options } = p;
  const { names } = ctx;
  if (p.assumed !== names.mwaaRoleArn) {
    return warn('warehouse-identity', 'not checked: Redshift logs each IAM identity in as its own user, so only MWAA\'s role shows the DAG\'s database identity; '
      + `run xetl doctor --env ${ctx.env.name} --role mwaa`);
  }
  const expectedUser = `IAMR:${names.mwaaRoleName}`;
  const bootstrap = `run xetl bootstrap --env ${ctx.env.name}`;
  const grants = pipelineDatabaseGrants();
  const data = p.clients.redshiftData;
  let id: string | undefined;
  try {
    id = (await data.send(new ExecuteStatementCommand({
      WorkgroupName: names.redshiftWorkgroup, Database: ctx.env.redshift.databaseName, Sql: warehouseIdentitySql(grants), StatementName: 'xetl-doctor',
    }))).Id;
  } catch (err) {
    const kind = awsErrorKind(err);
    return fail('warehouse-identity', kind === 'access-denied'
      ? `missing grant: redshift-data:ExecuteStatement on workgroup ${names.redshiftWorkgroup}, and redshift-serverless:GetCredentials (IAM authentication without a secret), `
        + `to ${p.caller}; the analytics stack grants both to the MWAA role`
      : kind === 'not-found'
        ? `workgroup ${names.redshiftWorkgroup} not found (${errorText(err)}); ${deployAnalytics(p)}`
        : `redshift-data:ExecuteStatement on workgroup ${names.redshiftWorkgroup} failed: ${errorText(err)}`);
  }
  const timeoutMs = options.statementTimeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const s = await data.send(new DescribeStatementCommand({ Id: id }));
      if (s.Status === 'FINISHED') break;
      if (s.Status === 'FAILED' || s.Status === 'ABORTED') {
        const error = (s.Error ?? 'no error text').split('\n')[0];
        const fix = /does not exist/i.test(error)
          ? `${bootstrap} (it creates the tables and the grants)`
          : /permission|not authorized|GetCredentials/i.test(error)
            ? `the MWAA role needs redshift-serverless:GetCredentials on the workgroup and its RedshiftDbRoles principal tag must name ${PIPELINE_DATABASE_ROLE} (analytics stack)`
            : 'check the workgroup, then run doctor again';
        return fail('warehouse-identity', `the statement failed as ${expectedUser} would run it: ${error}; ${fix}`);
      }
      if (Date.now() > deadline) {
        return fail('warehouse-identity', `the statement is still ${s.Status} after ${timeoutMs / 1000} s (${id}); the workgroup may be resuming from zero capacity: run doctor again`);
      }
      await new Promise((r) => setTimeout(r, options.pollIntervalMs ?? 1000));
    }
    const [row] = (await data.send(new GetStatementResultCommand({ Id: id }))).Records ?? [];
    const user = row?.[0]?.stringValue ?? '(no row)';
    if (user !== expectedUser) {
      return fail('warehouse-identity', `the Data API logged in as ${user}, not ${expectedUser}; the statement must run with the assumed MWAA role and no secret or database user`);
    }
    const lacking = grants.filter((_g, i) => row?.[i + 1]?.booleanValue !== true).map(grantLabel);
    if (lacking.length) {
      return fail('warehouse-identity', `${user} lacks ${lacking.length} grant(s) of the ${PIPELINE_DATABASE_ROLE} database role: ${lacking.join(', ')}; `
        + `${bootstrap} (the grants are sql/migrations), and the MWAA role's RedshiftDbRoles principal tag must name ${PIPELINE_DATABASE_ROLE} (analytics stack)`);
    }
    return pass('warehouse-identity', `the Data API ran a statement on workgroup ${names.redshiftWorkgroup} without a secret, as ${user}, `
      + `which holds all ${grants.length} table and schema grants of the ${PIPELINE_DATABASE_ROLE} database role`);
  } catch (err) {
    return fail('warehouse-identity', `reading statement ${id} failed: ${errorText(err)}; the MWAA role's Data API grants cover statements it ran itself`);
  }
}

/**
 * The interface endpoints of the MWAA VPC (found by its Name tag): each one the analytics stack makes
 * (libs/constructs' network list) exists, is available and has private DNS, which is what makes the
 * services' default names resolve to it from the MWAA subnets. Reads with the caller's credentials.
 */
async function endpoints(p: Probe): Promise<Check> {
  const { ctx } = p;
  const { names } = ctx;
  const ec2 = ctx.clients.ec2;
  const vpcName = names.vpcName('mwaa');
  // Loaded here, not at the top: the constructs library pulls in cdktf, and the EC2 client is the
  // SDK's largest; no other command needs either (together about a second of start-up).
  const { AIRFLOW_ENDPOINT_SERVICES, INTERFACE_ENDPOINT_SERVICES } = await import('@xetl/constructs');
  const { DescribeVpcAttributeCommand, DescribeVpcEndpointsCommand, DescribeVpcsCommand } = await import('@aws-sdk/client-ec2');
  const services = [...INTERFACE_ENDPOINT_SERVICES, ...AIRFLOW_ENDPOINT_SERVICES].sort();
  try {
    const vpcs = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: [vpcName] }] }))).Vpcs ?? [];
    if (vpcs.length === 0) return fail('endpoints', `no VPC named ${vpcName} in account ${names.accountId('analytics')} (${ctx.env.region}); ${deployAnalytics(p)}`);
    if (vpcs.length > 1) return fail('endpoints', `${vpcs.length} VPCs are named ${vpcName} (${vpcs.map((v) => v.VpcId).join(', ')}); remove the one the analytics stack does not manage`);
    const vpcId = vpcs[0].VpcId!;
    const where = `${vpcId} (${vpcName})`;
    for (const attribute of ['enableDnsSupport', 'enableDnsHostnames'] as const) {
      const out = await ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: attribute }));
      const on = attribute === 'enableDnsSupport' ? out.EnableDnsSupport?.Value : out.EnableDnsHostnames?.Value;
      if (!on) {
        return fail('endpoints', `${where} has ${attribute} off, so no endpoint's private DNS name resolves; redeploy ${names.stackName('analytics')} (the VPC turns on DNS support and host names)`);
      }
    }
    const found: VpcEndpoint[] = [];
    let token: string | undefined;
    do {
      const out = await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }], NextToken: token }));
      found.push(...(out.VpcEndpoints ?? []));
      token = out.NextToken;
    } while (token);
    const missing: string[] = [];
    const unavailable: string[] = [];
    const noPrivateDns: string[] = [];
    for (const service of services) {
      const serviceName = `com.amazonaws.${ctx.env.region}.${service}`;
      const candidates = found.filter((e) => e.ServiceName === serviceName && e.VpcEndpointType?.toLowerCase() === 'interface');
      const best = candidates.find((e) => e.State?.toLowerCase() === 'available') ?? candidates[0];
      if (!best) missing.push(service);
      else if (best.State?.toLowerCase() !== 'available') unavailable.push(`${service} (${best.State?.toLowerCase()})`);
      else if (!best.PrivateDnsEnabled) noPrivateDns.push(service);
    }
    if (missing.length || unavailable.length || noPrivateDns.length) {
      const parts = [
        ...(missing.length ? [`missing ${missing.join(', ')}`] : []),
        ...(unavailable.length ? [`not available: ${unavailable.join(', ')}`] : []),
        ...(noPrivateDns.length ? [`private DNS off: ${noPrivateDns.join(', ')}, so ${noPrivateDns.length === 1 ? 'its service name does not resolve to it' : 'their service names do not resolve to them'} from the MWAA subnets`] : []),
      ];
      return fail('endpoints', `in ${where}: ${parts.join('; ')}; redeploy ${names.stackName('analytics')} (it makes each endpoint with private DNS)`);
    }
    return pass('endpoints', `all ${services.length} interface endpoints the pipeline needs are available in ${where} with private DNS on (and the VPC's DNS support and host names), `
      + `so the services' default names resolve to them from the MWAA subnets (the resolution itself can be seen only from inside the VPC): ${services.join(', ')}`);
  } catch (err) {
    return fail('endpoints', awsErrorKind(err) === 'access-denied'
      ? denied(p, 'ec2:DescribeVpcs, ec2:DescribeVpcAttribute and ec2:DescribeVpcEndpoints', '*', ' (EC2 describe calls take no resource ARN)')
      : `reading the MWAA VPC's endpoints failed: ${errorText(err)}`);
  }
}

/**
 * Probes the cross-account path and the analytics side after deploy, one check per hop. Identity
 * comes first and alone decides whether anything else runs; the other checks run side by side and
 * none stops another. With `--role` the pipeline's own reads run as that role; the DAG and the
 * endpoints are read with the caller's credentials. A denied call names the action and the resource
 * that must allow it; values of secrets are never printed, except the pipeline variable's names.
 */
/** Whether a parkable environment's switch says parked; unreadable counts as not parked. */
async function isParked(ctx: OpsContext): Promise<boolean> {
  if (!ctx.env.parkable) return false;
  try {
    return (await readParkSwitch(ctx)).value === 'true';
  } catch {
    return false;
  }
}

export async function doctor(ctx: OpsContext, options: DoctorOptions = {}): Promise<DoctorReport> {
  const { names } = ctx;
  const checks: Check[] = [];
  let caller: string;

  // Identity first, and only once: without credentials, or in an account that is neither A nor
  // B, every other probe would fail the same way and advise the wrong fix.
  try {
    const id = await requireAccount(ctx, 'either');
    caller = id.arn;
    const side = id.account === names.accountId('source') ? 'source, A' : 'analytics, B';
    const both = names.accountId('source') === names.accountId('analytics') ? 'source and analytics' : side;
    checks.push(pass('identity', `caller ${id.arn} (account ${id.account}: ${both}; credentials from ${id.source})`));
  } catch (err) {
    if (!(err instanceof XetlError)) throw err;
    checks.push(fail('identity', err.message));
    return { environment: ctx.env.name, caller: null, checks };
  }

  let probe: Probe = { ctx, clients: ctx.clients, caller, options };
  if (options.role) {
    const arn = resolveRole(ctx, options.role);
    try {
      const out = await ctx.clients.sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'xetl-doctor', DurationSeconds: 900 }));
      const c = out.Credentials!;
      const clients = new AwsClients({
        ...ctx.clients.options,
        credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken },
      });
      const as = out.AssumedRoleUser?.Arn ?? arn;
      checks.push(pass('assume-role', `assumed ${arn}; the checks below run as ${as}`
        + (ctx.env.localOnly ? '' : ', except dag-unpaused and endpoints, which read the deployment with your own credentials')));
      probe = { ...probe, clients, caller: as, assumed: arn };
    } catch (err) {
      checks.push(fail('assume-role', awsErrorKind(err) === 'access-denied' || awsErrorKind(err) === 'not-found'
        ? `${denied(probe, 'sts:AssumeRole', arn)}, and the trust policy of ${arn} must name the caller; the checks below use the caller's own credentials`
        : `sts:AssumeRole on ${arn} failed: ${errorText(err)}; the checks below use the caller's own credentials`));
    }
  }

  const key = dataKey(probe);
  const probes: Promise<Check>[] = [
    sourcePrefix(probe),
    key.then((k) => k.check),
    airflowSecrets(probe),
    variableContract(probe, key.then((k) => k.keyArn)),
  ];
  // An emulator-only environment has no MWAA, warehouse or VPC: npm run local stands in for account B.
  // A parked one has no MWAA and no interface endpoints until `xetl unpark`: say so, not "deploy".
  if (!ctx.env.localOnly) {
    const parked = await isParked(ctx);
    const whileParked = (name: CheckName, what: string) =>
      Promise.resolve(warn(name, `${ctx.env.name} is parked (${names.parkParameter} = true): ${what} until xetl unpark --env ${ctx.env.name}`));
    probes.push(
      parked ? whileParked('dag-unpaused', `no MWAA environment to ask`) : dagUnpaused(probe),
      warehouseIdentity(probe),
      parked ? whileParked('endpoints', 'the interface endpoints are deleted') : endpoints(probe),
    );
  }
  checks.push(...(await Promise.all(probes)));
  return { environment: ctx.env.name, caller: probe.caller, checks };
}

export function doctorPassed(r: DoctorReport): boolean {
  return r.checks.every((c) => c.status !== 'FAIL');
}

export function renderDoctor(r: DoctorReport): string[] {
  const width = Math.max(...r.checks.map((c) => c.name.length));
  const lines = r.checks.map((c) => `${c.status.padEnd(4)}  ${c.name.padEnd(width)}  ${c.detail}`);
  const count = (s: CheckStatus) => r.checks.filter((c) => c.status === s).length;
  lines.push(`${count('PASS')} passed, ${count('FAIL')} failed, ${count('WARN')} warning(s)`);
  return lines;
}
