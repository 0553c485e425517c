import { Construct } from 'constructs';
import { Aspects, LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { AccountSide, EnvironmentConfig, Naming } from '@xetl/config';
import { RolePermissionsBoundary, SecurityGuards } from '@xetl/constructs';

/**
 * What every xetl stack shares: one AWS provider pinned to the side's account (so a deploy with
 * the wrong credentials stops before it changes anything), default tags, and the state backend
 * for that account and environment, the security guards that fail synth on an insecure resource, and
 * (for environments CI deploys) the CI permissions boundary on every role.
 */
export abstract class XetlStack extends TerraformStack {
  readonly names: Naming;
  readonly accountId: string;

  protected constructor(scope: Construct, readonly env: EnvironmentConfig, readonly side: AccountSide) {
    const names = new Naming(env);
    super(scope, names.stackName(side));
    this.names = names;
    this.accountId = names.accountId(side);

    new AwsProvider(this, 'aws', {
      region: env.region,
      allowedAccountIds: [this.accountId],
      defaultTags: [{
        tags: { project: 'xetl', environment: env.name, stack: names.stackName(side), 'managed-by': 'cdktf' },
      }],
    });

    Aspects.of(this).add(new SecurityGuards());
    // CI deploys this stack: every role in it carries the boundary the deploy role may only create
    // roles with (the bootstrap stack's; docs/security.md). Emulator-only environments have none.
    if (env.cicd) Aspects.of(this).add(new RolePermissionsBoundary(names.cicdPermissionsBoundaryArn(side)));

    const stackName = names.stackName(side);
    if (env.state) {
      const state = env.state[side];
      new S3Backend(this, {
        bucket: state.bucket,
        key: `${state.keyPrefix}/${env.name}/${stackName}.tfstate`,
        region: state.region,
        dynamodbTable: state.dynamodbTable,
        encrypt: true,
      });
    } else {
      // Emulator-only environments keep state beside the local run's other throwaway files.
      new LocalBackend(this, { path: `../../../.work/terraform-state/${stackName}.tfstate` });
    }
  }
}
