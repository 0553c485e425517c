import type { Naming } from '@xetl/config';
import type { TriggerQueue } from './trigger-queue';

export interface PipelineEventBusProps {
  /** Names of this environment: bus, rule, account A and the source bucket come from here. */
  readonly names: Naming;
  /** Where the rule delivers marker events; the bus admits its rule there. */
  readonly queue: TriggerQueue;
}
