import { Construct } from 'constructs';
import { Route } from '@cdktf/provider-aws/lib/route';
import { VpcPeeringConnection } from '@cdktf/provider-aws/lib/vpc-peering-connection';
import type { VpcPeeringProps } from './vpc-peering-props';

/**
 * Peers two VPCs of the same account and region (auto-accepted) and routes each VPC's block to
 * the other through the peering, in both route tables. Security groups still decide what may
 * cross; the routes only make it possible.
 *
 * @example
 * new VpcPeering(this, 'MwaaToRedshift', { name: 'xetl-dev-mwaa-redshift', requester: mwaaVpc, accepter: redshiftVpc });
 */
export class VpcPeering extends Construct {
  readonly peeringConnectionId: string;

  constructor(scope: Construct, id: string, props: VpcPeeringProps) {
    super(scope, id);
    const peering = new VpcPeeringConnection(this, 'Connection', {
      vpcId: props.requester.vpcId,
      peerVpcId: props.accepter.vpcId,
      autoAccept: true,
      tags: { Name: props.name },
    });
    this.peeringConnectionId = peering.id;
    new Route(this, 'RequesterToAccepter', {
      routeTableId: props.requester.routeTableId,
      destinationCidrBlock: props.accepter.cidrBlock,
      vpcPeeringConnectionId: peering.id,
    });
    new Route(this, 'AccepterToRequester', {
      routeTableId: props.accepter.routeTableId,
      destinationCidrBlock: props.requester.cidrBlock,
      vpcPeeringConnectionId: peering.id,
    });
  }
}
