import { Naming } from './naming';
import { subnetCidrs } from './cidr';
import { validateConfig } from './validate';

const [env] = validateConfig({
  environments: {
    dev: {
      region: 'eu-west-1',
      accounts: { source: '111111111111', analytics: '222222222222' },
      state: {
        source: { bucket: 'state-a-111111111111', dynamodbTable: 'locks' },
        analytics: { bucket: 'state-b-222222222222', dynamodbTable: 'locks' },
      },
    },
  },
}).environments;
const names = new Naming(env);

describe('Naming', () => {
  test('names stacks by environment and account side', () => {
    expect(names.stackName('source')).toBe('xetl-dev-source');
    expect(names.stackName('analytics')).toBe('xetl-dev-analytics');
  });

  test('puts account and region in bucket names so they are globally unique', () => {
    expect(names.sourceBucket).toBe('xetl-dev-source-111111111111-eu-west-1');
    expect(names.targetBucket).toBe('xetl-dev-target-111111111111-eu-west-1');
    expect(names.stagingBucket).toBe('xetl-dev-staging-222222222222-eu-west-1');
  });

  test('starts the MWAA bucket with "airflow-", as MWAA requires', () => {
    expect(names.airflowBucket).toBe('airflow-xetl-dev-222222222222-eu-west-1');
  });

  test('computes cross-account ARNs from config alone', () => {
    expect(names.unloadRoleArn).toBe('arn:aws:iam::111111111111:role/xetl-dev-unload');
    expect(names.redshiftRoleArn).toBe('arn:aws:iam::222222222222:role/xetl-dev-redshift');
    expect(names.unloadRoleChain).toBe('arn:aws:iam::222222222222:role/xetl-dev-redshift,arn:aws:iam::111111111111:role/xetl-dev-unload');
    expect(names.dataKeyAliasArn).toBe('arn:aws:kms:eu-west-1:111111111111:alias/xetl-dev-data');
  });

  test('keeps Airflow secrets under the configured prefix', () => {
    expect(names.pipelineVariableSecret).toBe('airflow/variables/xetl_pipeline');
    expect(names.airflowConnectionsPrefix).toBe('airflow/connections');
  });

  test("puts the park switch in the environment's own SSM folder", () => {
    expect(names.parkParameterPath).toBe('/xetl/dev');
    expect(names.parkParameter).toBe('/xetl/dev/parked');
    // GetParametersByPath is authorised on the folder's own parameter ARN.
    expect(names.parkParameterPathArn).toBe('arn:aws:ssm:eu-west-1:222222222222:parameter/xetl/dev');
  });

  test('uses underscores where Glue wants them', () => {
    expect(names.glueDatabase).toBe('xetl_dev');
  });

  test('uses the partition of the region', () => {
    const gov = new Naming({ ...env, region: 'us-gov-west-1' });
    expect(gov.unloadRoleArn).toBe('arn:aws-us-gov:iam::111111111111:role/xetl-dev-unload');
  });

  test('has no problems with default names', () => {
    expect(names.problems()).toEqual([]);
  });
});

describe('subnetCidrs', () => {
  test('carves consecutive equal subnets', () => {
    expect(subnetCidrs('10.30.0.0/16', 4, 3)).toEqual(['10.30.0.0/20', '10.30.16.0/20', '10.30.32.0/20']);
  });
  test('refuses more subnets than fit', () => {
    expect(() => subnetCidrs('10.30.0.0/22', 1, 3)).toThrow('cannot hold 3');
  });
});
