import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { PARKED_COUNT, PARKED_ENABLED, PARKED_LOCAL, applyDefaults, Naming } from '@xetl/config';
import { synthJson, testStack } from '../test-helpers';
import { ParkSwitch } from './park-switch';

const env = applyDefaults('dev', { region: 'eu-west-1', accounts: { source: '111111111111', analytics: '222222222222' }, parkable: true });
const names = new Naming(env);

function build() {
  const stack = testStack();
  const park = new ParkSwitch(stack, 'Park', { names });
  const queue = new SqsQueue(stack, 'Parks', { name: 'parks', count: park.count });
  new SqsQueue(stack, 'Uses', { name: 'uses', policy: ParkSwitch.attributeOf(queue, 'url') });
  return { park, json: synthJson(stack) as any };
}

describe('ParkSwitch', () => {
  const { park, json } = build();

  test("reads the switch's folder with GetParametersByPath, which answers an empty list before the first `xetl park`", () => {
    expect(Object.values(json.data.aws_ssm_parameters_by_path)).toEqual([{ path: '/xetl/dev', recursive: false }]);
    expect(park.parameterName).toBe('/xetl/dev/parked');
    // No aws_ssm_parameter resource: the stack never owns (or resets) the switch.
    expect(json.resource.aws_ssm_parameter).toBeUndefined();
  });

  test('is parked only when the parameter reads exactly "true"; absent or anything else is unparked', () => {
    const [id] = Object.keys(json.data.aws_ssm_parameters_by_path);
    const folder = `data.aws_ssm_parameters_by_path.${id}`;
    expect(json.locals).toEqual({
      [PARKED_LOCAL]: `\${lookup(zipmap(${folder}.names, nonsensitive(${folder}.values)), "/xetl/dev/parked", "false") == "true"}`,
    });
  });

  test('gives resources the count and flag expressions the cost estimator recognises (libs/config park.ts)', () => {
    expect(json.resource.aws_sqs_queue.Parks.count).toBe(PARKED_COUNT);
    expect(PARKED_COUNT).toBe('${local.xetl_parked ? 0 : 1}');
    expect(PARKED_ENABLED).toBe('${local.xetl_parked ? false : true}');
  });

  test("reads a parked resource's attribute over its instances: the value, or \"\" while parked", () => {
    expect(json.resource.aws_sqs_queue.Uses.policy).toBe('${join("", aws_sqs_queue.Parks[*].url)}');
  });
});
