import { BatchExecuteStatementCommand, DescribeStatementCommand, ExecuteStatementCommand } from '@aws-sdk/client-redshift-data';
import { GetNamespaceCommand, GetWorkgroupCommand } from '@aws-sdk/client-redshift-serverless';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { Naming, loadConfig, selectEnvironment } from '@xetl/config';
import { bootstrap, ensurePool, renderBootstrap } from './bootstrap';
import type { AirflowApi, RestApiRequest } from './clients';
import type { OpsContext } from './context';
import { listMigrations } from './migrations';
import { acceptMotoRedshiftDataTimestamps, motoContext, resetMoto, useMoto } from './test-support/moto';
import { expectCliJson } from './test-support/json-schema';

jest.setTimeout(120_000);
const moto = useMoto();
const ADMIN_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:redshift!xetl-local-admin-AbCdEf';

/** Redshift Serverless is not in moto: its two reads are stubbed at the client. */
function stubServerless(ctx: OpsContext, endpoint = 'xetl-local.123456789012.us-east-1.redshift-serverless.amazonaws.com') {
  const rs = mockClient(ctx.clients.redshiftServerless);
  rs.on(GetWorkgroupCommand, { workgroupName: ctx.names.redshiftWorkgroup }).resolves({
    workgroup: { workgroupName: ctx.names.redshiftWorkgroup, status: 'AVAILABLE', endpoint: { address: endpoint, port: 5439 } },
  });
  rs.on(GetNamespaceCommand, { namespaceName: ctx.names.redshiftNamespace }).resolves({
    namespace: { namespaceName: ctx.names.redshiftNamespace, adminPasswordSecretArn: ADMIN_SECRET },
  });
  return rs;
}

/**
 * moto's Redshift Data keeps every statement STARTED forever and has no BatchExecuteStatement:
 * ExecuteStatement and DescribeStatement go to moto (which records the SQL), the status is
 * reported FINISHED, and batches are answered by the stub.
 */
function finishDataApi(ctx: OpsContext) {
  const batches: Array<Record<string, unknown>> = [];
  acceptMotoRedshiftDataTimestamps(ctx.clients.redshiftData);
  const send = ctx.clients.redshiftData.send.bind(ctx.clients.redshiftData);
  jest.spyOn(ctx.clients.redshiftData, 'send').mockImplementation((async (cmd: { input: Record<string, unknown> }) => {
    if (cmd instanceof BatchExecuteStatementCommand) {
      batches.push(cmd.input);
      return { Id: `00000000-0000-4000-8000-00000000000${batches.length}` };
    }
    if (cmd instanceof DescribeStatementCommand && String(cmd.input.Id).startsWith('00000000-')) return { Status: 'FINISHED' };
    const out = (await send(cmd as never)) as unknown as Record<string, unknown>;
    return cmd instanceof DescribeStatementCommand ? { ...out, Status: 'FINISHED' } : out;
  }) as never);
  return batches;
}

async function setup(variable: Record<string, unknown>) {
  await resetMoto(moto.server().endpoint);
  const ctx = motoContext(moto.server().endpoint);
  await ctx.clients.secrets.send(new CreateSecretCommand({ Name: ctx.names.pipelineVariableSecret, SecretString: JSON.stringify(variable) }));
  return ctx;
}

const readVariable = async (ctx: OpsContext) =>
  JSON.parse((await ctx.clients.secrets.send(new GetSecretValueCommand({ SecretId: ctx.names.pipelineVariableSecret }))).SecretString!);

describe('xetl bootstrap (Secrets Manager + Redshift Data in moto)', () => {
  test('applies migrations in order with the admin secret, leaves the variable alone, and a second run prints "no changes" (Redshift Serverless stubbed: not in moto; Data API batch and completion stubbed: moto returns canned results)', async () => {
    const variable = { environment: 'local', glue_job: 'xetl-local-products' };
    const ctx = await setup(variable);
    stubServerless(ctx);
    const batches = finishDataApi(ctx);

    const first = await bootstrap(ctx, { pollIntervalMs: 1 });
    expectCliJson('bootstrap', first);
    // The variable is the analytics stack's (pipeline contract): bootstrap writes nothing into it.
    expect(await readVariable(ctx)).toEqual(variable);
    const files = listMigrations();
    expect(first.migrations.map((m) => m.file)).toEqual(files.map((m) => m.file.split('/').at(-1)));

    // What moto recorded for single-statement files: the SQL, with the admin secret.
    for (const m of first.migrations.filter((x) => x.statements === 1)) {
      const recorded = await ctx.clients.redshiftData.send(new DescribeStatementCommand({ Id: m.statement_id }));
      expect(recorded.SecretArn).toBe(ADMIN_SECRET);
      expect(recorded.QueryString).toBe(files.find((f) => f.file.endsWith(m.file))!.statements[0]);
    }
    for (const b of batches) expect(b).toMatchObject({ WorkgroupName: 'xetl-local', SecretArn: ADMIN_SECRET, Database: 'dev' });
    expect(batches.length).toBe(files.filter((f) => f.statements.length > 1).length);

    const text = renderBootstrap(first).join('\n');
    expect(text).not.toContain(ADMIN_SECRET);

    const second = await bootstrap(ctx, { pollIntervalMs: 1 });
    expect(renderBootstrap(second).at(-1)).toBe('no changes');
  });

  test('a failed migration names the file and the fix (Redshift Serverless and Data API stubbed)', async () => {
    const ctx = await setup({ environment: 'local' });
    stubServerless(ctx);
    const data = mockClient(ctx.clients.redshiftData);
    data.on(ExecuteStatementCommand).resolves({ Id: 'abc' });
    data.on(DescribeStatementCommand).resolves({ Status: 'FAILED', Error: 'ERROR: permission denied for schema xetl\nmore' });
    const err = await bootstrap(ctx, { pollIntervalMs: 1 }).catch((e) => e);
    expect(err.message).toBe('migration 0001_schema.sql failed: ERROR: permission denied for schema xetl; fix the SQL and run bootstrap again (every migration is re-runnable)');
  });
});

describe('the DAG pool on MWAA (MWAA stubbed: not in moto)', () => {
  /** A dev context whose Airflow answers pool requests from `pool` (undefined: no such pool). */
  function withPool(pool?: { slots: number; include_deferred: boolean; description: string | null }) {
    const env = selectEnvironment(loadConfig(), 'dev');
    const base = motoContext('http://127.0.0.1:9');
    const calls: RestApiRequest[] = [];
    const api: AirflowApi = {
      invoke: async (r) => {
        calls.push(r);
        if (r.method === 'GET') return pool ? { status: 200, body: { name: 'xetl_pipeline', ...pool, occupied_slots: 0 } } : { status: 404, body: { detail: 'The Pool with name: `xetl_pipeline` was not found' } };
        return { status: r.method === 'POST' ? 201 : 200, body: r.body };
      },
    };
    return { ctx: { ...base, env, names: new Naming(env), airflow: () => api }, calls };
  }

  test('creates it when missing, with the contract\'s one slot that counts deferred tasks', async () => {
    const { ctx, calls } = withPool();
    expect(await ensurePool(ctx)).toEqual({ name: 'xetl_pipeline', slots: 1, include_deferred: true, change: 'created' });
    expect(calls).toEqual([
      { path: '/pools/xetl_pipeline', method: 'GET' },
      { path: '/pools', method: 'POST', body: { name: 'xetl_pipeline', slots: 1, description: 'xetl: one pipeline task at a time (pipeline contract, libs/config)', include_deferred: true } },
    ]);
  });

  test('puts it back to one slot counting deferred tasks when it differs, and leaves a right one alone', async () => {
    const wrong = withPool({ slots: 4, include_deferred: false, description: 'made by hand' });
    expect((await ensurePool(wrong.ctx)).change).toBe('updated');
    expect(wrong.calls[1]).toEqual({ path: '/pools/xetl_pipeline', method: 'PATCH', body: { pool: 'xetl_pipeline', slots: 1, description: 'made by hand', include_deferred: true } });
    const right = withPool({ slots: 1, include_deferred: true, description: null });
    expect((await ensurePool(right.ctx)).change).toBe('unchanged');
    expect(right.calls).toHaveLength(1);
    expect(renderBootstrap({
      workgroup: 'w', endpoint: 'e', port: 5439, migrations: [],
      pool: { name: 'xetl_pipeline', slots: 1, include_deferred: true, change: 'updated' },
    }).slice(-2)).toEqual(['pool xetl_pipeline: updated (1 slot, deferred tasks counted)', 'changed: pool xetl_pipeline updated']);
  });
});
