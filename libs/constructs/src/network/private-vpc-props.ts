export interface PrivateVpcProps {
  /** Name tag of the VPC, from `Naming.vpcName`. */
  readonly name: string;
  /** IPv4 block of the VPC, from `env.network`. */
  readonly cidrBlock: string;
  /** Availability zones, one private subnet in each, in order. */
  readonly availabilityZones: readonly string[];
  /**
   * Extra prefix bits of each subnet relative to the VPC block.
   * @default 4 — a /16 VPC yields /20 subnets (4091 addresses each), room for MWAA workers and
   * Redshift Serverless, which needs free addresses per RPU in every subnet.
   */
  readonly subnetNewBits?: number;
  /** Name of the (KMS-encrypted) CloudWatch log group the VPC's flow logs go to. */
  readonly flowLogGroupName: string;
  /** ARN of the same log group; the flow log delivers to it. */
  readonly flowLogGroupArn: string;
  /** Role the VPC Flow Logs service assumes to write to the log group. */
  readonly flowLogRoleArn: string;
}
