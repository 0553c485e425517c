import type { Naming } from '@xetl/config';
import type { ParkSwitch } from '../park/park-switch';
import type { DataKey } from '../storage/data-key';

export interface AnalyticsNetworkProps {
  /** Names of this environment; VPC CIDRs, region and accounts come from `names.env`. */
  readonly names: Naming;
  /**
   * Key that encrypts the flow-log group. Its policy must admit `logs.<region>.amazonaws.com`
   * (the stack grants that once for all of the account's log groups).
   */
  readonly encryptionKey: DataKey;
  /** Days flow logs are kept. */
  readonly logRetentionDays: number;
  /**
   * Availability zones of the MWAA VPC (2) and the Redshift VPC (3).
   * @default `<region>a`, `<region>b` (and `<region>c`) — deterministic, so plans do not depend
   * on a lookup; pass zone names where a region lacks one of these letters.
   */
  readonly availabilityZones?: { readonly mwaa: readonly string[]; readonly redshift: readonly string[] };
  /**
   * The environment's park switch: the interface endpoints exist only while it is off.
   * @default none — the endpoints always exist
   */
  readonly park?: ParkSwitch;
}
