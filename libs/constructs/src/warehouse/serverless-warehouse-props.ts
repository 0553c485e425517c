import type { EnvironmentConfig, Naming } from '@xetl/config';
import type { DataKey } from '../storage/data-key';

export interface ServerlessWarehouseProps {
  /** Names of this environment: namespace, workgroup, role, and account A's unload role. */
  readonly names: Naming;
  /** Customer-managed key for the namespace's data and its managed admin secret. */
  readonly encryptionKey: DataKey;
  /** Three private subnets in three AZs (the Redshift VPC's). */
  readonly subnetIds: readonly string[];
  /** Security groups of the workgroup (port 5439 from the MWAA VPC only). */
  readonly securityGroupIds: readonly string[];
  /** RPUs the workgroup starts queries with, from config. */
  readonly baseCapacity: number;
  /** Upper bound on RPUs, from config; caps cost. */
  readonly maxCapacity: number;
  /** Database the pipeline loads into, from config. */
  readonly databaseName: string;
  /**
   * Days the exported logs are kept (`retention.logRetentionDays`). Their log groups are the
   * account's (one per log type), created by the environment that owns the account's settings.
   */
  readonly logRetentionDays: number;
  /**
   * RPU-hours the workgroup may use a day and what happens at the limit, from config
   * (`redshift.dailyRpuHoursLimit`, `redshift.rpuLimitBreachAction`).
   * @default none — no usage limit
   */
  readonly usageLimit?: {
    readonly dailyRpuHours: number;
    readonly breachAction: EnvironmentConfig['redshift']['rpuLimitBreachAction'];
  };
}
