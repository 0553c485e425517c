import * as fs from 'node:fs';
import * as path from 'node:path';
import { Naming, type AccountSide, type EnvironmentConfig } from '@xetl/config';
import { CostError } from './errors';

/** A resource's attributes as cdktf writes them into cdk.tf.json. */
export type Attributes = Readonly<Record<string, unknown>>;

/** One synthesized stack, as the estimator reads it. */
export interface StackInput {
  readonly name: string;
  /** The account the stack's provider is pinned to (`allowed_account_ids`), or "unknown". */
  readonly account: string;
  readonly region: string;
  /** Which of xetl's accounts the stack belongs to, when known. */
  readonly side?: AccountSide;
  /** `resource` of cdk.tf.json: type -> name -> attributes. */
  readonly resources: Readonly<Record<string, Readonly<Record<string, Attributes>>>>;
  /** The stack's folder in cdktf.out, where `aws_s3_object.source` paths point. */
  readonly dir?: string;
}

interface TerraformJson {
  readonly provider?: { readonly aws?: readonly { readonly alias?: string; readonly region?: string; readonly allowed_account_ids?: readonly string[] }[] };
  readonly resource?: StackInput['resources'];
}

/** Builds a StackInput from a parsed cdk.tf.json; the default aws provider gives account and region. */
export function stackFromJson(name: string, json: unknown, options: { side?: AccountSide; dir?: string } = {}): StackInput {
  const tf = json as TerraformJson;
  const provider = (tf.provider?.aws ?? []).find((p) => !p.alias);
  if (!provider?.region) throw new CostError(`stack ${name}: no default aws provider with a region in cdk.tf.json`);
  return {
    name,
    account: provider.allowed_account_ids?.[0] ?? 'unknown',
    region: provider.region,
    side: options.side,
    resources: tf.resource ?? {},
    dir: options.dir,
  };
}

/** Reads one stack from a cdktf output folder (`cdktf.out/stacks/<name>/cdk.tf.json`). */
export function readSynthesizedStack(outDir: string, name: string, side?: AccountSide): StackInput {
  const dir = path.join(outDir, 'stacks', name);
  const file = path.join(dir, 'cdk.tf.json');
  if (!fs.existsSync(file)) {
    throw new CostError(`${file} not found; synthesize first: npx nx run infra:synth (or XETL_ENV=<env> npx nx run infra:synth)`);
  }
  return stackFromJson(name, JSON.parse(fs.readFileSync(file, 'utf8')), { side, dir });
}

/** The stacks of one environment: both accounts, and their bootstrap stacks when CI/CD is on. */
export function environmentStackNames(env: EnvironmentConfig): { name: string; side: AccountSide }[] {
  const names = new Naming(env);
  const sides: AccountSide[] = ['source', 'analytics'];
  return [
    ...sides.map((side) => ({ name: names.stackName(side), side })),
    ...(env.cicd ? sides.map((side) => ({ name: names.bootstrapStackName(side), side })) : []),
  ];
}

export function readEnvironmentStacks(outDir: string, env: EnvironmentConfig): StackInput[] {
  return environmentStackNames(env).map(({ name, side }) => readSynthesizedStack(outDir, name, side));
}

/** The buckets whose contents grow with every partition run, by role. */
export interface DataBuckets {
  readonly source?: string;
  readonly staging?: string;
  readonly target?: string;
}

export function dataBuckets(env: EnvironmentConfig): DataBuckets {
  const names = new Naming(env);
  return { source: names.sourceBucket, staging: names.stagingBucket, target: names.targetBucket };
}
