/**
 * How `xetl park` and `xetl unpark` deploy the analytics stack: the steps of the README's deploy,
 * run with the caller's credentials, but with plain Terraform in the synthesized stack's folder
 * (as CI's scripts/ci/terraform-stack.sh does) so the plan can be checked before it is applied.
 * Child output goes to stderr: with `--json`, stdout holds only the result.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Naming } from '@xetl/config';
import { EXIT, XetlError, type PlannedChange, type StackDeployer } from '@xetl/ops';

/** The plan file park and unpark write and apply, in the stack's folder. */
export const PARK_PLAN_FILE = 'xetl-park.tfplan';

export interface DeployerOptions {
  readonly repoRoot: string;
  readonly names: Naming;
  /** `--profile`: handed to npm and Terraform as AWS_PROFILE. */
  readonly profile?: string;
  /** Executables, for a test's stand-ins. @default npm and terraform from PATH */
  readonly npm?: string;
  readonly terraform?: string;
  /** Where child output goes. @default process.stderr */
  readonly output?: NodeJS.WritableStream;
}

export class TerraformStackDeployer implements StackDeployer {
  private readonly stack: string;
  private readonly stackDir: string;

  constructor(private readonly o: DeployerOptions) {
    this.stack = o.names.stackName('analytics');
    this.stackDir = path.join(o.repoRoot, 'cdktf.out', 'stacks', this.stack);
  }

  describe(): string[] {
    const dir = path.relative(this.o.repoRoot, this.stackDir);
    return [
      `synthesize this checkout: XETL_ENV=${this.o.names.env.name} npm run synth`,
      `plan in ${dir}: terraform init, terraform plan -out=${PARK_PLAN_FILE} -var source_data_key_arn=<as the deployed xetl_pipeline variable has it>`,
      `apply that plan: terraform apply ${PARK_PLAN_FILE}`,
    ];
  }

  async synth(): Promise<void> {
    await this.run(this.o.npm ?? 'npm', ['run', 'synth'], this.o.repoRoot);
    if (!fs.existsSync(path.join(this.stackDir, 'cdk.tf.json'))) {
      throw new XetlError(`synth wrote no ${path.join(this.stackDir, 'cdk.tf.json')}; check XETL_ENV and the synth output above`, EXIT.unexpected);
    }
  }

  async plan(variables: Readonly<Record<string, string>>): Promise<PlannedChange[]> {
    const tf = this.o.terraform ?? 'terraform';
    await this.run(tf, ['init', '-input=false', '-no-color'], this.stackDir);
    const vars = Object.entries(variables).flatMap(([k, v]) => ['-var', `${k}=${v}`]);
    await this.run(tf, ['plan', '-input=false', '-no-color', '-lock-timeout=10m', `-out=${PARK_PLAN_FILE}`, ...vars], this.stackDir);
    const shown = await this.run(tf, ['show', '-json', PARK_PLAN_FILE], this.stackDir, true);
    let plan: { resource_changes?: Array<{ address: string; type: string; change: { actions: string[] } }> };
    try {
      plan = JSON.parse(shown);
    } catch {
      throw new XetlError(`terraform show -json ${PARK_PLAN_FILE} printed no JSON; run it in ${this.stackDir} to see why`, EXIT.unexpected);
    }
    return (plan.resource_changes ?? [])
      .filter((c) => !c.change.actions.every((a) => a === 'no-op' || a === 'read'))
      .map((c) => ({ address: c.address, type: c.type, actions: c.change.actions }));
  }

  async apply(): Promise<void> {
    await this.run(this.o.terraform ?? 'terraform', ['apply', '-input=false', '-no-color', '-lock-timeout=10m', PARK_PLAN_FILE], this.stackDir);
  }

  /** Runs one command; its stdout is returned when `capture`, else forwarded like its stderr. */
  private run(command: string, args: readonly string[], cwd: string, capture = false): Promise<string> {
    const output = this.o.output ?? process.stderr;
    const env = {
      ...process.env,
      XETL_ENV: this.o.names.env.name,
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
      ...(this.o.profile ? { AWS_PROFILE: this.o.profile } : {}),
    };
    return new Promise((resolve, reject) => {
      const child = spawn(command, [...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const captured: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => (capture ? captured.push(b) : output.write(b)));
      child.stderr.on('data', (b: Buffer) => output.write(b));
      child.on('error', (err) => reject(new XetlError(`cannot run ${command}: ${err.message}; install it (README, Prerequisites)`, EXIT.usage)));
      child.on('close', (code) => {
        if (code === 0) resolve(Buffer.concat(captured).toString('utf8'));
        else reject(new XetlError(`${path.basename(command)} ${args[0]} failed (exit ${code}) in ${path.relative(this.o.repoRoot, cwd) || '.'}; its output is above`, EXIT.unexpected));
      });
    });
  }
}
