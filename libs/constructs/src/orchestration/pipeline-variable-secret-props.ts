import type { Naming, PipelineRuntimeValues } from '@xetl/config';
import type { DataKey } from '../storage/data-key';

export interface PipelineVariableSecretProps {
  /** Names of this environment: the secret's name and every name in the variable. */
  readonly names: Naming;
  /** Encrypts the secret; MWAA's role decrypts it through Secrets Manager. */
  readonly encryptionKey: DataKey;
  /** Values known once resources exist (Terraform references). */
  readonly runtime: PipelineRuntimeValues;
  /** Days a deleted secret can be restored. @default 30 */
  readonly recoveryWindowDays?: number;
}
