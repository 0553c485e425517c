import * as path from 'node:path';
import { BatchExecuteStatementCommand, DescribeStatementCommand, ExecuteStatementCommand } from '@aws-sdk/client-redshift-data';
import { GetNamespaceCommand, GetWorkgroupCommand } from '@aws-sdk/client-redshift-serverless';
import { GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { PIPELINE_POOL } from '@xetl/config';
import type { RestApiRequest } from './clients';
import type { OpsContext } from './context';
import { EXIT, XetlError, explainAwsError } from './errors';
import { listMigrations, sqlRoot } from './migrations';
import { airflowError } from './trigger';

/**
 * Keys bootstrap owns in the `xetl_pipeline` variable. `redshift_secret_arn` is also written by
 * the analytics stack; the endpoint keys exist only once the workgroup does.
 */
export const BOOTSTRAP_KEYS = ['redshift_secret_arn', 'redshift_endpoint', 'redshift_port'] as const;

export interface BootstrapOptions {
  readonly sqlRoot?: string;
  /** How long to wait for one migration, in ms. */
  readonly statementTimeoutMs?: number;
  readonly pollIntervalMs?: number;
  readonly onMigration?: (file: string) => void;
}

export interface KeyChange {
  readonly key: string;
  readonly change: 'added' | 'changed';
}

/** The DAG's one-slot pool as `xetl bootstrap` left it on MWAA; null for the local environment. */
export interface PoolState {
  readonly name: string;
  readonly slots: number;
  readonly include_deferred: boolean;
  readonly change: 'created' | 'updated' | 'unchanged';
}

export interface BootstrapResult {
  readonly workgroup: string;
  readonly endpoint: string;
  readonly port: number;
  readonly variable_secret: string;
  readonly variable_changes: readonly KeyChange[];
  readonly migrations: readonly { file: string; statements: number; statement_id: string }[];
  readonly pool: PoolState | null;
}

const POOL_DESCRIPTION = 'xetl: one pipeline task at a time (pipeline contract, libs/config)';

/**
 * Makes the DAG's pool exist on MWAA as the pipeline contract defines it (one slot, deferred tasks
 * counted), through InvokeRestApi: `GET /pools/<name>`, then `POST /pools` when it is missing or
 * `PATCH /pools/<name>` when its slots or deferred counting differ. Runs queue behind it.
 */
export async function ensurePool(ctx: OpsContext): Promise<PoolState> {
  const { name, slots, include_deferred } = PIPELINE_POOL;
  const poolPath = `/pools/${name}`;
  const call = async (request: RestApiRequest) => {
    try {
      return await ctx.airflow().invoke(request);
    } catch (err) {
      throw explainAwsError(err, 'airflow:InvokeRestApi', `MWAA environment ${ctx.names.mwaaEnvironment}`, 'deploy the analytics stack first');
    }
  };
  const current = await call({ path: poolPath, method: 'GET' });
  if (current.status === 404) {
    const created = await call({ path: '/pools', method: 'POST', body: { name, slots, description: POOL_DESCRIPTION, include_deferred } });
    if (created.status !== 201 && created.status !== 200) throw airflowError(ctx, created.status, created.body, 'POST /pools');
    return { name, slots, include_deferred, change: 'created' };
  }
  if (current.status !== 200) throw airflowError(ctx, current.status, current.body, `GET ${poolPath}`);
  const body = current.body as { slots?: number; include_deferred?: boolean; description?: string | null };
  if (body.slots === slots && body.include_deferred === include_deferred) return { name, slots, include_deferred, change: 'unchanged' };
  // Without an update mask Airflow validates the body as a whole pool, so send every field.
  const patched = await call({ path: poolPath, method: 'PATCH', body: { pool: name, slots, description: body.description ?? POOL_DESCRIPTION, include_deferred } });
  if (patched.status !== 200) throw airflowError(ctx, patched.status, patched.body, `PATCH ${poolPath}`);
  return { name, slots, include_deferred, change: 'updated' };
}

interface Warehouse {
  endpoint: string;
  port: number;
  adminSecretArn: string;
}

async function readWarehouse(ctx: OpsContext): Promise<Warehouse> {
  const { names } = ctx;
  const rs = ctx.clients.redshiftServerless;
  let wg;
  try {
    wg = (await rs.send(new GetWorkgroupCommand({ workgroupName: names.redshiftWorkgroup }))).workgroup;
  } catch (err) {
    throw explainAwsError(err, 'redshift-serverless:GetWorkgroup', `workgroup ${names.redshiftWorkgroup}`, 'deploy the analytics stack first');
  }
  if (wg?.status !== 'AVAILABLE' || !wg.endpoint?.address) {
    throw new XetlError(`workgroup ${names.redshiftWorkgroup} is ${wg?.status ?? 'unknown'} without an endpoint yet; wait until it is AVAILABLE and run bootstrap again`, EXIT.aws);
  }
  let ns;
  try {
    ns = (await rs.send(new GetNamespaceCommand({ namespaceName: names.redshiftNamespace }))).namespace;
  } catch (err) {
    throw explainAwsError(err, 'redshift-serverless:GetNamespace', `namespace ${names.redshiftNamespace}`, 'deploy the analytics stack first');
  }
  if (!ns?.adminPasswordSecretArn) {
    throw new XetlError(`namespace ${names.redshiftNamespace} has no managed admin secret; the analytics stack sets manage_admin_password = true, redeploy it`, EXIT.aws);
  }
  return { endpoint: wg.endpoint.address, port: wg.endpoint.port ?? 5439, adminSecretArn: ns.adminPasswordSecretArn };
}

/** Read-modify-write of the variable's JSON: only bootstrap's keys change, others stay as they are. */
async function updateVariable(ctx: OpsContext, wh: Warehouse): Promise<KeyChange[]> {
  const id = ctx.names.pipelineVariableSecret;
  const sm = ctx.clients.secrets;
  let text: string;
  try {
    text = (await sm.send(new GetSecretValueCommand({ SecretId: id }))).SecretString ?? '{}';
  } catch (err) {
    throw explainAwsError(err, 'secretsmanager:GetSecretValue', `secret ${id}`, 'deploy the analytics stack first (it creates the variable)');
  }
  let current: Record<string, unknown>;
  try {
    current = JSON.parse(text);
  } catch {
    throw new XetlError(`secret ${id} does not hold JSON; redeploy the analytics stack to rewrite it`, EXIT.aws);
  }
  const desired: Record<(typeof BOOTSTRAP_KEYS)[number], string | number> = {
    redshift_secret_arn: wh.adminSecretArn,
    redshift_endpoint: wh.endpoint,
    redshift_port: wh.port,
  };
  const changes: KeyChange[] = [];
  for (const key of BOOTSTRAP_KEYS) {
    if (current[key] === desired[key]) continue;
    changes.push({ key, change: key in current ? 'changed' : 'added' });
  }
  if (changes.length === 0) return changes;
  try {
    await sm.send(new PutSecretValueCommand({ SecretId: id, SecretString: JSON.stringify({ ...current, ...desired }) }));
  } catch (err) {
    throw explainAwsError(err, 'secretsmanager:PutSecretValue', `secret ${id}`);
  }
  return changes;
}

async function waitFor(ctx: OpsContext, id: string, file: string, options: BootstrapOptions): Promise<void> {
  const deadline = Date.now() + (options.statementTimeoutMs ?? 300_000);
  const interval = options.pollIntervalMs ?? 1000;
  for (;;) {
    const s = await ctx.clients.redshiftData.send(new DescribeStatementCommand({ Id: id }));
    if (s.Status === 'FINISHED') return;
    if (s.Status === 'FAILED' || s.Status === 'ABORTED') {
      throw new XetlError(`migration ${file} ${s.Status.toLowerCase()}: ${(s.Error ?? 'no error text').split('\n')[0]}; fix the SQL and run bootstrap again (every migration is re-runnable)`, EXIT.unexpected);
    }
    if (Date.now() > deadline) {
      throw new XetlError(`migration ${file} still ${s.Status} after ${(options.statementTimeoutMs ?? 300_000) / 1000} s (statement ${id}); check the workgroup, then run bootstrap again`, EXIT.unexpected);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/**
 * Post-deploy set-up of account B: writes the warehouse endpoint and admin secret ARN into the
 * `xetl_pipeline` variable and applies the SQL migrations. Safe to run any number of times.
 */
export async function bootstrap(ctx: OpsContext, options: BootstrapOptions = {}): Promise<BootstrapResult> {
  const migrations = listMigrations(options.sqlRoot ?? sqlRoot());
  const wh = await readWarehouse(ctx);
  const variableChanges = await updateVariable(ctx, wh);

  const common = { WorkgroupName: ctx.names.redshiftWorkgroup, SecretArn: wh.adminSecretArn, Database: ctx.env.redshift.databaseName };
  const applied: BootstrapResult['migrations'][number][] = [];
  for (const m of migrations) {
    const file = path.basename(m.file);
    options.onMigration?.(file);
    let id: string | undefined;
    try {
      // One file is one transaction: a batch when it holds several statements (migrations.py).
      const out = m.statements.length === 1
        ? await ctx.clients.redshiftData.send(new ExecuteStatementCommand({ ...common, Sql: m.statements[0], StatementName: `xetl-migration-${file}` }))
        : await ctx.clients.redshiftData.send(new BatchExecuteStatementCommand({ ...common, Sqls: [...m.statements], StatementName: `xetl-migration-${file}` }));
      id = out.Id;
    } catch (err) {
      throw explainAwsError(err, 'redshift-data:ExecuteStatement', `workgroup ${ctx.names.redshiftWorkgroup}`);
    }
    if (!id) throw new XetlError(`the Data API returned no statement id for ${file}`, EXIT.unexpected);
    await waitFor(ctx, id, file, options);
    applied.push({ file, statements: m.statements.length, statement_id: id });
  }
  return {
    workgroup: ctx.names.redshiftWorkgroup,
    endpoint: wh.endpoint,
    port: wh.port,
    variable_secret: ctx.names.pipelineVariableSecret,
    variable_changes: variableChanges,
    migrations: applied,
    // The local run creates the pool in its own Airflow; MWAA's is made here, last, so a network
    // that cannot reach MWAA's API still gets the variable and the migrations done.
    pool: ctx.env.localOnly ? null : await ensurePool(ctx),
  };
}

/** Names what changed; values stay out (the variable is a secret, even if it holds only names). */
export function renderBootstrap(r: BootstrapResult): string[] {
  const lines = [`workgroup ${r.workgroup}: endpoint ${r.endpoint}:${r.port}`];
  lines.push(r.variable_changes.length
    ? `variable ${r.variable_secret}: updated ${r.variable_changes.map((c) => `${c.key} (${c.change})`).join(', ')}`
    : `variable ${r.variable_secret}: up to date`);
  const first = r.migrations[0]?.file;
  const last = r.migrations.at(-1)?.file;
  lines.push(`migrations: ${r.migrations.length} applied (${first} .. ${last}); each is re-runnable, so every run applies all of them`);
  if (r.pool) lines.push(`pool ${r.pool.name}: ${r.pool.change} (${r.pool.slots} slot, deferred tasks ${r.pool.include_deferred ? '' : 'not '}counted)`);
  const poolChanged = r.pool !== null && r.pool.change !== 'unchanged';
  const changes = [
    ...(r.variable_changes.length ? [`${r.variable_changes.length} key(s) of ${r.variable_secret}`] : []),
    ...(poolChanged ? [`pool ${r.pool!.name} ${r.pool!.change}`] : []),
  ];
  lines.push(changes.length ? `changed: ${changes.join('; ')}` : 'no changes');
  return lines;
}
