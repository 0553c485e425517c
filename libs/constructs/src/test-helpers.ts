import { Testing, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { PolicyStatement } from './iam/policy';

/** A stack with an aws provider, for construct tests. */
export function testStack(): TerraformStack {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  return stack;
}

export type SynthJson = {
  resource: Record<string, Record<string, Record<string, unknown>>>;
};

/** Synthesizes a scope and parses the result. */
export function synthJson(scope: Construct): SynthJson {
  return JSON.parse(Testing.synth(scope as TerraformStack)) as SynthJson;
}

export function resourcesOf(json: SynthJson, type: string): Record<string, unknown>[] {
  return Object.values(json.resource[type] ?? {});
}

/** Every statement of every policy-bearing attribute in the synthesized JSON. */
export function allStatements(json: SynthJson): PolicyStatement[] {
  const out: PolicyStatement[] = [];
  for (const byName of Object.values(json.resource)) {
    for (const res of Object.values(byName)) {
      for (const key of ['policy', 'assume_role_policy']) {
        const value = res[key];
        if (typeof value === 'string' && value.startsWith('{')) {
          out.push(...(JSON.parse(value).Statement as PolicyStatement[]));
        }
      }
    }
  }
  return out;
}

/** The statements of the inline policy of the role named `roleName`. */
export function roleStatements(json: SynthJson, roleName: string): Array<Record<string, any>> {
  const roles = json.resource.aws_iam_role;
  const id = Object.keys(roles).find((k) => roles[k].name === roleName);
  const p = resourcesOf(json, 'aws_iam_role_policy').find((r) => String(r.role).includes(`aws_iam_role.${id}.`));
  return JSON.parse(String(p?.policy)).Statement as Array<Record<string, any>>;
}

export function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
