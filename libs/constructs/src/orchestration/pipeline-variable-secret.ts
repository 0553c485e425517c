import { Construct } from 'constructs';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { PIPELINE_VARIABLE_KEY, pipelineVariable } from '@xetl/config';
import type { PipelineVariableSecretProps } from './pipeline-variable-secret-props';

/**
 * The DAG's one Airflow variable, `xetl_pipeline`, as a secret under Airflow's variables prefix in
 * Secrets Manager (MWAA's secrets backend reads it). Its value is the pipeline contract's
 * `pipelineVariable`: names only, no credentials (docs/data-contract.md).
 *
 * @example
 * new PipelineVariableSecret(this, 'PipelineVariable', {
 *   names, encryptionKey: key, runtime: { snsTopicArn, targetKmsKeyArn },
 * });
 */
export class PipelineVariableSecret extends Construct {
  readonly secretArn: string;

  constructor(scope: Construct, id: string, props: PipelineVariableSecretProps) {
    super(scope, id);
    const { names } = props;
    const secret = new SecretsmanagerSecret(this, 'Secret', {
      name: names.pipelineVariableSecret,
      description: `xetl ${names.env.name}: the ${PIPELINE_VARIABLE_KEY} Airflow variable (names only, no credentials)`,
      kmsKeyId: props.encryptionKey.keyArn,
      recoveryWindowInDays: props.recoveryWindowDays ?? 30,
    });
    new SecretsmanagerSecretVersion(this, 'Value', {
      secretId: secret.id,
      secretString: JSON.stringify(pipelineVariable(names, names.env, props.runtime)),
    });
    this.secretArn = secret.arn;
  }
}
