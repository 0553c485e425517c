import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
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
    for (const c of [clients.s3, clients.glue, clients.redshiftServerless, clients.redshiftData, clients.secrets, clients.sts, clients.kms, clients.logs, clients.sqs, clients.ssm, clients.ec2]) {
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

describe('MWAA calls signed by hand (a local HTTP server stands in for MWAA: not in moto)', () => {
  const seen: Array<{ method?: string; url?: string; auth?: string; body: string }> = [];
  let server: http.Server;
  let endpoint = '';
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
        const reply = (status: number, json: unknown, type?: string) => {
          res.writeHead(status, { 'content-type': 'application/json', ...(type ? { 'x-amzn-errortype': type } : {}) });
          res.end(JSON.stringify(json));
        };
        if (req.url === '/environments/xetl-dev') return reply(200, { Environment: { Name: 'xetl-dev', Status: 'UPDATING' } });
        if (req.url === '/environments/gone') return reply(404, { Message: 'Environment gone not found' }, 'ResourceNotFoundException');
        if (req.url === '/environments/denied') return reply(403, { Message: 'not allowed' }, 'AccessDeniedException');
        if (req.url === '/restapi/xetl-dev') return reply(200, { RestApiStatusCode: 200, RestApiResponse: { dag_runs: [] } });
        return reply(404, { Message: 'no such environment' }, 'ResourceNotFoundException');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' });
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test("GetEnvironment: the status, null for an environment that does not exist (parked), an error named by MWAA's type", async () => {
    const clients = new AwsClients({ region: 'eu-west-1', endpointUrl: endpoint });
    expect(await clients.mwaaEnvironmentStatus('xetl-dev')).toBe('UPDATING');
    expect(await clients.mwaaEnvironmentStatus('gone')).toBeNull();
    await expect(clients.mwaaEnvironmentStatus('denied')).rejects.toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
    const get = seen.find((r) => r.url === '/environments/xetl-dev')!;
    expect(get.method).toBe('GET');
    expect(get.body).toBe('');
    expect(get.auth).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/airflow\/aws4_request, SignedHeaders=host;/);
  });

  test('InvokeRestApi: POST with the Airflow request as the body, the wrapped status unwrapped; a missing environment throws', async () => {
    const api = new AwsClients({ region: 'eu-west-1', endpointUrl: endpoint }).airflow('xetl-dev');
    expect(await api.invoke({ path: '/dags/x/dagRuns', method: 'GET', query: { state: 'running' } })).toEqual({ status: 200, body: { dag_runs: [] } });
    const post = seen.find((r) => r.url === '/restapi/xetl-dev')!;
    expect(post.method).toBe('POST');
    expect(JSON.parse(post.body)).toEqual({ Path: '/dags/x/dagRuns', Method: 'GET', QueryParameters: { state: 'running' } });
    const gone = new AwsClients({ region: 'eu-west-1', endpointUrl: endpoint }).airflow('gone');
    await expect(gone.invoke({ path: '/pools', method: 'GET' })).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
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
