import { AwsClients, FORBID_REAL_AWS_ENV, resolveEndpointUrl } from './clients';
import { createContext } from './context';
import { explainAwsError } from './errors';
import { parsePartition } from './partition';

describe('AWS client factory', () => {
  test('refuses to build clients without an endpoint in tests, so nothing can reach real AWS', () => {
    expect(process.env[FORBID_REAL_AWS_ENV]).toBe('1');
    expect(() => new AwsClients({ region: 'us-east-1' })).toThrow('refusing to build AWS clients without an endpoint');
    expect(() => createContext({ envName: 'local' })).toThrow('refusing to build AWS clients without an endpoint');
  });

  test('applies the endpoint override to every client, path-style for S3', async () => {
    const clients = new AwsClients({ region: 'us-east-1', endpointUrl: 'http://127.0.0.1:4566' });
    for (const c of [clients.s3, clients.glue, clients.redshiftServerless, clients.redshiftData, clients.secrets, clients.sts, clients.kms, clients.logs, clients.sqs]) {
      const ep = await c.config.endpoint!();
      expect(`${ep.protocol}//${ep.hostname}:${ep.port}`).toBe('http://127.0.0.1:4566');
      expect(await c.config.region()).toBe('us-east-1');
    }
    expect(clients.s3.config.forcePathStyle).toBe(true);
  });

  test('--endpoint-url wins over XETL_AWS_ENDPOINT_URL; a bad URL is a usage error', () => {
    expect(resolveEndpointUrl('http://a:1/', { XETL_AWS_ENDPOINT_URL: 'http://b:2' })).toBe('http://a:1');
    expect(resolveEndpointUrl(undefined, { XETL_AWS_ENDPOINT_URL: 'http://b:2' })).toBe('http://b:2');
    expect(resolveEndpointUrl(undefined, {})).toBeUndefined();
    expect(() => resolveEndpointUrl('localhost:5000', {})).toThrow(expect.objectContaining({ exitCode: 2 }));
  });

  test('--region overrides the environment\'s region for every call; --profile reaches every client', async () => {
    const ctx = createContext({ envName: 'dev', endpointUrl: 'http://127.0.0.1:9', region: 'eu-central-1', profile: 'ops' });
    expect(await ctx.clients.s3.config.region()).toBe('eu-central-1');
    expect(await ctx.clients.logs.config.region()).toBe('eu-central-1');
    expect(ctx.clients.options.profile).toBe('ops');
    expect((ctx.clients.sts.config as { profile?: string }).profile).toBe('ops');
    expect(await createContext({ envName: 'dev', endpointUrl: 'http://127.0.0.1:9' }).clients.s3.config.region()).toBe('eu-west-1');
    expect(() => createContext({ envName: 'dev', endpointUrl: 'http://127.0.0.1:9', region: 'europe' })).toThrow(
      expect.objectContaining({ exitCode: 2, message: '--region must be an AWS region such as eu-west-1, got "europe"' }),
    );
  });

  test('unknown environment is one line listing the known ones (exit 2)', () => {
    expect(() => createContext({ envName: 'nope', endpointUrl: 'http://127.0.0.1:9' })).toThrow(
      expect.objectContaining({ exitCode: 2, message: 'unknown environment "nope" (known: local, dev, stage, prod)' }),
    );
  });

  test('AWS errors become one line naming action and resource', () => {
    const denied = explainAwsError(Object.assign(new Error('x'), { name: 'AccessDeniedException' }), 'glue:GetCrawler', 'crawler c');
    expect(denied).toMatchObject({ exitCode: 4, message: 'access denied: glue:GetCrawler on crawler c; grant glue:GetCrawler on crawler c to the caller (or check the resource policy)' });
    const creds = explainAwsError(Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }), 'sts:GetCallerIdentity', '*');
    expect(creds.exitCode).toBe(4);
    expect(creds.message).toContain('no AWS credentials found');
    const html = explainAwsError(new SyntaxError('Unexpected token \'<\', "<!doctype "... is not valid JSON'), 'redshift-serverless:GetWorkgroup', 'workgroup w');
    expect(html).toMatchObject({ exitCode: 4, message: expect.stringContaining('does not emulate this service (moto has no Redshift Serverless or MWAA)') });
  });
});

describe('partition dates', () => {
  test('rejects impossible days as usage errors', () => {
    expect(parsePartition('2024-02-29').date).toBe('2024-02-29');
    for (const bad of ['2026-13-01', '2026-02-30', '2026-2-1', '', 'today']) {
      expect(() => parsePartition(bad)).toThrow(expect.objectContaining({ exitCode: 2 }));
    }
  });
});
