import { resourcesOf, synthJson, testStack } from '../test-helpers';
import { PrivateVpc } from './private-vpc';
import { VpcPeering } from './vpc-peering';

function build() {
  const stack = testStack();
  const common = { flowLogGroupName: 'g', flowLogGroupArn: 'arn:aws:logs:eu-west-1:222222222222:log-group:g', flowLogRoleArn: 'arn:aws:iam::222222222222:role/r' };
  const a = new PrivateVpc(stack, 'A', { name: 'a', cidrBlock: '10.1.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b'], ...common });
  const b = new PrivateVpc(stack, 'B', { name: 'b', cidrBlock: '10.2.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], subnetNewBits: 8, ...common });
  new VpcPeering(stack, 'Peering', { name: 'a-b', requester: a, accepter: b });
  return synthJson(stack);
}

describe('PrivateVpc', () => {
  const json = build();

  test('carves one private subnet per AZ from the VPC block, in order', () => {
    const cidrs = resourcesOf(json, 'aws_subnet').map((s) => [s.cidr_block, s.availability_zone]).sort();
    expect(cidrs).toEqual([
      ['10.1.0.0/20', 'eu-west-1a'], ['10.1.16.0/20', 'eu-west-1b'],
      ['10.2.0.0/24', 'eu-west-1a'], ['10.2.1.0/24', 'eu-west-1b'], ['10.2.2.0/24', 'eu-west-1c'],
    ]);
    expect(resourcesOf(json, 'aws_route_table_association')).toHaveLength(5);
  });

  test('enables DNS for private endpoints and has no route to the internet', () => {
    for (const vpc of resourcesOf(json, 'aws_vpc')) expect(vpc).toMatchObject({ enable_dns_hostnames: true, enable_dns_support: true });
    expect(json.resource.aws_internet_gateway).toBeUndefined();
    expect(json.resource.aws_nat_gateway).toBeUndefined();
    for (const rt of resourcesOf(json, 'aws_route_table')) expect(rt.route).toBeUndefined();
  });

  test('strips the default security group and logs all traffic', () => {
    expect(resourcesOf(json, 'aws_default_security_group')).toEqual([
      expect.objectContaining({ ingress: [], egress: [] }), expect.objectContaining({ ingress: [], egress: [] }),
    ]);
    for (const f of resourcesOf(json, 'aws_flow_log')) {
      expect(f).toMatchObject({ traffic_type: 'ALL', log_destination: 'arn:aws:logs:eu-west-1:222222222222:log-group:g', iam_role_arn: 'arn:aws:iam::222222222222:role/r' });
    }
  });
});

describe('VpcPeering', () => {
  const json = build();

  test('auto-accepts and routes each VPC block to the other through the peering', () => {
    expect(resourcesOf(json, 'aws_vpc_peering_connection')[0]).toMatchObject({ auto_accept: true });
    const routes = resourcesOf(json, 'aws_route').map((r) => [String(r.route_table_id).split('.')[1].split('_')[0], r.destination_cidr_block]).sort();
    expect(routes).toEqual([['A', '10.2.0.0/16'], ['B', '10.1.0.0/16']]);
    for (const r of resourcesOf(json, 'aws_route')) expect(r.vpc_peering_connection_id).toMatch(/aws_vpc_peering_connection\./);
  });
});
