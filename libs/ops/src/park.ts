/**
 * `xetl park` / `xetl unpark` (docs/operations.md): the park switch of a `parkable` environment, the
 * checks around it, and the deploy of the analytics stack that makes the switch real.
 *
 * The switch is the SSM parameter `Naming.parkParameter`; the analytics stack reads it at every
 * plan (libs/constructs ParkSwitch), so parking is: refuse while a DAG run is active, write
 * "true", plan the stack, check the plan deletes only what parks, apply. Unparking writes "false",
 * plans and applies the creates, waits for MWAA, restores the pipeline's pool and says what is
 * left to do (dead letters, marker events that expired while parked).
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import type { OpsContext } from './context';
import { EXIT, XetlError, explainAwsError } from './errors';
import { ensurePool, type PoolState } from './bootstrap';
import { queueDepth } from './queues';
import { DAG_RUNS_PATH, airflowError } from './trigger';

export type ParkAction = 'park' | 'unpark';

/** The switch as SSM holds it: "true", "false", or no parameter yet (never parked: unparked). */
export interface ParkSwitchState {
  readonly parameter: string;
  readonly value: 'true' | 'false' | null;
  /** When the value was last written (ISO 8601); null without a parameter. */
  readonly last_modified: string | null;
}

/** One change of `terraform show -json <plan>`'s `resource_changes`, as far as parking reads it. */
export interface PlannedChange {
  readonly address: string;
  readonly type: string;
  readonly actions: readonly string[];
}

/**
 * The analytics stack's deploy, as park and unpark run it: synthesize the checkout, plan against
 * the real backend and account, apply exactly that plan. The CLI's is `TerraformStackDeployer`.
 */
export interface StackDeployer {
  /** Human-readable steps, for `--dry-run` and the result. */
  describe(): string[];
  synth(): Promise<void>;
  /** Plans the stack and returns its resource changes (no-ops and reads left out). */
  plan(variables: Readonly<Record<string, string>>): Promise<PlannedChange[]>;
  /** Applies the plan `plan` wrote. */
  apply(): Promise<void>;
}

export interface ParkOptions {
  readonly deployer: StackDeployer;
  /** Only check and say what would happen; change nothing. */
  readonly dryRun?: boolean;
  /** How long unpark waits for MWAA to be AVAILABLE after the apply, in ms. @default 3,600,000 */
  readonly waitTimeoutMs?: number;
  /** @default 30,000 */
  readonly pollIntervalMs?: number;
  /** Progress lines (stderr). */
  readonly onProgress?: (line: string) => void;
  /** What parking saves a month, from the synthesized stacks (`xetl cost`); null when unknown. */
  readonly monthlySaving?: () => number | null;
}

export interface ParkResult {
  readonly environment: string;
  readonly action: ParkAction;
  readonly dry_run: boolean;
  readonly parameter: string;
  /** The switch before the command ("true", "false" or null: never written). */
  readonly previous_value: 'true' | 'false' | null;
  readonly value: 'true' | 'false';
  /** MWAA's status before the command; null when there was no environment (parked). */
  readonly mwaa_status_before: string | null;
  /** MWAA's status at the end (unpark: AVAILABLE); null when parked. */
  readonly mwaa_status: string | null;
  /** What the command runs, in order (also what `--dry-run` would run). */
  readonly steps: readonly string[];
  /** The plan's changes that were applied (empty on a dry run, or when already in that state). */
  readonly applied: readonly { readonly address: string; readonly action: string }[];
  /** Unpark: the pipeline's pool on the new MWAA environment. */
  readonly pool: PoolState | null;
  /** Unpark: trigger events waiting in the dead-letter queue (`xetl redrive` moves them back). */
  readonly dead_letters: number | null;
  /** What parked saves a month by `xetl cost` (always on minus parked); null when not priced. */
  readonly monthly_saving_usd: number | null;
  /** What to do next, one line each. */
  readonly next: readonly string[];
}

/** The one Terraform variable the analytics stack takes (docs/analytics-account.md). */
export const SOURCE_KEY_VARIABLE = 'source_data_key_arn';

/**
 * What a park plan may do: delete what parks, turn the trigger off, and rewrite the pipeline
 * variable (its `airflow_url` is MWAA's webserver: "" while parked, the new environment's after);
 * an unpark plan the reverse.
 */
function expectedChange(action: ParkAction, c: PlannedChange): boolean {
  const parks = (c.type === 'aws_mwaa_environment' || c.type === 'aws_vpc_endpoint') && c.address.endsWith('[0]');
  const only = (a: string) => c.actions.length === 1 && c.actions[0] === a;
  if (parks) return only(action === 'park' ? 'delete' : 'create');
  return (c.type === 'aws_lambda_event_source_mapping' || c.type === 'aws_secretsmanager_secret_version') && only('update');
}

/**
 * Splits a plan into what the switch explains and everything else. Anything else means the
 * checkout differs from what is deployed: park must not deploy it on the side.
 */
export function checkParkPlan(action: ParkAction, changes: readonly PlannedChange[]): { expected: PlannedChange[]; unexpected: PlannedChange[] } {
  const expected = changes.filter((c) => expectedChange(action, c));
  return { expected, unexpected: changes.filter((c) => !expected.includes(c)) };
}

export async function readParkSwitch(ctx: OpsContext): Promise<ParkSwitchState> {
  const parameter = ctx.names.parkParameter;
  try {
    const p = (await ctx.clients.ssm.send(new GetParameterCommand({ Name: parameter }))).Parameter;
    const value = p?.Value === 'true' ? 'true' : 'false';
    return { parameter, value, last_modified: p?.LastModifiedDate ? p.LastModifiedDate.toISOString() : null };
  } catch (err) {
    if ((err as { name?: string }).name === 'ParameterNotFound') return { parameter, value: null, last_modified: null };
    throw explainAwsError(err, 'ssm:GetParameter', `parameter ${parameter}`);
  }
}

export async function writeParkSwitch(ctx: OpsContext, parked: boolean): Promise<void> {
  const parameter = ctx.names.parkParameter;
  try {
    await ctx.clients.ssm.send(new PutParameterCommand({
      Name: parameter, Value: String(parked), Type: 'String', Overwrite: true,
      Description: `xetl ${ctx.env.name}: "true" while parked (xetl park); the analytics stack reads it at every plan`,
    }));
  } catch (err) {
    throw explainAwsError(err, 'ssm:PutParameter', `parameter ${parameter}`);
  }
}

/** MWAA's status, or null when the environment does not exist. */
async function mwaaStatus(ctx: OpsContext): Promise<string | null> {
  try {
    return await ctx.clients.mwaaEnvironmentStatus(ctx.names.mwaaEnvironment);
  } catch (err) {
    throw explainAwsError(err, 'airflow:GetEnvironment', `MWAA environment ${ctx.names.mwaaEnvironment}`);
  }
}

/** Runs of the pipeline DAG that are queued or running. */
export async function activeDagRuns(ctx: OpsContext): Promise<string[]> {
  const active: string[] = [];
  for (const state of ['queued', 'running']) {
    let res;
    try {
      res = await ctx.airflow().invoke({ path: DAG_RUNS_PATH, method: 'GET', query: { state, limit: 100 } });
    } catch (err) {
      throw explainAwsError(err, 'airflow:InvokeRestApi', `MWAA environment ${ctx.names.mwaaEnvironment}`);
    }
    // A DAG that was never parsed has no runs; anything else is an answer to read.
    if (res.status === 404) continue;
    if (res.status !== 200) throw airflowError(ctx, res.status, res.body, `GET ${DAG_RUNS_PATH}?state=${state}`);
    const runs = (res.body as { dag_runs?: Array<{ dag_run_id?: string }> } | undefined)?.dag_runs ?? [];
    active.push(...runs.map((r) => `${r.dag_run_id ?? '?'} (${state})`));
  }
  return active;
}

/**
 * The account A key ARN the deployed pipeline variable carries, to plan with the same value (an
 * empty variable would write the alias ARN and show up as a change the park check refuses).
 */
async function deployedSourceKeyArn(ctx: OpsContext): Promise<string> {
  const id = ctx.names.pipelineVariableSecret;
  let text: string | undefined;
  try {
    text = (await ctx.clients.secrets.send(new GetSecretValueCommand({ SecretId: id }))).SecretString;
  } catch (err) {
    throw explainAwsError(err, 'secretsmanager:GetSecretValue', `secret ${id}`, 'deploy the analytics stack first');
  }
  let arn: unknown;
  try {
    arn = (JSON.parse(text ?? '{}') as Record<string, unknown>).target_kms_key_arn;
  } catch {
    throw new XetlError(`secret ${id} is not JSON; redeploy the analytics stack`, EXIT.unexpected);
  }
  // The alias ARN is what the stack writes when deployed without the variable: plan the same way.
  return typeof arn === 'string' && /:key\//.test(arn) ? arn : '';
}

async function queueRetentionSeconds(ctx: OpsContext, name: string): Promise<number> {
  try {
    const url = (await ctx.clients.sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
    const attrs = (await ctx.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['MessageRetentionPeriod'] }))).Attributes;
    return Number(attrs?.MessageRetentionPeriod ?? 345_600);
  } catch (err) {
    throw explainAwsError(err, 'sqs:GetQueueAttributes', `queue ${name}`, 'deploy the analytics stack first');
  }
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Marker events wait in the trigger queue while parked, for the queue's retention only. Parked for
 * longer, the older ones are gone: name the partitions to re-run (their drops are still in A).
 */
function expiredWhileParked(ctx: OpsContext, parkedSince: string | null, retentionSeconds: number): string | null {
  if (!parkedSince) return null;
  const since = new Date(parkedSince);
  const oldestKept = new Date(ctx.now().getTime() - retentionSeconds * 1000);
  if (oldestKept <= since) return null;
  return `parked since ${day(since)}, longer than the trigger queue keeps events (${Math.round(retentionSeconds / 86_400)} days): markers dropped from ${day(since)} to ${day(oldestKept)} expired unprocessed; re-run their partitions (for daily drops: xetl trigger --env ${ctx.env.name} --from ${day(since)} --to ${day(oldestKept)})`;
}

/** Refuses an environment that cannot park, before any AWS call. */
export function requireParkable(ctx: OpsContext, action: ParkAction): void {
  if (!ctx.env.parkable) {
    throw new XetlError(`environment ${ctx.env.name} cannot ${action}: its config has parkable false (an always-on environment); set parkable: true in xetl.config.ts to allow it`, EXIT.usage);
  }
}

async function deploy(ctx: OpsContext, action: ParkAction, previous: ParkSwitchState, options: ParkOptions): Promise<PlannedChange[]> {
  const progress = options.onProgress ?? (() => undefined);
  const variables = { [SOURCE_KEY_VARIABLE]: await deployedSourceKeyArn(ctx) };
  progress(`setting ${previous.parameter} to ${action === 'park' ? 'true' : 'false'}`);
  await writeParkSwitch(ctx, action === 'park');
  // A switch that was never written reads as unparked: "false" restores the same state.
  const restore = () => writeParkSwitch(ctx, previous.value === 'true');
  let changes: PlannedChange[];
  try {
    progress('synthesizing the stacks (npm run synth)');
    await options.deployer.synth();
    progress(`planning ${ctx.names.stackName('analytics')}`);
    changes = await options.deployer.plan(variables);
  } catch (err) {
    await restore();
    throw err;
  }
  const { expected, unexpected } = checkParkPlan(action, changes);
  if (unexpected.length) {
    await restore();
    const list = unexpected.slice(0, 5).map((c) => `${c.actions.join('/')} ${c.address}`).join(', ');
    throw new XetlError(
      `the plan also changes ${unexpected.length} resource(s) parking does not explain (${list}${unexpected.length > 5 ? ', ...' : ''}): this checkout differs from what is deployed; deploy it first (or run xetl ${action} from the deployed commit); nothing was applied and the switch is back to ${previous.value ?? 'false'}`,
      EXIT.refused,
    );
  }
  if (expected.length) {
    progress(`applying: ${expected.length} change(s) (${action === 'park' ? 'MWAA takes 10 to 20 minutes to delete' : 'MWAA takes 20 to 30 minutes to create'})`);
    try {
      await options.deployer.apply();
    } catch (err) {
      throw new XetlError(`the apply failed: ${(err as Error).message.split('\n')[0]}; the switch says ${action === 'park' ? 'parked' : 'unparked'}: run xetl ${action} --env ${ctx.env.name} again (or the opposite command to undo)`, EXIT.unexpected);
    }
  }
  return expected;
}

/** `xetl park`: refuse while a run is active, set the switch, delete MWAA and the interface endpoints. */
export async function park(ctx: OpsContext, options: ParkOptions): Promise<ParkResult> {
  requireParkable(ctx, 'park');
  const previous = await readParkSwitch(ctx);
  const before = await mwaaStatus(ctx);
  const running = before !== null && before !== 'DELETING';
  if (running) {
    const active = await activeDagRuns(ctx);
    if (active.length) {
      throw new XetlError(`${active.length} DAG run(s) still active in ${ctx.names.mwaaEnvironment}: ${active.slice(0, 5).join(', ')}; wait for them (xetl runs --env ${ctx.env.name}) and park again`, EXIT.refused);
    }
  }
  const steps = [
    running ? 'refuse while a DAG run is queued or running (checked: none)' : `no MWAA environment (${before ?? 'none'}): no DAG run can be active`,
    `set ${previous.parameter} to "true" (now ${previous.value ?? 'unset'})`,
    ...options.deployer.describe(),
    'check that the plan only deletes MWAA and the interface endpoints, disables the trigger\'s event source mapping and clears the variable\'s Airflow URL; apply it',
  ];
  const base = {
    environment: ctx.env.name, action: 'park' as const, parameter: previous.parameter, previous_value: previous.value, value: 'true' as const,
    mwaa_status_before: before, steps, pool: null, dead_letters: null,
  };
  if (options.dryRun) {
    return { ...base, dry_run: true, mwaa_status: before, applied: [], monthly_saving_usd: options.monthlySaving?.() ?? null, next: [`run without --dry-run to park ${ctx.env.name}`] };
  }
  const applied = await deploy(ctx, 'park', previous, options);
  return {
    // Priced on the stacks the deploy just synthesized.
    ...base, dry_run: false, mwaa_status: await mwaaStatus(ctx), monthly_saving_usd: options.monthlySaving?.() ?? null,
    applied: applied.map((c) => ({ address: c.address, action: c.actions.join('/') })),
    next: [
      `marker events wait in the trigger queue while parked (up to its retention); bring ${ctx.env.name} back with: xetl unpark --env ${ctx.env.name}`,
    ],
  };
}

/** `xetl unpark`: clear the switch, recreate MWAA and the endpoints, wait, restore the pool. */
export async function unpark(ctx: OpsContext, options: ParkOptions): Promise<ParkResult> {
  requireParkable(ctx, 'unpark');
  const previous = await readParkSwitch(ctx);
  const before = await mwaaStatus(ctx);
  const steps = [
    `set ${previous.parameter} to "false" (now ${previous.value ?? 'unset'})`,
    ...options.deployer.describe(),
    'check that the plan only creates MWAA and the interface endpoints, enables the trigger\'s event source mapping and sets the variable\'s Airflow URL; apply it',
    `wait until ${ctx.names.mwaaEnvironment} is AVAILABLE`,
    'create the pipeline pool on MWAA (as xetl bootstrap does)',
    'count the dead-lettered trigger events (xetl redrive moves them back)',
  ];
  const base = {
    environment: ctx.env.name, action: 'unpark' as const, parameter: previous.parameter, previous_value: previous.value, value: 'false' as const,
    mwaa_status_before: before, steps,
  };
  if (options.dryRun) {
    return {
      ...base, dry_run: true, mwaa_status: before, applied: [], pool: null, dead_letters: null,
      monthly_saving_usd: options.monthlySaving?.() ?? null, next: [`run without --dry-run to unpark ${ctx.env.name}`],
    };
  }
  const applied = await deploy(ctx, 'unpark', previous, options);
  const status = await waitForAvailable(ctx, options);
  (options.onProgress ?? (() => undefined))('creating the pipeline pool');
  const pool = await ensurePool(ctx);
  const dlq = await queueDepth(ctx, ctx.names.triggerDlq);
  const next: string[] = [];
  if (dlq.visible > 0) next.push(`${dlq.visible} trigger event(s) in the dead-letter queue: xetl redrive --env ${ctx.env.name}`);
  const expired = previous.value === 'true' ? expiredWhileParked(ctx, previous.last_modified, await queueRetentionSeconds(ctx, ctx.names.triggerQueue)) : null;
  if (expired) next.push(expired);
  next.push(`queued marker events start their runs now; follow them with xetl status --env ${ctx.env.name}`);
  return {
    ...base, dry_run: false, mwaa_status: status, monthly_saving_usd: options.monthlySaving?.() ?? null,
    applied: applied.map((c) => ({ address: c.address, action: c.actions.join('/') })),
    pool, dead_letters: dlq.visible, next,
  };
}

/** Polls MWAA until AVAILABLE; a failed state or the timeout is one line with what to do. */
async function waitForAvailable(ctx: OpsContext, options: ParkOptions): Promise<string> {
  const deadline = Date.now() + (options.waitTimeoutMs ?? 3_600_000);
  const interval = options.pollIntervalMs ?? 30_000;
  let last: string | null = null;
  for (;;) {
    const status = await mwaaStatus(ctx);
    if (status !== last) (options.onProgress ?? (() => undefined))(`MWAA environment ${ctx.names.mwaaEnvironment}: ${status ?? 'not found'}`);
    last = status;
    if (status === 'AVAILABLE') return status;
    if (status === 'CREATE_FAILED' || status === 'UNAVAILABLE' || status === null) {
      throw new XetlError(`MWAA environment ${ctx.names.mwaaEnvironment} is ${status ?? 'missing'} after the apply; check its last update error in the MWAA console, then xetl unpark --env ${ctx.env.name} again`, EXIT.aws);
    }
    if (Date.now() > deadline) {
      throw new XetlError(`MWAA environment ${ctx.names.mwaaEnvironment} is still ${status}; run xetl unpark --env ${ctx.env.name} again to keep waiting (it changes nothing twice)`, EXIT.unexpected);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

export function renderPark(r: ParkResult): string[] {
  const verb = r.action === 'park' ? 'parked' : 'unparked';
  const out: string[] = [];
  if (r.dry_run) {
    out.push(`xetl ${r.action}: dry run for ${r.environment} (MWAA: ${r.mwaa_status_before ?? 'none'}; switch ${r.parameter}: ${r.previous_value ?? 'unset'}); would:`);
    r.steps.forEach((s, i) => out.push(`  ${i + 1}. ${s}`));
  } else {
    out.push(`xetl ${r.action}: ${r.environment} is ${verb} (${r.parameter} = ${r.value}; MWAA: ${r.mwaa_status ?? 'none'})`);
    out.push(r.applied.length ? `  applied ${r.applied.length} change(s):` : '  nothing to apply: the stack was already in that state');
    for (const a of r.applied) out.push(`    ${a.action} ${a.address}`);
    if (r.pool) out.push(`  pool ${r.pool.name}: ${r.pool.change}`);
  }
  if (r.monthly_saving_usd !== null) {
    const money = `$${r.monthly_saving_usd.toFixed(2)} a month`;
    out.push(r.action === 'park' ? `  parked saves about ${money} (xetl cost --env ${r.environment} --parked)` : `  running costs about ${money} more than parked (xetl cost --env ${r.environment})`);
  }
  for (const n of r.next) out.push(`  next: ${n}`);
  return out;
}
