import type { ITerraformDependable } from 'cdktf';
import type { Naming } from '@xetl/config';
import type { ParkSwitch } from '../park/park-switch';
import type { DataKey } from '../storage/data-key';
import type { TriggerQueue } from './trigger-queue';

export interface TriggerFunctionProps {
  /** Names of this environment: function, role, log group, MWAA environment, source bucket. */
  readonly names: Naming;
  /** Account B's key: log group, environment variables (the stack admits CloudWatch Logs to it). */
  readonly encryptionKey: DataKey;
  /** The queue the function reads and the DLQ it parks refused events in. */
  readonly queue: TriggerQueue;
  /** Absolute path of the deterministic package (built at synth by the analytics stack). */
  readonly packagePath: string;
  /** The MWAA VPC and its private subnets: the function reaches MWAA and SQS through their endpoints. */
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  /** Security group of the interface endpoints; the function's only egress is HTTPS to it. */
  readonly endpointSecurityGroupId: string;
  /** Days the function's logs are kept. */
  readonly logRetentionDays: number;
  /** Airflow RBAC role the REST calls act as; never Admin. @default "User" (may trigger DAG runs) */
  readonly airflowRole?: 'Op' | 'User';
  /**
   * Most concurrent invocations the queue's event source mapping starts (2 to 1000). No reserved
   * concurrency: new accounts have a concurrency quota of 10 and Lambda keeps 10 unreserved, so any
   * reservation fails there. @default 2
   */
  readonly maximumConcurrency?: number;
  /** @default 30 seconds (InvokeRestApi itself times out after 10 s) */
  readonly timeoutSeconds?: number;
  /**
   * The environment's park switch: while parked the queue's event source mapping is disabled, so
   * marker events wait in the queue (its retention) instead of failing into the DLQ.
   * @default none — the mapping is always enabled
   */
  readonly park?: ParkSwitch;
  /**
   * What the event source mapping is created or re-enabled after: the MWAA environment, so an
   * unpark starts delivering queued events only once the environment exists.
   * @default [] — only the role's policy
   */
  readonly mappingDependsOn?: readonly ITerraformDependable[];
}
