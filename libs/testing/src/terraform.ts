import { spawnSync } from 'node:child_process';
import { terraformEnv } from './terraform-cli-config';

export interface TerraformResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** Runs terraform in `cwd` with the harness's CLI config; never prompts. */
export function terraform(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): TerraformResult {
  const started = Date.now();
  const r = spawnSync('terraform', [...args], {
    cwd,
    env: terraformEnv(env),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) {
    const hint = (r.error as NodeJS.ErrnoException).code === 'ENOENT'
      ? 'terraform is not on the PATH; install Terraform 1.11 (https://developer.hashicorp.com/terraform/install)'
      : r.error.message;
    throw new Error(hint);
  }
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr, seconds: (Date.now() - started) / 1000 };
}

/** Like `terraform`, but throws with terraform's own message when it fails. */
export function terraformOk(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): TerraformResult {
  const r = terraform(args, cwd, env);
  if (r.code !== 0) {
    throw new Error(`terraform ${args.join(' ')} failed in ${cwd}:\n${r.stderr || r.stdout}`);
  }
  return r;
}
