import type { ITerraformDependable } from 'cdktf';
import type { EnvironmentConfig, Naming } from '@xetl/config';
import type { ParkSwitch } from '../park/park-switch';
import type { DataKey } from '../storage/data-key';
import type { SecureBucket } from '../storage/secure-bucket';

export interface AirflowEnvironmentProps {
  /** Names of this environment: environment, role, secrets prefixes, log groups. */
  readonly names: Naming;
  /** Customer-managed key of the environment (MWAA's metadata, SQS, logs, its S3 bucket). */
  readonly encryptionKey: DataKey;
  /** The versioned source bucket (name starts with "airflow-") holding `dags/`. */
  readonly sourceBucket: SecureBucket;
  /** Version of the uploaded requirements.txt; a new version makes MWAA reinstall. */
  readonly requirementsObjectVersion: string;
  /**
   * What MWAA installs from its bucket beyond requirements.txt: `plugins.zip` (here: the wheels of
   * Cosmos and of dbt's own environment, so a private environment installs offline) and the startup
   * script (builds dbt's environment from those wheels). Each is an uploaded object's key and version.
   * @default none — no plugins, no startup script
   */
  readonly plugins?: { readonly key: string; readonly objectVersion: string };
  readonly startupScript?: { readonly key: string; readonly objectVersion: string };
  /** Two private subnets in two AZs. */
  readonly subnetIds: readonly string[];
  /** The MWAA security group (self-referencing). */
  readonly securityGroupIds: readonly string[];
  /** Days the environment's five log groups keep logs (`retention.logRetentionDays`). */
  readonly logRetentionDays: number;
  /** Airflow version, environment class, worker counts and log levels, from config. */
  readonly mwaa: EnvironmentConfig['mwaa'];
  /**
   * The environment's park switch: the MWAA environment exists only while it is off, and
   * `webserverUrl` is then "" while parked.
   * @default none — the environment always exists
   */
  readonly park?: ParkSwitch;
  /**
   * What must exist before the environment is created beyond its role, e.g. the VPC endpoints of a
   * private network (MWAA reaches S3, SQS, Logs, KMS and ECR through them while it starts).
   * @default [] — none
   */
  readonly dependsOn?: readonly ITerraformDependable[];
  /**
   * Extra Airflow configuration options, merged under the fixed ones (the secrets backend
   * and `core.dags_are_paused_at_creation` cannot be overridden). @default {} — none
   */
  readonly airflowConfigurationOptions?: Readonly<Record<string, string>>;
}
