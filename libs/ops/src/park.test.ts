import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { Naming, PIPELINE_POOL, applyDefaults } from '@xetl/config';
import { AwsClients, type AirflowApi, type RestApiRequest } from './clients';
import type { OpsContext } from './context';
import { XetlError } from './errors';
import { checkParkPlan, park, renderPark, unpark, type PlannedChange, type StackDeployer } from './park';
import { ACCOUNT, motoContext, resetMoto, useMoto } from './test-support/moto';
import { expectCliJson } from './test-support/json-schema';

jest.setTimeout(120_000);
const moto = useMoto();
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0a1b2c3d-1111-2222-3333-444455556666`;

/** The plan of a parked dev analytics stack as `terraform show -json` lists it (addresses shortened). */
const PARK_PLAN: PlannedChange[] = [
  { address: 'aws_mwaa_environment.Airflow_Environment_1A2B3C4D[0]', type: 'aws_mwaa_environment', actions: ['delete'] },
  { address: 'aws_vpc_endpoint.Network_Endpoint-sqs_5E6F7A8B[0]', type: 'aws_vpc_endpoint', actions: ['delete'] },
  { address: 'aws_vpc_endpoint.Network_Endpoint-logs_9C0D1E2F[0]', type: 'aws_vpc_endpoint', actions: ['delete'] },
  { address: 'aws_lambda_event_source_mapping.Trigger_FromQueue_3A4B5C6D', type: 'aws_lambda_event_source_mapping', actions: ['update'] },
  // The pipeline variable's airflow_url: MWAA's webserver, "" while parked.
  { address: 'aws_secretsmanager_secret_version.PipelineVariable_Value_7E8F9A0B', type: 'aws_secretsmanager_secret_version', actions: ['update'] },
];
const UNPARK_PLAN = PARK_PLAN.map((c) => ({ ...c, actions: ['aws_mwaa_environment', 'aws_vpc_endpoint'].includes(c.type) ? ['create'] : ['update'] }));

/**
 * The deploy, stubbed (no Terraform against AWS here; TerraformStackDeployer has its own test):
 * records each step and the switch's value in SSM when the plan runs.
 */
function stubDeployer(ctx: OpsContext, changes: PlannedChange[]) {
  const calls: string[] = [];
  const deployer: StackDeployer = {
    describe: () => ['synthesize', 'plan', 'apply'],
    synth: async () => void calls.push('synth'),
    plan: async (variables) => {
      const value = (await ctx.clients.ssm.send(new GetParameterCommand({ Name: ctx.names.parkParameter }))).Parameter?.Value;
      calls.push(`plan switch=${value} ${JSON.stringify(variables)}`);
      return changes;
    },
    apply: async () => void calls.push('apply'),
  };
  return { deployer, calls };
}

/** MWAA's REST API and GetEnvironment, stubbed (no MWAA in moto): runs by state, the pool, a status sequence. */
function stubMwaa(ctx: OpsContext, o: { running?: string[]; statuses?: Array<string | null> } = {}) {
  const requests: RestApiRequest[] = [];
  const api: AirflowApi = {
    invoke: async (r) => {
      requests.push(r);
      if (r.path.endsWith('/dagRuns')) {
        const runs = r.query?.state === 'running' ? (o.running ?? []) : [];
        return { status: 200, body: { dag_runs: runs.map((id) => ({ dag_run_id: id })), total_entries: runs.length } };
      }
      if (r.method === 'GET' && r.path === `/pools/${PIPELINE_POOL.name}`) return { status: 404, body: { detail: 'not found' } };
      if (r.method === 'POST' && r.path === '/pools') return { status: 201, body: r.body };
      throw new Error(`unexpected ${r.method} ${r.path}`);
    },
  };
  const statuses = [...(o.statuses ?? ['AVAILABLE'])];
  jest.spyOn(ctx.clients, 'mwaaEnvironmentStatus').mockImplementation(async () => (statuses.length > 1 ? statuses.shift()! : statuses[0]));
  return { ctx: { ...ctx, airflow: () => api } as OpsContext, requests };
}

/** A parkable environment in moto's account, with what the deployed analytics stack would hold. */
async function setup(now = new Date()): Promise<OpsContext> {
  await resetMoto(moto.server().endpoint);
  const env = applyDefaults('dev', { region: 'us-east-1', accounts: { source: ACCOUNT, analytics: ACCOUNT }, parkable: true });
  const names = new Naming(env);
  const clients = new AwsClients({ region: env.region, endpointUrl: moto.server().endpoint });
  const ctx: OpsContext = { env, names, clients, now: () => now, airflow: () => clients.airflow(names.mwaaEnvironment) };
  await clients.secrets.send(new CreateSecretCommand({ Name: names.pipelineVariableSecret, SecretString: JSON.stringify({ target_kms_key_arn: KEY_ARN }) }));
  await clients.sqs.send(new CreateQueueCommand({ QueueName: names.triggerQueue }));
  await clients.sqs.send(new CreateQueueCommand({ QueueName: names.triggerDlq }));
  return ctx;
}
const switchValue = async (ctx: OpsContext) => {
  try {
    return (await ctx.clients.ssm.send(new GetParameterCommand({ Name: ctx.names.parkParameter }))).Parameter?.Value;
  } catch {
    return undefined;
  }
};

describe('checkParkPlan', () => {
  test('park may delete MWAA and the interface endpoints and update the mapping; unpark the reverse', () => {
    expect(checkParkPlan('park', PARK_PLAN)).toEqual({ expected: PARK_PLAN, unexpected: [] });
    expect(checkParkPlan('unpark', UNPARK_PLAN)).toEqual({ expected: UNPARK_PLAN, unexpected: [] });
    // The other direction's changes are not explained by this command.
    expect(checkParkPlan('park', UNPARK_PLAN).unexpected.map((c) => c.type)).toEqual(['aws_mwaa_environment', 'aws_vpc_endpoint', 'aws_vpc_endpoint']);
  });

  test('anything else is unexpected: another resource, a replace, the S3 gateway (no [0])', () => {
    const other: PlannedChange[] = [
      { address: 'aws_glue_job.Job_1', type: 'aws_glue_job', actions: ['update'] },
      { address: 'aws_mwaa_environment.Airflow_Environment_1[0]', type: 'aws_mwaa_environment', actions: ['delete', 'create'] },
      { address: 'aws_vpc_endpoint.Network_MwaaS3Gateway_1', type: 'aws_vpc_endpoint', actions: ['delete'] },
    ];
    expect(checkParkPlan('park', [...PARK_PLAN, ...other]).unexpected).toEqual(other);
  });
});

describe('xetl park (SSM, Secrets Manager and SQS in moto)', () => {
  test('refuses an environment that cannot park, before any AWS call', async () => {
    const ctx = motoContext(moto.server().endpoint);
    const { deployer, calls } = stubDeployer(ctx, PARK_PLAN);
    const sent = jest.spyOn(ctx.clients.ssm, 'send');
    await expect(park(ctx, { deployer })).rejects.toThrow('environment local cannot park: its config has parkable false');
    await expect(unpark(ctx, { deployer })).rejects.toMatchObject({ exitCode: 2 });
    expect(sent).not.toHaveBeenCalled();
    expect(calls).toEqual([]);
  });

  test('refuses while a DAG run is running and changes nothing (MWAA stubbed: not in moto)', async () => {
    const { ctx } = stubMwaa(await setup(), { running: ['event__2026-11-21__abc'] });
    const { deployer, calls } = stubDeployer(ctx, PARK_PLAN);
    const err = await park(ctx, { deployer }).catch((e: XetlError) => e);
    expect(err).toBeInstanceOf(XetlError);
    expect(err).toMatchObject({ exitCode: 3, message: '1 DAG run(s) still active in xetl-dev: event__2026-11-21__abc (running); wait for them (xetl runs --env dev) and park again' });
    expect(await switchValue(ctx)).toBeUndefined();
    expect(calls).toEqual([]);
  });

  test('--dry-run checks and lists the steps, writes nothing, deploys nothing', async () => {
    const { ctx } = stubMwaa(await setup());
    const { deployer, calls } = stubDeployer(ctx, PARK_PLAN);
    const r = await park(ctx, { deployer, dryRun: true, monthlySaving: () => 281.56 });
    expectCliJson('park', r);
    expect(r).toMatchObject({ dry_run: true, previous_value: null, value: 'true', mwaa_status_before: 'AVAILABLE', applied: [], monthly_saving_usd: 281.56 });
    expect(r.steps).toEqual([
      'refuse while a DAG run is queued or running (checked: none)', 'set /xetl/dev/parked to "true" (now unset)', 'synthesize', 'plan', 'apply',
      "check that the plan only deletes MWAA and the interface endpoints, disables the trigger's event source mapping and clears the variable's Airflow URL; apply it",
    ]);
    expect(await switchValue(ctx)).toBeUndefined();
    expect(calls).toEqual([]);
    expect(renderPark(r)[0]).toBe('xetl park: dry run for dev (MWAA: AVAILABLE; switch /xetl/dev/parked: unset); would:');
  });

  test('sets the switch before planning, plans with the deployed key ARN, applies the checked plan', async () => {
    const { ctx } = stubMwaa(await setup(), { statuses: ['AVAILABLE', 'DELETING'] });
    const { deployer, calls } = stubDeployer(ctx, PARK_PLAN);
    const r = await park(ctx, { deployer });
    expectCliJson('park', r);
    expect(calls).toEqual(['synth', `plan switch=true {"source_data_key_arn":"${KEY_ARN}"}`, 'apply']);
    expect(await switchValue(ctx)).toBe('true');
    expect(r).toMatchObject({ dry_run: false, previous_value: null, value: 'true', mwaa_status_before: 'AVAILABLE', mwaa_status: 'DELETING' });
    expect(r.applied).toEqual(PARK_PLAN.map((c) => ({ address: c.address, action: c.actions[0] })));
    expect(renderPark(r)).toEqual(expect.arrayContaining(['xetl park: dev is parked (/xetl/dev/parked = true; MWAA: DELETING)', '  applied 5 change(s):']));
  });

  test('a deployed alias ARN (deployed before account A) is planned as the empty variable, as it was deployed', async () => {
    const { ctx } = stubMwaa(await setup());
    await ctx.clients.secrets.send(new PutSecretValueCommand({ SecretId: ctx.names.pipelineVariableSecret, SecretString: JSON.stringify({ target_kms_key_arn: ctx.names.dataKeyAliasArn }) }));
    const { deployer, calls } = stubDeployer(ctx, PARK_PLAN);
    await park(ctx, { deployer });
    expect(calls[1]).toBe('plan switch=true {"source_data_key_arn":""}');
  });

  test('a plan that changes anything else is refused: nothing applied, the switch restored', async () => {
    const { ctx } = stubMwaa(await setup());
    await ctx.clients.ssm.send(new PutParameterCommand({ Name: ctx.names.parkParameter, Value: 'false', Type: 'String' }));
    const { deployer, calls } = stubDeployer(ctx, [...PARK_PLAN, { address: 'aws_glue_job.Job_1', type: 'aws_glue_job', actions: ['update'] }]);
    await expect(park(ctx, { deployer })).rejects.toMatchObject({
      exitCode: 3,
      message: expect.stringMatching(/^the plan also changes 1 resource\(s\) parking does not explain \(update aws_glue_job\.Job_1\): this checkout differs from what is deployed; .* nothing was applied and the switch is back to false$/),
    });
    expect(calls).toEqual(['synth', `plan switch=true {"source_data_key_arn":"${KEY_ARN}"}`]);
    expect(await switchValue(ctx)).toBe('false');
  });

  test('parking a parked environment asks MWAA for no runs and applies nothing (an empty plan)', async () => {
    const base = await setup();
    await base.clients.ssm.send(new PutParameterCommand({ Name: base.names.parkParameter, Value: 'true', Type: 'String' }));
    const { ctx, requests } = stubMwaa(base, { statuses: [null] });
    const { deployer, calls } = stubDeployer(ctx, []);
    const r = await park(ctx, { deployer });
    expect(requests).toEqual([]);
    expect(calls).toEqual(['synth', `plan switch=true {"source_data_key_arn":"${KEY_ARN}"}`]);
    expect(r).toMatchObject({ previous_value: 'true', mwaa_status_before: null, mwaa_status: null, applied: [] });
    expect(r.steps[0]).toBe('no MWAA environment (none): no DAG run can be active');
    expect(renderPark(r)[1]).toBe('  nothing to apply: the stack was already in that state');
  });

  test('a failed apply leaves the switch set and says how to finish or undo', async () => {
    const { ctx } = stubMwaa(await setup());
    const { deployer } = stubDeployer(ctx, PARK_PLAN);
    deployer.apply = async () => { throw new Error('Error: waiting for MWAA Environment delete: timeout'); };
    await expect(park(ctx, { deployer })).rejects.toThrow('the apply failed: Error: waiting for MWAA Environment delete: timeout; the switch says parked: run xetl park --env dev again (or the opposite command to undo)');
    expect(await switchValue(ctx)).toBe('true');
  });
});

describe('xetl unpark (SSM, Secrets Manager and SQS in moto)', () => {
  test('clears the switch, applies the creates, waits for AVAILABLE, creates the pool, counts dead letters (MWAA stubbed)', async () => {
    const base = await setup();
    await base.clients.ssm.send(new PutParameterCommand({ Name: base.names.parkParameter, Value: 'true', Type: 'String' }));
    const dlq = (await base.clients.sqs.send(new CreateQueueCommand({ QueueName: base.names.triggerDlq }))).QueueUrl;
    for (const body of ['a', 'b']) await base.clients.sqs.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: body }));
    const { ctx, requests } = stubMwaa(base, { statuses: [null, 'CREATING', 'CREATING', 'AVAILABLE'] });
    const { deployer, calls } = stubDeployer(ctx, UNPARK_PLAN);
    const progress: string[] = [];
    const r = await unpark(ctx, { deployer, pollIntervalMs: 1, onProgress: (l) => progress.push(l) });
    expectCliJson('unpark', r);
    expect(calls).toEqual(['synth', `plan switch=false {"source_data_key_arn":"${KEY_ARN}"}`, 'apply']);
    expect(await switchValue(ctx)).toBe('false');
    expect(r).toMatchObject({ action: 'unpark', previous_value: 'true', value: 'false', mwaa_status_before: null, mwaa_status: 'AVAILABLE', dead_letters: 2 });
    expect(r.pool).toEqual({ ...PIPELINE_POOL, change: 'created' });
    expect(requests.filter((q) => q.path.startsWith('/pools')).map((q) => `${q.method} ${q.path}`)).toEqual(['GET /pools/xetl_pipeline', 'POST /pools']);
    expect(progress.filter((l) => l.startsWith('MWAA environment'))).toEqual(['MWAA environment xetl-dev: CREATING', 'MWAA environment xetl-dev: AVAILABLE']);
    expect(r.next).toEqual(['2 trigger event(s) in the dead-letter queue: xetl redrive --env dev', 'queued marker events start their runs now; follow them with xetl status --env dev']);
  });

  test('parked for longer than the trigger queue keeps events: names the days whose markers expired', async () => {
    // The switch was written now (moto's clock); the unpark happens 6 days later.
    const later = new Date(Date.now() + 6 * 86_400_000);
    const base = await setup(later);
    await base.clients.ssm.send(new PutParameterCommand({ Name: base.names.parkParameter, Value: 'true', Type: 'String' }));
    const { ctx } = stubMwaa(base);
    const { deployer } = stubDeployer(ctx, UNPARK_PLAN);
    const r = await unpark(ctx, { deployer, pollIntervalMs: 1 });
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    // moto's default retention is SQS's: 4 days.
    expect(r.next).toContain(`parked since ${day(Date.now())}, longer than the trigger queue keeps events (4 days): markers dropped from ${day(Date.now())} to ${day(later.getTime() - 4 * 86_400_000)} expired unprocessed; re-run their partitions (for daily drops: xetl trigger --env dev --from ${day(Date.now())} --to ${day(later.getTime() - 4 * 86_400_000)})`);
  });

  test('an environment that failed to come back is one line with where to look', async () => {
    const { ctx } = stubMwaa(await setup(), { statuses: ['CREATING', 'CREATE_FAILED'] });
    const { deployer } = stubDeployer(ctx, UNPARK_PLAN);
    await expect(unpark(ctx, { deployer, pollIntervalMs: 1 })).rejects.toMatchObject({
      exitCode: 4, message: 'MWAA environment xetl-dev is CREATE_FAILED after the apply; check its last update error in the MWAA console, then xetl unpark --env dev again',
    });
  });
});
