import { ConfigError, validateConfig, selectEnvironment } from './validate';
import type { EnvironmentInput } from './types';

const state = {
  source: { bucket: 'state-a-111111111111', dynamodbTable: 'locks' },
  analytics: { bucket: 'state-b-222222222222', dynamodbTable: 'locks' },
};
const valid: EnvironmentInput = {
  region: 'eu-west-1',
  accounts: { source: '111111111111', analytics: '222222222222' },
  state,
};

function problemsOf(env: Record<string, unknown>, name = 'dev'): string[] {
  try {
    validateConfig({ environments: { [name]: env } });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message.split('\n');
  }
  return [];
}

describe('a valid environment', () => {
  test('gets every default filled in', () => {
    const [env] = validateConfig({ environments: { dev: valid } }).environments;
    expect(env).toMatchObject({
      name: 'dev',
      namePrefix: 'xetl',
      network: { mwaaVpcCidr: '10.20.0.0/16', redshiftVpcCidr: '10.30.0.0/16', endpointAzs: 2 },
      redshift: { baseCapacity: 8, maxCapacity: 32, databaseName: 'dev', dailyRpuHoursLimit: 48, rpuLimitBreachAction: 'log' },
      mwaa: {
        environmentClass: 'mw1.small', airflowVersion: '3.0.6',
        logLevels: { dagProcessing: 'WARNING', scheduler: 'INFO', task: 'INFO', webserver: 'WARNING', worker: 'INFO' },
      },
      parkable: false,
      glue: { workerType: 'G.1X', numberOfWorkers: 2, executionClass: 'STANDARD' },
      airflow: { secretsPrefix: 'airflow' },
      allowDestroyData: false,
    });
    expect(env.state?.source).toEqual({ bucket: 'state-a-111111111111', dynamodbTable: 'locks', region: 'eu-west-1', keyPrefix: 'xetl' });
  });

  test("derives each account's state bucket and lock table from Naming when not given", () => {
    const [env] = validateConfig({ environments: { dev: { ...valid, state: undefined } } }).environments;
    expect(env.state).toEqual({
      source: { bucket: 'xetl-tfstate-111111111111-eu-west-1', dynamodbTable: 'xetl-tfstate-lock', region: 'eu-west-1', keyPrefix: 'xetl' },
      analytics: { bucket: 'xetl-tfstate-222222222222-eu-west-1', dynamodbTable: 'xetl-tfstate-lock', region: 'eu-west-1', keyPrefix: 'xetl' },
    });
  });

  test('a state override wins, per side and per field; the derived name follows the state region', () => {
    const [env] = validateConfig({ environments: { dev: { ...valid, state: { source: { bucket: 'my-state' }, analytics: { region: 'us-east-1' } } } } }).environments;
    expect(env.state?.source).toEqual({ bucket: 'my-state', dynamodbTable: 'xetl-tfstate-lock', region: 'eu-west-1', keyPrefix: 'xetl' });
    expect(env.state?.analytics.bucket).toBe('xetl-tfstate-222222222222-us-east-1');
  });

  test('an emulator-only environment has no remote state', () => {
    const [env] = validateConfig({ environments: { local: { ...valid, state: undefined, localOnly: true } } }).environments;
    expect(env.state).toBeUndefined();
  });

  test('keeps values the user set, including falsy ones', () => {
    const [env] = validateConfig({ environments: { dev: { ...valid, allowDestroyData: false, airflow: { sensorTimeoutSeconds: 60 } } } }).environments;
    expect(env.allowDestroyData).toBe(false);
    expect(env.airflow.sensorTimeoutSeconds).toBe(60);
  });

  test('has no Glue retry setting: Airflow owns retries, the job never retries itself', () => {
    expect(() => validateConfig({ environments: { dev: { ...valid, glue: { maxRetries: 1 } } } }))
      .toThrow('environments.dev.glue.maxRetries: unknown setting (expected one of: workerType, numberOfWorkers, executionClass, timeoutMinutes)');
  });

  test('merges MWAA log levels per type: setting one keeps the defaults of the others', () => {
    const [env] = validateConfig({ environments: { dev: { ...valid, mwaa: { logLevels: { scheduler: 'WARNING' } } } } }).environments;
    expect(env.mwaa.logLevels).toEqual({ dagProcessing: 'WARNING', scheduler: 'WARNING', task: 'INFO', webserver: 'WARNING', worker: 'INFO' });
  });

  test("the shipped dev is the cheap one: endpoints in one AZ, a deactivating RPU limit, quiet MWAA logs but task logs at INFO, parkable", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const shipped = validateConfig(require('../../../xetl.config').default);
    const dev = selectEnvironment(shipped, 'dev');
    expect(dev.network.endpointAzs).toBe(1);
    expect(dev.redshift).toMatchObject({ dailyRpuHoursLimit: 12, rpuLimitBreachAction: 'deactivate' });
    expect(dev.mwaa.logLevels).toEqual({ dagProcessing: 'WARNING', scheduler: 'WARNING', task: 'INFO', webserver: 'WARNING', worker: 'WARNING' });
    expect(dev.parkable).toBe(true);
    // prod stays always on, in two AZs.
    expect(selectEnvironment(shipped, 'prod')).toMatchObject({ parkable: false, network: { endpointAzs: 2 } });
  });

  test('may use one account for both sides', () => {
    expect(() => validateConfig({ environments: { dev: { ...valid, accounts: { source: '111111111111', analytics: '111111111111' } } } })).not.toThrow();
  });

  test('the shipped xetl.config.ts is valid and has local, dev, stage and prod', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const shipped = require('../../../xetl.config').default;
    const names = validateConfig(shipped).environments.map((e) => e.name);
    expect(names).toEqual(['local', 'dev', 'stage', 'prod']);
  });
});

describe('a config error names the field', () => {
  test.each([
    [{ ...valid, accounts: { source: '12345', analytics: '222222222222' } }, 'environments.dev.accounts.source: "12345" is not a 12-digit AWS account ID'],
    [{ ...valid, accounts: { source: '111111111111' } }, 'environments.dev.accounts.analytics: is required'],
    [{ ...valid, region: 'europe' }, 'environments.dev.region: "europe" is not an AWS region'],
    [{ ...valid, network: { mwaaVpcCidr: '10.0.0.0/16', redshiftVpcCidr: '10.0.128.0/17' } }, 'environments.dev.network.redshiftVpcCidr: 10.0.128.0/17 overlaps mwaaVpcCidr 10.0.0.0/16'],
    [{ ...valid, network: { mwaaVpcCidr: '10.0.0.1/16' } }, 'environments.dev.network.mwaaVpcCidr: 10.0.0.1/16: host bits are set; did you mean 10.0.0.0/16?'],
    [{ ...valid, network: { mwaaVpcCidr: '300.0.0.0/16' } }, 'environments.dev.network.mwaaVpcCidr: "300.0.0.0/16" is not an IPv4 CIDR block'],
    [{ ...valid, network: { mwaaVpcCidr: '8.8.0.0/16' } }, 'environments.dev.network.mwaaVpcCidr: 8.8.0.0/16 is not in a private range'],
    [{ ...valid, namePrefix: 'My_Prefix' }, 'environments.dev.namePrefix: "My_Prefix" is not 2-12 lowercase letters'],
    [{ ...valid, redshift: { baseCapacity: 12 } }, 'environments.dev.redshift.baseCapacity: 12 must be 4 or a multiple of 8'],
    [{ ...valid, glue: { workerType: 'G.4X', executionClass: 'FLEX' } }, 'environments.dev.glue.executionClass: FLEX runs only on G.1X and G.2X workers'],
    [{ ...valid, retention: { logRetentionDays: 10 } }, 'environments.dev.retention.logRetentionDays: 10 must be one of'],
    [{ ...valid, retention: { quarantineDays: 0 } }, 'environments.dev.retention.quarantineDays: 0 must be a whole number from 1 to 3650'],
    [{ ...valid, retention: { glueTempDays: 1.5 } }, 'environments.dev.retention.glueTempDays: 1.5 must be a whole number from 1 to 3650'],
    [{ ...valid, notifications: { emails: ['not-an-email'] } }, 'environments.dev.notifications.emails[0]: "not-an-email" is not an e-mail address'],
    [{ ...valid, state: { ...state, source: { bucket: 'Bad_Bucket', dynamodbTable: 'locks' } } }, 'environments.dev.state.source.bucket: "Bad_Bucket" is not a valid S3 bucket name'],
    [{ ...valid, regoin: 'eu-west-1' }, 'environments.dev.regoin: unknown setting'],
    [{ ...valid, mwaa: { enviromentClass: 'mw1.small' } }, 'environments.dev.mwaa.enviromentClass: unknown setting'],
    [{ ...valid, network: { endpointAzs: 3 } }, 'environments.dev.network.endpointAzs: 3 must be one of: 1, 2'],
    [{ ...valid, redshift: { dailyRpuHoursLimit: 0 } }, 'environments.dev.redshift.dailyRpuHoursLimit: 0 must be a whole number from 1 to 768'],
    [{ ...valid, redshift: { maxCapacity: 8, dailyRpuHoursLimit: 500 } }, 'environments.dev.redshift.dailyRpuHoursLimit: 500 must be a whole number from 1 to 192'],
    [{ ...valid, redshift: { rpuLimitBreachAction: 'stop' } }, 'environments.dev.redshift.rpuLimitBreachAction: "stop" must be one of: log, emit-metric, deactivate'],
    [{ ...valid, mwaa: { logLevels: { scheduler: 'QUIET' } } }, 'environments.dev.mwaa.logLevels.scheduler: "QUIET" must be one of: CRITICAL, ERROR, WARNING, INFO, DEBUG'],
    [{ ...valid, mwaa: { logLevels: { schedular: 'INFO' } } }, 'environments.dev.mwaa.logLevels.schedular: unknown setting (expected one of: dagProcessing, scheduler, task, webserver, worker)'],
    [{ ...valid, mwaa: { logLevels: 'WARNING' } }, 'environments.dev.mwaa.logLevels: must be an object'],
    [{ ...valid, parkable: 'yes' }, 'environments.dev.parkable: "yes" must be true or false'],
    [{ ...valid, localOnly: true, parkable: true }, 'environments.dev.parkable: a localOnly environment is never deployed to AWS: there is nothing to park'],
  ])('%#: %s', (env, expected) => {
    const problems = problemsOf(env as Record<string, unknown>);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`xetl config: ${expected}`);
  });

  test('an environment name that breaks naming rules', () => {
    expect(problemsOf({ ...valid }, 'Dev_1')[0]).toContain('environments.Dev_1: environment names are 2-10 lowercase letters');
  });

  test('derived names beyond S3 limits are reported against the prefix', () => {
    const problems = problemsOf({ ...valid, region: 'ap-southeast-2', namePrefix: 'abcdefghijkl' }, 'abcdefghij');
    expect(problems.some((p) => p.includes('environments.abcdefghij.namePrefix: derived bucket name') && p.includes('S3 allows 63'))).toBe(true);
  });

  test('missing environments', () => {
    expect(() => validateConfig({ environments: {} })).toThrow('xetl config: environments: is required and must name at least one environment');
  });

  test('two environments in one analytics account must not share Airflow secret names', () => {
    expect(() => validateConfig({ environments: { dev: valid, stage: valid } })).toThrow(
      'xetl config: environments.stage.airflow.secretsPrefix: "airflow" is already used by environment "dev"',
    );
    const { environments } = validateConfig({ environments: { dev: valid, stage: { ...valid, airflow: { secretsPrefix: 'airflow-stage' } } } });
    // The account's once-per-region settings (Glue Data Catalog encryption) belong to the first environment.
    expect(environments.map((e) => [e.name, e.ownsAccountSettings])).toEqual([['dev', true], ['stage', false]]);
  });

  test('every problem is reported, one line each', () => {
    const problems = problemsOf({ region: 'x', accounts: { source: '1', analytics: '2' }, state });
    expect(problems).toEqual([
      expect.stringContaining('environments.dev.region'),
      expect.stringContaining('environments.dev.accounts.source'),
      expect.stringContaining('environments.dev.accounts.analytics'),
    ]);
  });
});

describe('the chat block (notifications.chat)', () => {
  const slack = { slackTeamId: 'T07EA123LEP', slackChannelId: 'C07EZ1ABC23' };
  const teams = {
    teamsTenantId: '1b2c3d4e-5f60-4718-92a3-b4c5d6e7f809',
    teamsTeamId: '74361522-da01-538d-aa2e-ac7918c6bb92',
    teamsChannelId: '19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2',
  };
  const chatOf = (chat: Record<string, string> | undefined) =>
    validateConfig({ environments: { dev: { ...valid, notifications: { chat } } } }).environments[0].notifications.chat;

  test('is unset by default: no chat channel', () => {
    expect(validateConfig({ environments: { dev: valid } }).environments[0].notifications).toEqual({ emails: [] });
  });

  test('Slack, Teams or both, each platform with its IDs', () => {
    expect(chatOf(slack)).toEqual({ slack: { teamId: 'T07EA123LEP', channelId: 'C07EZ1ABC23' } });
    expect(chatOf(teams)).toEqual({ teams: { tenantId: teams.teamsTenantId, teamId: teams.teamsTeamId, channelId: teams.teamsChannelId } });
    expect(Object.keys(chatOf({ ...slack, ...teams })!)).toEqual(['slack', 'teams']);
  });

  test.each([
    [{}, 'environments.dev.notifications.chat: names no channel: give slackTeamId and slackChannelId, or teamsTenantId, teamsTeamId and teamsChannelId'],
    [{ slackTeamId: 'T07EA123LEP' }, 'environments.dev.notifications.chat.slackChannelId: is required with the other Slack IDs'],
    [{ ...teams, teamsTeamId: undefined }, 'environments.dev.notifications.chat.teamsTeamId: is required with the other Teams IDs'],
    [{ ...slack, slackTeamId: 't07ea123lep' }, 'environments.dev.notifications.chat.slackTeamId: "t07ea123lep" is not a Slack workspace ID'],
    [{ ...slack, slackChannelId: '#data-alerts' }, 'environments.dev.notifications.chat.slackChannelId: "#data-alerts" is not a Slack channel ID'],
    [{ ...teams, teamsTenantId: 'contoso' }, 'environments.dev.notifications.chat.teamsTenantId: "contoso" is not a tenant ID (UUID)'],
    [{ ...teams, teamsChannelId: '19:b6ef35dc@thread.tacv2' }, 'environments.dev.notifications.chat.teamsChannelId: "19:b6ef35dc@thread.tacv2" is not a URL-encoded Teams channel ID'],
    [{ ...slack, slackChanelId: 'C1' }, 'environments.dev.notifications.chat.slackChanelId: unknown setting (expected one of: slackTeamId, slackChannelId, teamsTenantId, teamsTeamId, teamsChannelId)'],
  ])('%#: a bad block is one line naming the field', (chat, expected) => {
    const problems = problemsOf({ ...valid, notifications: { chat } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`xetl config: ${expected}`);
  });
});

describe('selecting an environment', () => {
  const config = validateConfig({ environments: { dev: valid } });
  test('returns the named one', () => expect(selectEnvironment(config, 'dev').name).toBe('dev'));
  test('rejects an unknown one, listing the known', () => {
    expect(() => selectEnvironment(config, 'qa')).toThrow('xetl config: environment: unknown environment "qa" (known: dev)');
  });
});
