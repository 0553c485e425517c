import { Construct } from 'constructs';
import { Fn, TerraformLocal, Token, ref, type IResolvable, type TerraformResource } from 'cdktf';
import { DataAwsSsmParametersByPath } from '@cdktf/provider-aws/lib/data-aws-ssm-parameters-by-path';
import { PARKED_COUNT, PARKED_ENABLED, PARKED_LOCAL } from '@xetl/config';
import type { ParkSwitchProps } from './park-switch-props';

/**
 * Whether the environment is parked, read at every plan from the SSM parameter
 * `names.parkParameter` (`xetl park` writes "true", `xetl unpark` "false"). The stack does not
 * own the parameter: it reads the parameter's folder with `GetParametersByPath`, which answers an
 * empty list when nothing was ever written, so a first deploy comes up unparked, and a plan by CI
 * or by hand sees the same switch without any variable to pass. Resources that park take
 * `count`; what pauses takes `enabled`; attributes of a resource that parks are read with
 * `attributeOf` (Terraform refuses a plain reference once `count` is set), "" while parked.
 *
 * @example
 * const park = new ParkSwitch(this, 'Park', { names });
 * new MwaaEnvironment(this, 'Environment', { ..., count: park.count });
 * new LambdaEventSourceMapping(this, 'FromQueue', { ..., enabled: park.enabled });
 */
export class ParkSwitch extends Construct {
  /** 0 while parked, 1 otherwise (`PARKED_COUNT`). */
  readonly count: number;
  /** false while parked, true otherwise (`PARKED_ENABLED`). */
  readonly enabled: IResolvable;
  /** The SSM parameter the switch reads. */
  readonly parameterName: string;
  readonly parked: TerraformLocal;

  constructor(scope: Construct, id: string, props: ParkSwitchProps) {
    super(scope, id);
    const { names } = props;
    this.parameterName = names.parkParameter;
    const folder = new DataAwsSsmParametersByPath(this, 'Parameters', { path: names.parkParameterPath, recursive: false });
    // `values` is sensitive in the provider; a count may not be. The switch itself is no secret.
    this.parked = new TerraformLocal(this, 'Parked',
      `\${lookup(zipmap(${folder.fqn}.names, nonsensitive(${folder.fqn}.values)), "${names.parkParameter}", "false") == "true"}`);
    // The estimator and the resources' expressions name the local exactly (libs/config park.ts).
    this.parked.overrideLogicalId(PARKED_LOCAL);
    this.count = Token.asNumber(PARKED_COUNT);
    this.enabled = Token.asAny(PARKED_ENABLED);
  }

  /** A string `attribute` of a resource that parks: its value while unparked, "" while parked. */
  static attributeOf(resource: TerraformResource, attribute: string): string {
    return Fn.join('', Token.asList(ref(`${resource.terraformResourceType}.${resource.friendlyUniqueId}[*].${attribute}`)));
  }
}
