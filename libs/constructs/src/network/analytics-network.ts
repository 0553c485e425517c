import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { ScopedRole } from '../iam/scoped-role';
import { AIRFLOW_ENDPOINT_SERVICES, INTERFACE_ENDPOINT_SERVICES, airflowEnvEndpointPolicy, interfaceEndpointPolicy, s3GatewayEndpointPolicy } from './endpoint-policies';
import type { AnalyticsNetworkProps } from './analytics-network-props';
import { PrivateVpc } from './private-vpc';
import { VpcPeering } from './vpc-peering';

const HTTPS = 443;

/**
 * Account B's private network: a VPC for MWAA (two private subnets) and one for Redshift
 * Serverless (three), peered, with no internet gateway and no NAT. AWS services are reached
 * through an S3 gateway endpoint in each VPC and interface endpoints (private DNS) in the MWAA
 * VPC, each with a policy. Security groups admit only Redshift's port from the MWAA VPC, MWAA's
 * self-reference, and HTTPS to the endpoints. Flow logs of both VPCs go to one encrypted group.
 * See docs/network.md.
 *
 * @example
 * const network = new AnalyticsNetwork(this, 'Network', { names, encryptionKey: key, logRetentionDays: 90 });
 * network.mwaaSubnetIds; network.redshiftSecurityGroupId;
 */
export class AnalyticsNetwork extends Construct {
  readonly mwaaVpc: PrivateVpc;
  readonly redshiftVpc: PrivateVpc;
  readonly mwaaSecurityGroupId: string;
  readonly redshiftSecurityGroupId: string;
  readonly endpointSecurityGroupId: string;
  readonly mwaaSubnetIds: string[];
  readonly redshiftSubnetIds: string[];
  readonly flowLogGroupArn: string;
  /** Every VPC endpoint (gateways and interfaces): MWAA needs them while it creates the environment. */
  readonly endpoints: VpcEndpoint[] = [];

  constructor(scope: Construct, id: string, props: AnalyticsNetworkProps) {
    super(scope, id);
    const { names } = props;
    const env = names.env;
    const region = env.region;
    const account = names.accountId('analytics');
    const azs = props.availabilityZones ?? {
      mwaa: [`${region}a`, `${region}b`],
      redshift: [`${region}a`, `${region}b`, `${region}c`],
    };

    const flowLogs = new CloudwatchLogGroup(this, 'FlowLogGroup', {
      name: names.flowLogGroup,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.encryptionKey.keyArn,
    });
    this.flowLogGroupArn = flowLogs.arn;
    const flowLogRole = new ScopedRole(this, 'FlowLogRole', {
      roleName: names.flowLogRoleName,
      accountId: account,
      partition: names.partition,
      description: `xetl ${env.name}: VPC Flow Logs delivers both VPCs' flow logs to ${names.flowLogGroup}`,
      trustedServices: ['vpc-flow-logs.amazonaws.com'],
      serviceTrustConditions: { StringEquals: { 'aws:SourceAccount': account } },
    });
    flowLogRole.addToPrincipalPolicy({
      Sid: 'WriteFlowLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
      Resource: [flowLogs.arn, `${flowLogs.arn}:*`],
    });
    flowLogRole.addToPrincipalPolicy({
      // DescribeLogGroups has no resource type in IAM: only "*" grants it. It lists, it reads no log.
      Sid: 'FindLogGroup',
      Effect: 'Allow',
      Action: ['logs:DescribeLogGroups'],
      Resource: '*',
    });
    const flowLog = { flowLogGroupName: names.flowLogGroup, flowLogGroupArn: flowLogs.arn, flowLogRoleArn: flowLogRole.roleArn };

    this.mwaaVpc = new PrivateVpc(this, 'MwaaVpc', {
      name: names.vpcName('mwaa'), cidrBlock: env.network.mwaaVpcCidr, availabilityZones: azs.mwaa, ...flowLog,
    });
    this.redshiftVpc = new PrivateVpc(this, 'RedshiftVpc', {
      name: names.vpcName('redshift'), cidrBlock: env.network.redshiftVpcCidr, availabilityZones: azs.redshift, ...flowLog,
    });
    this.mwaaSubnetIds = this.mwaaVpc.subnetIds;
    this.redshiftSubnetIds = this.redshiftVpc.subnetIds;
    new VpcPeering(this, 'Peering', {
      name: `${names.base}-mwaa-redshift`,
      requester: this.mwaaVpc,
      accepter: this.redshiftVpc,
    });

    // ---- S3 gateway endpoints: MWAA's bucket and DAG reads; Redshift COPY/UNLOAD (enhanced VPC routing).
    const accounts = [names.accountId('analytics'), names.accountId('source')];
    const s3Policy = s3GatewayEndpointPolicy({
      bucketArns: [
        names.stagingBucket, names.assetsBucket, names.airflowBucket, names.sourceBucket, names.targetBucket,
      ].map((b) => names.bucketArn(b)),
      accounts,
      awsOwnedObjectArns: [`${names.bucketArn(names.ecrLayerBucket)}/*`],
    });
    const s3Gateways = [this.mwaaVpc, this.redshiftVpc].map((vpc, i) => new VpcEndpoint(this, i === 0 ? 'MwaaS3Gateway' : 'RedshiftS3Gateway', {
      vpcId: vpc.vpcId,
      serviceName: `com.amazonaws.${region}.s3`,
      vpcEndpointType: 'Gateway',
      routeTableIds: [vpc.routeTableId],
      policy: s3Policy,
      tags: { Name: `${names.base}-${i === 0 ? 'mwaa' : 'redshift'}-s3` },
    }));

    // ---- security groups; rules are separate resources, so each is one reviewable line.
    const endpointsSg = new SecurityGroup(this, 'EndpointSecurityGroup', {
      name: names.securityGroupName('endpoints'),
      description: 'xetl interface VPC endpoints: HTTPS from the MWAA VPC only',
      vpcId: this.mwaaVpc.vpcId,
      tags: { Name: names.securityGroupName('endpoints') },
    });
    const mwaaSg = new SecurityGroup(this, 'MwaaSecurityGroup', {
      name: names.securityGroupName('mwaa'),
      description: 'xetl MWAA environment: self-referencing as MWAA requires, HTTPS to endpoints, Redshift port to the Redshift VPC',
      vpcId: this.mwaaVpc.vpcId,
      tags: { Name: names.securityGroupName('mwaa') },
    });
    const redshiftSg = new SecurityGroup(this, 'RedshiftSecurityGroup', {
      name: names.securityGroupName('redshift'),
      description: 'xetl Redshift Serverless workgroup: port 5439 from the MWAA VPC only',
      vpcId: this.redshiftVpc.vpcId,
      tags: { Name: names.securityGroupName('redshift') },
    });
    this.endpointSecurityGroupId = endpointsSg.id;
    this.mwaaSecurityGroupId = mwaaSg.id;
    this.redshiftSecurityGroupId = redshiftSg.id;

    new VpcSecurityGroupIngressRule(this, 'EndpointsHttpsFromMwaaVpc', {
      securityGroupId: endpointsSg.id,
      description: 'HTTPS to the interface endpoints from the MWAA VPC (only it resolves their private DNS)',
      ipProtocol: 'tcp', fromPort: HTTPS, toPort: HTTPS, cidrIpv4: env.network.mwaaVpcCidr,
    });
    new VpcSecurityGroupIngressRule(this, 'MwaaFromSelf', {
      securityGroupId: mwaaSg.id,
      description: 'MWAA components (scheduler, workers, webserver, metadata database endpoint) talk to each other',
      ipProtocol: '-1', referencedSecurityGroupId: mwaaSg.id,
    });
    new VpcSecurityGroupEgressRule(this, 'MwaaToSelf', {
      securityGroupId: mwaaSg.id,
      description: 'MWAA components to each other',
      ipProtocol: '-1', referencedSecurityGroupId: mwaaSg.id,
    });
    new VpcSecurityGroupEgressRule(this, 'MwaaToEndpoints', {
      securityGroupId: mwaaSg.id,
      description: 'HTTPS to the interface endpoints (SQS, Logs, KMS, Secrets Manager, Glue, Redshift Data, ...)',
      ipProtocol: 'tcp', fromPort: HTTPS, toPort: HTTPS, referencedSecurityGroupId: endpointsSg.id,
    });
    new VpcSecurityGroupEgressRule(this, 'MwaaToS3', {
      securityGroupId: mwaaSg.id,
      description: 'HTTPS to S3 through the gateway endpoint (DAGs, requirements, staging manifests, source listing)',
      ipProtocol: 'tcp', fromPort: HTTPS, toPort: HTTPS, prefixListId: s3Gateways[0].prefixListId,
    });
    new VpcSecurityGroupEgressRule(this, 'MwaaToRedshift', {
      securityGroupId: mwaaSg.id,
      description: 'Redshift port to the peered Redshift VPC',
      ipProtocol: 'tcp', fromPort: names.redshiftPort, toPort: names.redshiftPort, cidrIpv4: env.network.redshiftVpcCidr,
    });
    new VpcSecurityGroupIngressRule(this, 'RedshiftFromMwaaVpc', {
      securityGroupId: redshiftSg.id,
      description: 'Redshift port from the MWAA VPC through the peering',
      ipProtocol: 'tcp', fromPort: names.redshiftPort, toPort: names.redshiftPort, cidrIpv4: env.network.mwaaVpcCidr,
    });
    new VpcSecurityGroupEgressRule(this, 'RedshiftToS3', {
      securityGroupId: redshiftSg.id,
      description: 'COPY and UNLOAD to S3 through the gateway endpoint (enhanced VPC routing)',
      ipProtocol: 'tcp', fromPort: HTTPS, toPort: HTTPS, prefixListId: s3Gateways[1].prefixListId,
    });

    // ---- interface endpoints, in the first `network.endpointAzs` of the MWAA VPC's subnets, with
    // private DNS: MWAA in a subnet without one reaches the endpoint's addresses in the other AZ over
    // the VPC's local route. airflow.env (the REST API the trigger Lambda calls) is limited to this
    // environment; airflow.api and airflow.ops are MWAA's own and keep AWS's default policy (the
    // callers' roles are scoped instead). They bill by the hour, so they park (count 0) with MWAA.
    this.endpoints.push(...s3Gateways);
    const policies: Record<string, string | undefined> = {
      ...Object.fromEntries(INTERFACE_ENDPOINT_SERVICES.map((s) => [s, interfaceEndpointPolicy(s, names)])),
      'airflow.env': airflowEnvEndpointPolicy(names),
    };
    const services = [...INTERFACE_ENDPOINT_SERVICES, ...AIRFLOW_ENDPOINT_SERVICES];
    const endpointSubnets = this.mwaaVpc.subnetIds.slice(0, env.network.endpointAzs);
    for (const service of services) {
      this.endpoints.push(new VpcEndpoint(this, `Endpoint-${service.replace(/[^a-z0-9]/g, '-')}`, {
        ...(props.park ? { count: props.park.count } : {}),
        vpcId: this.mwaaVpc.vpcId,
        serviceName: `com.amazonaws.${region}.${service}`,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: endpointSubnets,
        securityGroupIds: [endpointsSg.id],
        ...(policies[service] ? { policy: policies[service] } : {}),
        tags: { Name: `${names.base}-${service}` },
      }));
    }
  }
}
