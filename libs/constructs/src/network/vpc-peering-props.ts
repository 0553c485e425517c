import type { PrivateVpc } from './private-vpc';

export interface VpcPeeringProps {
  /** Name tag of the peering connection. */
  readonly name: string;
  /** The VPC that requests the peering. */
  readonly requester: PrivateVpc;
  /** The VPC that accepts it; same account and region, so it is accepted automatically. */
  readonly accepter: PrivateVpc;
}
