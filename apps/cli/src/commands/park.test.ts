import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AwsClients, type AirflowApi } from '@xetl/ops';
import { LOOPBACK_ONLY_ENV, startMotoServer, type MotoServer } from '@xetl/testing';
import { expectCliJson } from '../../../../libs/ops/src/test-support/json-schema';
import { commandHelp, main } from '../main';

// No test may reach AWS: clients built without an endpoint throw, and credentials are dummies.
process.env.XETL_FORBID_REAL_AWS = '1';
Object.assign(process.env, LOOPBACK_ONLY_ENV);
delete process.env.XETL_AWS_ENDPOINT_URL;
jest.setTimeout(120_000);

async function xetl(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err };
}

describe('xetl park / unpark: refusals before any AWS call', () => {
  test.each(['park', 'unpark'])('%s --env prod: prod cannot park (config), exit 2, nothing called', async (cmd) => {
    // A closed port: any AWS call would fail with "unreachable", not this line.
    const r = await xetl([cmd, '--env', 'prod', '--endpoint-url', 'http://127.0.0.1:9']);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([`xetl ${cmd}: environment prod cannot ${cmd}: its config has parkable false (an always-on environment); set parkable: true in xetl.config.ts to allow it`]);
  });

  test('a bad --wait-minutes is a usage error', async () => {
    const r = await xetl(['unpark', '--env', 'dev', '--wait-minutes', '0']);
    expect(r).toMatchObject({ code: 2, err: ['xetl unpark: --wait-minutes must be a whole number from 1 to 240, got "0"'] });
  });

  test.each(['park', 'unpark'])('%s --help shows usage and examples', async (cmd) => {
    const r = await xetl([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(commandHelp(cmd));
    expect(r.out).toContain(`xetl ${cmd} --env dev --dry-run`);
  });
});

describe('xetl park --dry-run against moto_server as account B of dev (MWAA stubbed: not in moto)', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMotoServer('222222222222');
  });
  afterAll(() => moto.stop());

  test('checks identity and runs, prints the steps and the switch, writes nothing', async () => {
    const noRuns: AirflowApi = { invoke: async () => ({ status: 200, body: { dag_runs: [], total_entries: 0 } }) };
    const airflow = jest.spyOn(AwsClients.prototype, 'airflow').mockReturnValue(noRuns);
    const status = jest.spyOn(AwsClients.prototype, 'mwaaEnvironmentStatus').mockResolvedValue('AVAILABLE');
    try {
      const r = await xetl(['park', '--env', 'dev', '--dry-run', '--json', '--endpoint-url', moto.endpoint]);
      expect(r.err).toEqual([]);
      expect(r.code).toBe(0);
      const printed = JSON.parse(r.out);
      expectCliJson('park', printed);
      expect(printed).toMatchObject({ environment: 'dev', action: 'park', dry_run: true, parameter: '/xetl/dev/parked', previous_value: null, applied: [] });
      expect(printed.steps).toContain('synthesize this checkout: XETL_ENV=dev npm run synth');
      const text = await xetl(['unpark', '--env', 'dev', '--dry-run', '--endpoint-url', moto.endpoint]);
      expect(text.out.split('\n').slice(0, 2)).toEqual([
        'xetl unpark: dry run for dev (MWAA: AVAILABLE; switch /xetl/dev/parked: unset); would:',
        '  1. set /xetl/dev/parked to "false" (now unset)',
      ]);
      const ssm = new SSMClient({ region: 'eu-west-1', endpoint: moto.endpoint });
      await expect(ssm.send(new GetParameterCommand({ Name: '/xetl/dev/parked' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
    } finally {
      airflow.mockRestore();
      status.mockRestore();
    }
  });
});
