import { PARKED_COUNT, applyDefaults, Naming, type EnvironmentInput } from '@xetl/config';
import { ParkSwitch } from '../park/park-switch';
import { DataKey } from '../storage/data-key';
import { resourcesOf, synthJson, testStack } from '../test-helpers';
import { AnalyticsNetwork } from './analytics-network';
import { AIRFLOW_ENDPOINT_SERVICES, INTERFACE_ENDPOINT_SERVICES } from './endpoint-policies';

const input: EnvironmentInput = { region: 'eu-west-1', accounts: { source: '111111111111', analytics: '222222222222' } };
const env = applyDefaults('dev', input);
const names = new Naming(env);

function build(overrides: Partial<EnvironmentInput> = {}, withPark = false) {
  const stack = testStack();
  const n = new Naming(applyDefaults('dev', { ...input, ...overrides }));
  const key = new DataKey(stack, 'Key', { alias: n.analyticsKeyAlias, description: 'test', accountId: '222222222222' });
  const park = withPark ? new ParkSwitch(stack, 'Park', { names: n }) : undefined;
  const network = new AnalyticsNetwork(stack, 'Network', { names: n, encryptionKey: key, logRetentionDays: 30, park });
  return { json: synthJson(stack), network };
}

const ref = (value: unknown) => String(value).replace(/^\$\{([^.]+\.[^.]+)\..*\}$/, '$1');

describe('AnalyticsNetwork', () => {
  const { json, network } = build();
  const vpcs = json.resource.aws_vpc;
  const vpcIdByCidr = Object.fromEntries(Object.entries(vpcs).map(([id, v]) => [v.cidr_block, `aws_vpc.${id}`]));
  const mwaaVpc = vpcIdByCidr['10.20.0.0/16'];
  const redshiftVpc = vpcIdByCidr['10.30.0.0/16'];
  const sgByName = Object.fromEntries(Object.entries(json.resource.aws_security_group).map(([id, sg]) => [sg.name, `aws_security_group.${id}`]));

  test('has no internet gateway, NAT gateway or public IPs', () => {
    for (const type of ['aws_internet_gateway', 'aws_nat_gateway', 'aws_egress_only_internet_gateway', 'aws_eip']) {
      expect(json.resource[type]).toBeUndefined();
    }
    for (const subnet of resourcesOf(json, 'aws_subnet')) expect(subnet.map_public_ip_on_launch).toBe(false);
    for (const route of resourcesOf(json, 'aws_route')) {
      expect(route.gateway_id).toBeUndefined();
      expect(route.nat_gateway_id).toBeUndefined();
    }
  });

  test('puts MWAA in two private subnets in two AZs and Redshift in three in three AZs', () => {
    const subnets = resourcesOf(json, 'aws_subnet');
    const azsOf = (vpc: string) => subnets.filter((s) => ref(s.vpc_id) === vpc).map((s) => s.availability_zone).sort();
    expect(azsOf(mwaaVpc)).toEqual(['eu-west-1a', 'eu-west-1b']);
    expect(azsOf(redshiftVpc)).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(subnets.filter((s) => ref(s.vpc_id) === mwaaVpc).map((s) => s.cidr_block).sort()).toEqual(['10.20.0.0/20', '10.20.16.0/20']);
  });

  test('peers the VPCs (auto-accepted) with a route on both sides', () => {
    const [peering] = resourcesOf(json, 'aws_vpc_peering_connection');
    expect(peering).toMatchObject({ auto_accept: true });
    expect([ref(peering.vpc_id), ref(peering.peer_vpc_id)]).toEqual([mwaaVpc, redshiftVpc]);
    const tables = json.resource.aws_route_table;
    const vpcOfTable = (r: Record<string, unknown>) => ref(tables[ref(r.route_table_id).split('.')[1]].vpc_id);
    const routes = resourcesOf(json, 'aws_route').map((r) => [vpcOfTable(r), r.destination_cidr_block, String(r.vpc_peering_connection_id).includes('aws_vpc_peering_connection')]);
    expect(routes).toEqual(expect.arrayContaining([[mwaaVpc, '10.30.0.0/16', true], [redshiftVpc, '10.20.0.0/16', true]]));
    expect(routes).toHaveLength(2);
  });

  test('has exactly the designed security-group rules, each described', () => {
    const name = (v: unknown) => Object.entries(sgByName).find(([, id]) => ref(v) === id)?.[0];
    const rules = [
      ...resourcesOf(json, 'aws_vpc_security_group_ingress_rule').map((r) => ['in', r]),
      ...resourcesOf(json, 'aws_vpc_security_group_egress_rule').map((r) => ['out', r]),
    ].map(([dir, r]: any) => {
      expect(r.description).toEqual(expect.any(String));
      const peer = r.cidr_ipv4 ?? (r.referenced_security_group_id ? `sg:${name(r.referenced_security_group_id)}` : r.prefix_list_id ? 'prefix-list:s3' : '?');
      return `${name(r.security_group_id)} ${dir} ${r.ip_protocol}/${r.from_port ?? 'all'} ${peer}`;
    }).sort();
    expect(rules).toEqual([
      'xetl-dev-endpoints in tcp/443 10.20.0.0/16',
      'xetl-dev-mwaa in -1/all sg:xetl-dev-mwaa',
      'xetl-dev-mwaa out -1/all sg:xetl-dev-mwaa',
      'xetl-dev-mwaa out tcp/443 prefix-list:s3',
      'xetl-dev-mwaa out tcp/443 sg:xetl-dev-endpoints',
      'xetl-dev-mwaa out tcp/5439 10.30.0.0/16',
      'xetl-dev-redshift in tcp/5439 10.20.0.0/16',
      'xetl-dev-redshift out tcp/443 prefix-list:s3',
    ]);
    for (const sg of resourcesOf(json, 'aws_security_group')) {
      expect(sg.description).toEqual(expect.any(String));
      expect(sg.ingress).toBeUndefined();
      expect(sg.egress).toBeUndefined();
    }
  });

  test('locks down both default security groups', () => {
    const defaults = resourcesOf(json, 'aws_default_security_group');
    expect(defaults).toHaveLength(2);
    for (const d of defaults) expect(d).toMatchObject({ ingress: [], egress: [] });
  });

  test('records all traffic of both VPCs in a KMS-encrypted log group with retention', () => {
    const flowLogs = resourcesOf(json, 'aws_flow_log');
    expect(flowLogs.map((f) => ref(f.vpc_id)).sort()).toEqual([mwaaVpc, redshiftVpc].sort());
    for (const f of flowLogs) expect(f).toMatchObject({ traffic_type: 'ALL', log_destination_type: 'cloud-watch-logs' });
    expect(resourcesOf(json, 'aws_cloudwatch_log_group')[0]).toMatchObject({ retention_in_days: 30, kms_key_id: expect.stringMatching(/aws_kms_key/) });
  });

  test("creates the private-routing guide's endpoint set plus the DAG's services: S3 gateways in both VPCs, interface endpoints with private DNS", () => {
    const endpoints = resourcesOf(json, 'aws_vpc_endpoint');
    const gateways = endpoints.filter((e) => e.vpc_endpoint_type === 'Gateway');
    expect(gateways.map((g) => [g.service_name, ref(g.vpc_id)]).sort()).toEqual(
      [['com.amazonaws.eu-west-1.s3', mwaaVpc], ['com.amazonaws.eu-west-1.s3', redshiftVpc]].sort(),
    );
    const interfaces = endpoints.filter((e) => e.vpc_endpoint_type === 'Interface');
    expect(interfaces.map((e) => String(e.service_name).replace('com.amazonaws.eu-west-1.', '')).sort()).toEqual([
      'airflow.api', 'airflow.env', 'airflow.ops', 'ecr.api', 'ecr.dkr', 'glue', 'kms', 'logs', 'monitoring', 'redshift-data',
      'redshift-serverless', 'secretsmanager', 'sns', 'sqs',
    ]);
    expect(INTERFACE_ENDPOINT_SERVICES).toHaveLength(11);
    for (const e of interfaces) {
      expect(e).toMatchObject({ private_dns_enabled: true, subnet_ids: expect.any(Array) });
      expect(ref(e.vpc_id)).toBe(mwaaVpc);
    }
  });

  test('exposes every endpoint, so the MWAA environment can be created after them', () => {
    expect(network.endpoints).toHaveLength(resourcesOf(json, 'aws_vpc_endpoint').length);
  });

  test('gives every endpoint but MWAA\'s own management ones a policy without wildcard actions, scoped to the accounts where callers are ours', () => {
    const serviceOf = (e: Record<string, unknown>) => String(e.service_name).replace('com.amazonaws.eu-west-1.', '');
    const mwaaOwn = resourcesOf(json, 'aws_vpc_endpoint').filter((e) => ['airflow.api', 'airflow.ops'].includes(serviceOf(e)));
    // airflow.api and airflow.ops are MWAA's own (environment management, health): AWS's default policy.
    expect(mwaaOwn.map((e) => e.policy)).toEqual([undefined, undefined]);
    for (const e of resourcesOf(json, 'aws_vpc_endpoint').filter((x) => !mwaaOwn.includes(x))) {
      const statements = JSON.parse(String(e.policy)).Statement;
      for (const s of statements) {
        expect(s.Effect).toBe('Allow');
        for (const a of [s.Action].flat()) expect(a).not.toContain('*');
      }
      if (!/^ecr\./.test(serviceOf(e))) {
        expect(statements[0].Condition.StringEquals['aws:PrincipalAccount']).toEqual(serviceOf(e) === 'airflow.env' ? '222222222222' : ['111111111111', '222222222222']);
      }
    }
  });

  test("lets the S3 gateways reach the pipeline's buckets in both accounts and ECR's layer bucket only", () => {
    const [gateway] = resourcesOf(json, 'aws_vpc_endpoint').filter((e) => e.vpc_endpoint_type === 'Gateway');
    const statements = JSON.parse(String(gateway.policy)).Statement;
    const resources = statements.flatMap((s: any) => [s.Resource].flat());
    for (const bucket of [names.sourceBucket, names.targetBucket, names.stagingBucket, names.assetsBucket, names.airflowBucket]) {
      expect(resources).toEqual(expect.arrayContaining([`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`]));
    }
    expect(resources).toContain('arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*');
    expect(resources).toHaveLength(11);
  });

  test('lets the flow-log role write only its log group', () => {
    const policy = JSON.parse(String(resourcesOf(json, 'aws_iam_role_policy')[0].policy));
    for (const s of policy.Statement) {
      // DescribeLogGroups has no resource type: only "*" grants it; it lists, it reads no log.
      if (s.Sid === 'FindLogGroup') {
        expect(s).toMatchObject({ Action: ['logs:DescribeLogGroups'], Resource: '*' });
        continue;
      }
      expect([s.Resource].flat().every((r: string) => r !== '*')).toBe(true);
      for (const a of s.Action) expect(a).not.toContain('*');
    }
    const trust = JSON.parse(String(resourcesOf(json, 'aws_iam_role')[0].assume_role_policy));
    expect(trust.Statement[0]).toMatchObject({ Principal: { Service: ['vpc-flow-logs.amazonaws.com'] }, Condition: { StringEquals: { 'aws:SourceAccount': '222222222222' } } });
  });
});

/** Every interface endpoint: the pipeline's (with a policy) and MWAA's own. */
const INTERFACES = INTERFACE_ENDPOINT_SERVICES.length + AIRFLOW_ENDPOINT_SERVICES.length;

describe('AnalyticsNetwork interface endpoints per AZ (network.endpointAzs)', () => {
  const subnetsOf = (json: ReturnType<typeof build>['json']) => {
    const subnets = json.resource.aws_subnet;
    const azOf = (ref: unknown) => String(subnets[String(ref).replace(/^\$\{aws_subnet\.([^.]+)\.id\}$/, '$1')]?.availability_zone);
    return resourcesOf(json, 'aws_vpc_endpoint').filter((e) => e.vpc_endpoint_type === 'Interface').map((e) => (e.subnet_ids as string[]).map(azOf));
  };

  test('by default puts every interface endpoint in both MWAA subnets (two AZs)', () => {
    const azs = subnetsOf(build().json);
    expect(azs).toHaveLength(INTERFACES);
    for (const a of azs) expect(a).toEqual(['eu-west-1a', 'eu-west-1b']);
  });

  test('with endpointAzs 1 puts each in the first MWAA subnet only; MWAA keeps both subnets', () => {
    const { json, network } = build({ network: { endpointAzs: 1 } });
    const azs = subnetsOf(json);
    expect(azs).toHaveLength(INTERFACES);
    for (const a of azs) expect(a).toEqual(['eu-west-1a']);
    expect(network.mwaaSubnetIds).toHaveLength(2);
  });
});

describe('AnalyticsNetwork with a park switch', () => {
  const { json, network } = build({ parkable: true }, true);
  const endpoints = resourcesOf(json, 'aws_vpc_endpoint');

  test('parks every interface endpoint (count from the switch) and keeps the free S3 gateways', () => {
    const interfaces = endpoints.filter((e) => e.vpc_endpoint_type === 'Interface');
    expect(interfaces).toHaveLength(INTERFACES);
    for (const e of interfaces) expect(e.count).toBe(PARKED_COUNT);
    for (const g of endpoints.filter((e) => e.vpc_endpoint_type === 'Gateway')) expect(g.count).toBeUndefined();
  });

  test('keeps the VPCs, subnets, security groups and flow logs: parking deletes only what bills by the hour', () => {
    for (const type of ['aws_vpc', 'aws_subnet', 'aws_security_group', 'aws_flow_log', 'aws_cloudwatch_log_group', 'aws_vpc_peering_connection']) {
      for (const r of resourcesOf(json, type)) expect(r.count).toBeUndefined();
    }
    expect(network.endpoints).toHaveLength(endpoints.length);
  });
});
