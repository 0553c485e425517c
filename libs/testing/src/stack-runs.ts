import * as fs from 'node:fs';
import * as path from 'node:path';
import { PARKED_COUNT, PARKED_LOCAL } from '@xetl/config';
import { LOOPBACK_ONLY_ENV, writeEmulatorOverride } from './emulator-override';
import { STACKS_DIR, WORK_DIR } from './paths';
import { terraformOk } from './terraform';

/** A synthesized stack as the harness sees it. */
export interface SynthesizedStack {
  readonly name: string;
  readonly dir: string;
  /** The account its provider is pinned to (`allowed_account_ids`). */
  readonly accountId: string;
  readonly json: TerraformJson;
}

export interface TerraformJson {
  readonly provider?: { aws?: Array<{ allowed_account_ids?: string[]; region?: string }> };
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly terraform?: Record<string, unknown>;
}

export function listSynthesizedStacks(stacksDir: string = STACKS_DIR): SynthesizedStack[] {
  if (!fs.existsSync(stacksDir)) {
    throw new Error(`${stacksDir} does not exist: synthesize first (npx nx run infra:synth)`);
  }
  return fs.readdirSync(stacksDir).sort().map((name) => {
    const dir = path.join(stacksDir, name);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8')) as TerraformJson;
    const accountId = json.provider?.aws?.[0]?.allowed_account_ids?.[0];
    if (!accountId) throw new Error(`stack ${name} has no allowed_account_ids on its aws provider`);
    return { name, dir, accountId, json };
  });
}

/**
 * Copies a stack into a scratch directory so terraform's files (.terraform, overrides, plans)
 * never land in cdktf.out, which is a cached build output.
 */
export function scratchCopy(stack: SynthesizedStack, purpose: string): string {
  const dir = path.join(WORK_DIR, 'terraform', purpose, stack.name);
  fs.mkdirSync(dir, { recursive: true });
  for (const entry of fs.readdirSync(dir)) {
    if (entry !== '.terraform') fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
  }
  // Not the .terraform folder, but the provider lock file (.terraform.lock.hcl): init verifies against it.
  fs.cpSync(stack.dir, dir, { recursive: true, filter: (src) => !src.split(path.sep).includes('.terraform') });
  return dir;
}

export interface ValidateResult {
  readonly stack: string;
  readonly seconds: number;
}

/** `terraform init -backend=false` + `terraform validate` with the real provider. */
export function validateStack(stack: SynthesizedStack): ValidateResult {
  const dir = scratchCopy(stack, 'validate');
  const init = terraformOk(['init', '-backend=false', '-input=false', '-no-color'], dir);
  const validate = terraformOk(['validate', '-no-color'], dir);
  return { stack: stack.name, seconds: init.seconds + validate.seconds };
}

export interface PlanSummary {
  readonly stack: string;
  readonly create: number;
  readonly update: number;
  readonly delete: number;
  readonly resourceTypes: Record<string, number>;
  /** Planned `enabled` of each Lambda event source mapping (the park switch turns it off). */
  readonly mappingsEnabled: readonly unknown[];
  readonly seconds: number;
}

/** Plans a stack against the emulator at `endpoint` from empty state; returns what it would create. */
export function planStack(stack: SynthesizedStack, endpoint: string, purpose = 'plan'): PlanSummary {
  const dir = scratchCopy(stack, purpose);
  const statePath = path.join(dir, 'plan.tfstate');
  writeEmulatorOverride(dir, { endpoint, statePath });
  const init = terraformOk(['init', '-reconfigure', '-input=false', '-no-color'], dir, LOOPBACK_ONLY_ENV);
  const plan = terraformOk(['plan', '-input=false', '-no-color', '-out=tfplan'], dir, LOOPBACK_ONLY_ENV);
  const show = terraformOk(['show', '-json', 'tfplan'], dir, LOOPBACK_ONLY_ENV);
  const changes = (JSON.parse(show.stdout).resource_changes ?? []) as Array<{ type: string; change: { actions: string[]; after?: Record<string, unknown> } }>;
  const count = (action: string) => changes.filter((c) => c.change.actions.includes(action)).length;
  const resourceTypes: Record<string, number> = {};
  for (const c of changes) resourceTypes[c.type] = (resourceTypes[c.type] ?? 0) + 1;
  return {
    stack: stack.name,
    create: count('create'),
    update: count('update'),
    delete: count('delete'),
    resourceTypes,
    mappingsEnabled: changes.filter((c) => c.type === 'aws_lambda_event_source_mapping').map((c) => c.change.after?.enabled),
    seconds: init.seconds + plan.seconds + show.seconds,
  };
}

/**
 * The SSM parameter a stack's park switch reads (libs/constructs ParkSwitch), from its synthesized
 * local; undefined for a stack without one.
 */
export function parkParameterOf(stack: SynthesizedStack): string | undefined {
  const local = (stack.json as { locals?: Record<string, unknown> }).locals?.[PARKED_LOCAL];
  return typeof local === 'string' ? /"([^"]+)", "false"\) == "true"/.exec(local)?.[1] : undefined;
}

/** Resource blocks of a stack whose `count` is the park switch's. */
export function parkedResourceCount(stack: SynthesizedStack): number {
  return Object.values(stack.json.resource ?? {}).reduce((n, byName) => n + Object.values(byName).filter((r) => r.count === PARKED_COUNT).length, 0);
}

/** Writes (or with `value` undefined, deletes) an SSM String parameter on the emulator, in `region`. */
export async function putEmulatorParameter(endpoint: string, region: string, name: string, value: string | undefined): Promise<void> {
  const target = value === undefined ? 'DeleteParameter' : 'PutParameter';
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AmazonSSM.${target}`,
      // The emulator takes the region from the signature's scope; nothing checks the signature.
      authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${region}/ssm/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(value === undefined ? { Name: name } : { Name: name, Value: value, Type: 'String', Overwrite: true }),
  });
  if (!res.ok) throw new Error(`${target} ${name} on the emulator: ${res.status} ${await res.text()}`);
}
