import { Construct } from 'constructs';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { subnetCidrs } from '@xetl/config';
import type { PrivateVpcProps } from './private-vpc-props';

/**
 * A VPC with private subnets only: no internet gateway, no NAT, no public IPs, one route table
 * shared by its subnets (only local routes, plus what peering and gateway endpoints add), the
 * default security group stripped of every rule, and all traffic recorded by a flow log.
 *
 * @example
 * const vpc = new PrivateVpc(this, 'MwaaVpc', {
 *   name: names.vpcName('mwaa'), cidrBlock: env.network.mwaaVpcCidr,
 *   availabilityZones: ['eu-west-1a', 'eu-west-1b'],
 *   flowLogGroupName: group.name, flowLogGroupArn: group.arn, flowLogRoleArn: role.roleArn,
 * });
 */
export class PrivateVpc extends Construct {
  readonly vpcId: string;
  readonly cidrBlock: string;
  readonly subnetIds: string[];
  readonly routeTableId: string;

  constructor(scope: Construct, id: string, props: PrivateVpcProps) {
    super(scope, id);
    const vpc = new Vpc(this, 'Vpc', {
      cidrBlock: props.cidrBlock,
      // Interface endpoints with private DNS need both.
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: props.name },
    });
    this.vpcId = vpc.id;
    this.cidrBlock = props.cidrBlock;

    // The default group cannot be deleted; managing it with no rules leaves nothing open by accident.
    new DefaultSecurityGroup(this, 'DefaultSecurityGroupLockedDown', {
      vpcId: vpc.id,
      ingress: [],
      egress: [],
      tags: { Name: `${props.name}-default-unused` },
    });

    const routeTable = new RouteTable(this, 'PrivateRoutes', { vpcId: vpc.id, tags: { Name: `${props.name}-private` } });
    this.routeTableId = routeTable.id;

    const cidrs = subnetCidrs(props.cidrBlock, props.subnetNewBits ?? 4, props.availabilityZones.length);
    this.subnetIds = props.availabilityZones.map((az, i) => {
      const subnet = new Subnet(this, `Private${i}`, {
        vpcId: vpc.id,
        cidrBlock: cidrs[i],
        availabilityZone: az,
        mapPublicIpOnLaunch: false,
        tags: { Name: `${props.name}-private-${az}` },
      });
      new RouteTableAssociation(this, `Private${i}Routes`, { subnetId: subnet.id, routeTableId: routeTable.id });
      return subnet.id;
    });

    new FlowLog(this, 'FlowLog', {
      vpcId: vpc.id,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: props.flowLogGroupArn,
      iamRoleArn: props.flowLogRoleArn,
      maxAggregationInterval: 600,
      tags: { Name: `${props.name}-flow-log` },
    });
  }
}
