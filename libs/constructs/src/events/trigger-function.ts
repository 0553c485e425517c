import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { Construct } from 'constructs';
import { AssetType, TerraformAsset } from 'cdktf';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { PIPELINE_DAG_ID } from '@xetl/config';
import { ScopedRole } from '../iam/scoped-role';
import type { TriggerFunctionProps } from './trigger-function-props';

/** ENI changes a VPC-attached Lambda makes with its role (what AWSLambdaVPCAccessExecutionRole grants, less Create). */
export const LAMBDA_VPC_ENI_ACTIONS = ['ec2:AssignPrivateIpAddresses', 'ec2:DeleteNetworkInterface', 'ec2:UnassignPrivateIpAddresses'] as const;
export const LAMBDA_VPC_ENI_CREATE = ['ec2:CreateNetworkInterface'] as const;
/** Its Describe calls, which have no resource type in IAM. */
export const LAMBDA_VPC_DESCRIBE = ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'] as const;
export const AIRFLOW_INVOKE_ACTIONS = ['airflow:InvokeRestApi'] as const;
const HTTPS = 443;

/**
 * The trigger Lambda (python3.12, `xetl_trigger.handler.handler` from the package the stack builds at synth): reads the
 * trigger queue in batches (event source mapping with `ReportBatchItemFailures`), starts the DAG run
 * through MWAA `InvokeRestApi`, parks refused events in the DLQ. It runs in the MWAA VPC's private
 * subnets with its own security group (egress HTTPS to the interface endpoints only), concurrency
 * bounded by the event source mapping (no reservation), its own encrypted log group, and a role scoped to exactly those resources plus the
 * network-interface changes every VPC-attached function makes, held to its own VPC.
 *
 * @example
 * new TriggerFunction(this, 'TriggerFunction', {
 *   names, encryptionKey: key, queue, packagePath: triggerZip,
 *   vpcId: network.mwaaVpc.vpcId, subnetIds: network.mwaaSubnetIds,
 *   endpointSecurityGroupId: network.endpointSecurityGroupId, logRetentionDays: 90,
 * });
 */
export class TriggerFunction extends Construct {
  readonly role: ScopedRole;
  readonly functionArn: string;
  readonly securityGroupId: string;

  constructor(scope: Construct, id: string, props: TriggerFunctionProps) {
    super(scope, id);
    const { names } = props;
    const env = names.env;
    const account = names.accountId('analytics');

    const logs = new CloudwatchLogGroup(this, 'LogGroup', {
      name: names.triggerLogGroup, retentionInDays: props.logRetentionDays, kmsKeyId: props.encryptionKey.keyArn,
    });

    this.role = new ScopedRole(this, 'Role', {
      roleName: names.triggerRoleName,
      accountId: account,
      partition: names.partition,
      description: `xetl ${env.name}: the trigger Lambda starts DAG runs in ${names.mwaaEnvironment} from marker events`,
      trustedServices: ['lambda.amazonaws.com'],
      serviceTrustConditions: { StringEquals: { 'aws:SourceAccount': account } },
    });
    const role = this.role;
    role.addToPrincipalPolicy({ Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${logs.arn}:*` });
    role.addToPrincipalPolicy({
      Sid: 'StartDagRunsBelowAdmin', Effect: 'Allow', Action: [...AIRFLOW_INVOKE_ACTIONS],
      Resource: names.mwaaRestApiRoleArn(props.airflowRole ?? 'User'),
    });
    // The function's network interfaces: their IDs are unknown up front, so each change is held to
    // the function's VPC (`ec2:Vpc`). A new interface's own ARN carries no VPC key yet: it is
    // allowed alone, and the subnet and security group it is made in must be in the VPC.
    const ec2 = (resource: string) => `arn:${names.partition}:ec2:${env.region}:${account}:${resource}`;
    const inVpc = { ArnEquals: { 'ec2:Vpc': ec2(`vpc/${props.vpcId}`) } };
    role.addToPrincipalPolicy({ Sid: 'NetworkInterfacesCreate', Effect: 'Allow', Action: [...LAMBDA_VPC_ENI_CREATE], Resource: ec2('network-interface/*') });
    role.addToPrincipalPolicy({
      Sid: 'NetworkInterfacesInOwnVpc', Effect: 'Allow', Action: [...LAMBDA_VPC_ENI_CREATE],
      Resource: [ec2('security-group/*'), ec2('subnet/*')], Condition: inVpc,
    });
    role.addToPrincipalPolicy({ Sid: 'NetworkInterfacesManage', Effect: 'Allow', Action: [...LAMBDA_VPC_ENI_ACTIONS], Resource: ec2('network-interface/*'), Condition: inVpc });
    // Describe calls have no resource type in IAM: only "*" grants them.
    role.addToPrincipalPolicy({ Sid: 'DescribeNetwork', Effect: 'Allow', Action: [...LAMBDA_VPC_DESCRIBE], Resource: '*' });
    props.queue.grantConsume(role);
    props.queue.grantSendToDeadLetter(role);
    // Environment variables are encrypted with the CMK; the function decrypts them through Lambda.
    props.encryptionKey.grantDecrypt([role], { viaService: `lambda.${env.region}.amazonaws.com`, sid: `${id}EnvironmentVariables` });

    const sg = new SecurityGroup(this, 'SecurityGroup', {
      name: names.securityGroupName('trigger'),
      description: 'xetl trigger Lambda: HTTPS to the interface endpoints only (MWAA env, SQS)',
      vpcId: props.vpcId,
      tags: { Name: names.securityGroupName('trigger') },
    });
    new VpcSecurityGroupEgressRule(this, 'ToEndpoints', {
      securityGroupId: sg.id, description: 'HTTPS to the interface endpoints (airflow.env, sqs)',
      ipProtocol: 'tcp', fromPort: HTTPS, toPort: HTTPS, referencedSecurityGroupId: props.endpointSecurityGroupId,
    });
    this.securityGroupId = sg.id;

    const asset = new TerraformAsset(this, 'Package', { path: props.packagePath, type: AssetType.FILE });
    const fn = new LambdaFunction(this, 'Function', {
      functionName: names.triggerFunctionName,
      description: `xetl ${env.name}: marker event -> one ${names.mwaaEnvironment} DAG run (docs/event-trigger.md)`,
      role: role.roleArn,
      runtime: 'python3.12',
      handler: 'xetl_trigger.handler.handler',
      filename: asset.path,
      sourceCodeHash: createHash('sha256').update(fs.readFileSync(props.packagePath)).digest('base64'),
      architectures: ['arm64'],
      memorySize: 256,
      timeout: props.timeoutSeconds ?? 30,
      kmsKeyArn: props.encryptionKey.keyArn,
      vpcConfig: { subnetIds: [...props.subnetIds], securityGroupIds: [sg.id] },
      loggingConfig: { logFormat: 'Text', logGroup: logs.name },
      // Async invocations only (the queue has its own DLQ); set so nothing is ever dropped silently.
      deadLetterConfig: { targetArn: props.queue.deadLetterQueueArn },
      tracingConfig: { mode: 'PassThrough' },
      environment: {
        variables: {
          // The handler starts runs of this DAG (pipeline contract); it refuses to start without it.
          XETL_DAG_ID: PIPELINE_DAG_ID,
          MWAA_ENVIRONMENT: names.mwaaEnvironment,
          DLQ_URL: props.queue.deadLetterQueueUrl,
          SOURCE_BUCKET: names.sourceBucket,
          SOURCE_PREFIX: names.productsPrefix,
        },
      },
      // The role's permissions must exist before Lambda validates the role and the VPC access.
      dependsOn: [logs, ...role.dependables],
    });
    this.functionArn = fn.arn;

    new LambdaEventSourceMapping(this, 'FromQueue', {
      eventSourceArn: props.queue.queueArn,
      functionName: fn.arn,
      batchSize: 10,
      maximumBatchingWindowInSeconds: 1,
      functionResponseTypes: ['ReportBatchItemFailures'],
      // Bounds concurrency without reserving any (see `maximumConcurrency`).
      scalingConfig: { maximumConcurrency: props.maximumConcurrency ?? 2 },
      // Parked, nothing polls: events wait in the queue for MWAA to come back.
      ...(props.park ? { enabled: props.park.enabled } : {}),
      // Creating the mapping checks that the role may read the queue.
      dependsOn: [...role.dependables, ...(props.mappingDependsOn ?? [])],
    });
  }
}
