import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { Naming, applyDefaults } from '@xetl/config';
import { PARK_PLAN_FILE, TerraformStackDeployer } from './stack-deployer';

const names = new Naming(applyDefaults('dev', { region: 'eu-west-1', accounts: { source: '111111111111', analytics: '222222222222' }, parkable: true }));

/**
 * Stand-in `npm` and `terraform` executables (shell scripts): each logs its arguments, working
 * folder and the variables the deployer hands it; `npm run synth` writes the stack folder,
 * `terraform show -json` prints the plan below, and a FAIL_ON word makes that call exit 1.
 */
function standIns(plan: object) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xetl-deployer-'));
  const repo = path.join(dir, 'repo');
  const log = path.join(dir, 'calls.log');
  fs.mkdirSync(repo);
  fs.writeFileSync(path.join(dir, 'plan.json'), JSON.stringify(plan));
  const script = (name: string, body: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `#!/bin/sh\necho "${name} $* | cwd=$(basename "$PWD") XETL_ENV=$XETL_ENV AWS_PROFILE=$AWS_PROFILE TF_IN_AUTOMATION=$TF_IN_AUTOMATION" >> "${log}"\n${body}`);
    fs.chmodSync(file, 0o755);
    return file;
  };
  const failOn = `[ -n "$FAIL_ON" ] && [ "$1" = "$FAIL_ON" ] && { echo "boom on $1" >&2; exit 1; }\n`;
  const npm = script('npm', `${failOn}mkdir -p cdktf.out/stacks/xetl-dev-analytics && echo '{}' > cdktf.out/stacks/xetl-dev-analytics/cdk.tf.json\necho synthesized\n`);
  const terraform = script('terraform', `${failOn}if [ "$1" = show ]; then cat "${path.join(dir, 'plan.json')}"; else echo "terraform $1 done"; fi\n`);
  const output = new PassThrough();
  const printed: string[] = [];
  output.on('data', (b: Buffer) => printed.push(b.toString()));
  const deployer = new TerraformStackDeployer({ repoRoot: repo, names, profile: 'ops-b', npm, terraform, output });
  return { deployer, calls: () => fs.readFileSync(log, 'utf8').trim().split('\n'), printed };
}

const PLAN = {
  resource_changes: [
    { address: 'aws_mwaa_environment.Airflow_Environment_1[0]', type: 'aws_mwaa_environment', change: { actions: ['delete'] } },
    { address: 'aws_lambda_event_source_mapping.Trigger_FromQueue_1', type: 'aws_lambda_event_source_mapping', change: { actions: ['update'] } },
    { address: 'aws_kms_key.AnalyticsKey_1', type: 'aws_kms_key', change: { actions: ['no-op'] } },
    { address: 'data.aws_ssm_parameters_by_path.Park_Parameters_1', type: 'aws_ssm_parameters_by_path', change: { actions: ['read'] } },
  ],
};

describe('TerraformStackDeployer (stand-in npm and terraform executables)', () => {
  test('synthesizes the environment, plans in its analytics stack folder with the variables, applies that plan file', async () => {
    const { deployer, calls, printed } = standIns(PLAN);
    await deployer.synth();
    const changes = await deployer.plan({ source_data_key_arn: 'arn:aws:kms:eu-west-1:111111111111:key/k' });
    await deployer.apply();
    const env = 'XETL_ENV=dev AWS_PROFILE=ops-b TF_IN_AUTOMATION=1';
    expect(calls()).toEqual([
      `npm run synth | cwd=repo ${env}`,
      `terraform init -input=false -no-color | cwd=xetl-dev-analytics ${env}`,
      `terraform plan -input=false -no-color -lock-timeout=10m -out=${PARK_PLAN_FILE} -var source_data_key_arn=arn:aws:kms:eu-west-1:111111111111:key/k | cwd=xetl-dev-analytics ${env}`,
      `terraform show -json ${PARK_PLAN_FILE} | cwd=xetl-dev-analytics ${env}`,
      `terraform apply -input=false -no-color -lock-timeout=10m ${PARK_PLAN_FILE} | cwd=xetl-dev-analytics ${env}`,
    ]);
    // No-ops and data reads are not changes; the JSON of `show` is read, not printed.
    expect(changes).toEqual([
      { address: 'aws_mwaa_environment.Airflow_Environment_1[0]', type: 'aws_mwaa_environment', actions: ['delete'] },
      { address: 'aws_lambda_event_source_mapping.Trigger_FromQueue_1', type: 'aws_lambda_event_source_mapping', actions: ['update'] },
    ]);
    expect(printed.join('')).toBe('synthesized\nterraform init done\nterraform plan done\nterraform apply done\n');
  });

  test('a failing step is one line naming it; its own output went to the output stream', async () => {
    const { deployer, printed } = standIns(PLAN);
    await deployer.synth();
    process.env.FAIL_ON = 'plan';
    try {
      await expect(deployer.plan({})).rejects.toMatchObject({ exitCode: 1, message: 'terraform plan failed (exit 1) in cdktf.out/stacks/xetl-dev-analytics; its output is above' });
    } finally {
      delete process.env.FAIL_ON;
    }
    expect(printed.join('')).toContain('boom on plan');
  });

  test('a missing executable is a usage error naming it', async () => {
    const deployer = new TerraformStackDeployer({ repoRoot: os.tmpdir(), names, npm: '/nonexistent/npm' });
    await expect(deployer.synth()).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/^cannot run \/nonexistent\/npm: .*install it/) });
  });
});
