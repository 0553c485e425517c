import * as path from 'node:path';
import { BatchExecuteStatementCommand, DescribeStatementCommand, ExecuteStatementCommand } from '@aws-sdk/client-redshift-data';
import { GetNamespaceCommand, GetWorkgroupCommand } from '@aws-sdk/client-redshift-serverless';
import { PIPELINE_POOL } from '@xetl/config';
import type { RestApiRequest } from './clients';
import type { OpsContext } from './context';
import { EXIT, XetlError, explainAwsError } from './errors';
import { listMigrations, sqlRoot } from './migrations';
import { airflowError } from './trigger';

export interface BootstrapOptions {
  readonly sqlRoot?: string;
  /** How long to wait for one migration, in ms. */
  readonly statementTimeoutMs?: number;
  readonly pollIntervalMs?: number;
  readonly onMigration?: (file: string) => void;
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
 * Post-deploy set-up of account B: applies the SQL migrations with the warehouse's managed admin
 * secret (the one user of it: the DAG runs as MWAA's role, mapped to the xetl_pipeline database
 * role the migrations create) and makes the DAG's pool on MWAA. The `xetl_pipeline` variable is
 * the analytics stack's (the pipeline contract); bootstrap does not touch it. Safe to run any
 * number of times.
 */
export async function bootstrap(ctx: OpsContext, options: BootstrapOptions = {}): Promise<BootstrapResult> {
  const migrations = listMigrations(options.sqlRoot ?? sqlRoot());
  const wh = await readWarehouse(ctx);

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
    migrations: applied,
    // The local run creates the pool in its own Airflow; MWAA's is made here, last, so a network
    // that cannot reach MWAA's API still gets the migrations done.
    pool: ctx.env.localOnly ? null : await ensurePool(ctx),
  };
}

/** What bootstrap did, and what it changed. */
export function renderBootstrap(r: BootstrapResult): string[] {
  const lines = [`workgroup ${r.workgroup}: endpoint ${r.endpoint}:${r.port}`];
  const first = r.migrations[0]?.file;
  const last = r.migrations.at(-1)?.file;
  lines.push(`migrations: ${r.migrations.length} applied (${first} .. ${last}); each is re-runnable, so every run applies all of them`);
  if (r.pool) lines.push(`pool ${r.pool.name}: ${r.pool.change} (${r.pool.slots} slot, deferred tasks ${r.pool.include_deferred ? '' : 'not '}counted)`);
  const poolChanged = r.pool !== null && r.pool.change !== 'unchanged';
  const changes = poolChanged ? [`pool ${r.pool!.name} ${r.pool!.change}`] : [];
  lines.push(changes.length ? `changed: ${changes.join('; ')}` : 'no changes');
  return lines;
}
