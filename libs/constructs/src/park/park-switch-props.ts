import type { Naming } from '@xetl/config';

export interface ParkSwitchProps {
  /** Names of this environment: the SSM parameter `names.parkParameter` and its folder. */
  readonly names: Naming;
}
