import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsClients, type AirflowApi, type RestApiRequest } from './clients';
import { manualRunId, renderTrigger, trigger } from './trigger';
import { motoContext } from './test-support/moto';
import { expectCliJson } from './test-support/json-schema';

/** There is no MWAA in moto: the Airflow API is replaced at the client seam. */
function stubAirflow(ctx: ReturnType<typeof motoContext>, answer: (r: RestApiRequest) => { status: number; body: unknown }) {
  const calls: RestApiRequest[] = [];
  const api: AirflowApi = { invoke: async (r) => (calls.push(r), answer(r)) };
  jest.spyOn(ctx, 'airflow').mockReturnValue(api);
  return calls;
}

describe('xetl trigger', () => {
  const ctx = () => motoContext('http://127.0.0.1:9', new Date('2026-11-22T07:08:09.123Z'));

  test('posts the Airflow 3 body with a deterministic run id and prints it (MWAA stubbed: not in moto)', async () => {
    const c = ctx();
    const calls = stubAirflow(c, (r) => ({ status: 200, body: { dag_run_id: (r.body as { dag_run_id: string }).dag_run_id, state: 'queued' } }));
    const r = await trigger(c, '2026-11-21');
    expect(calls).toEqual([{
      path: '/dags/xetl_products_pipeline/dagRuns',
      method: 'POST',
      body: { dag_run_id: 'manual__2026-11-21__20261122T070809Z', logical_date: null, conf: { partition: '2026-11-21' }, note: 'xetl trigger' },
    }]);
    expectCliJson('trigger', r);
    expect(renderTrigger(r)).toEqual([
      'triggered xetl_products_pipeline for partition 2026-11-21 in xetl-local',
      'run id: manual__2026-11-21__20261122T070809Z (queued)',
    ]);
  });

  test('409 is one clear line, exit 3 (MWAA stubbed: not in moto)', async () => {
    const c = ctx();
    stubAirflow(c, () => ({ status: 409, body: { detail: 'DAG run already exists' } }));
    const err = await trigger(c, '2026-11-21').catch((e) => e);
    expect(err.exitCode).toBe(3);
    expect(err.message).toBe('a DAG run manual__2026-11-21__20261122T070809Z already exists (Airflow 409: DAG run already exists); wait a second and trigger again, or see xetl status');
  });

  test('403 names the grant; a bad partition is a usage error (MWAA stubbed: not in moto)', async () => {
    const c = ctx();
    stubAirflow(c, () => ({ status: 403, body: { detail: 'Forbidden' } }));
    const denied = await trigger(c, '2026-11-21').catch((e) => e);
    expect(denied.exitCode).toBe(4);
    expect(denied.message).toContain('grant airflow:InvokeRestApi on arn:aws:airflow:us-east-1:123456789012:role/xetl-local/Op');
    const bad = await trigger(c, '2026-02-30').catch((e) => e);
    expect(bad.exitCode).toBe(2);
    expect(bad.message).toBe('--partition must be a real calendar day as YYYY-MM-DD, got "2026-02-30"');
  });

  test('run ids sort by partition, then time', () => {
    expect(manualRunId('2026-01-02', new Date('2026-01-03T00:00:00Z'))).toBe('manual__2026-01-02__20260103T000000Z');
  });

  test('the InvokeRestApi client signs a restJson1 POST /restapi/<env> for service "airflow" (loopback fake of MWAA)', async () => {
    const seen: { url?: string; auth?: string; body?: unknown } = {};
    const server = http.createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        Object.assign(seen, { url: req.url, auth: req.headers.authorization, body: JSON.parse(data) });
        const status = (seen.body as { Method: string }).Method === 'POST' ? 400 : 200;
        res.writeHead(status, { 'content-type': 'application/json', ...(status === 400 ? { 'x-amzn-errortype': 'RestApiClientException' } : {}) });
        res.end(JSON.stringify({ RestApiStatusCode: status === 400 ? 409 : 200, RestApiResponse: { detail: 'x' } }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const api = new AwsClients({ region: 'us-east-1', endpointUrl: endpoint }).airflow('xetl-local');
      const res = await api.invoke({ path: '/dags/d/dagRuns', method: 'GET', query: { limit: 5 } });
      expect(res).toEqual({ status: 200, body: { detail: 'x' } });
      expect(seen.url).toBe('/restapi/xetl-local');
      expect(seen.auth).toMatch(/^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/us-east-1\/airflow\/aws4_request, SignedHeaders=.*, Signature=[0-9a-f]{64}$/);
      expect(seen.body).toEqual({ Path: '/dags/d/dagRuns', Method: 'GET', QueryParameters: { limit: 5 } });
      // Airflow's own error status comes back through MWAA's RestApiClientException.
      await expect(api.invoke({ path: '/dags/d/dagRuns', method: 'POST', body: {} })).resolves.toEqual({ status: 409, body: { detail: 'x' } });
    } finally {
      server.close();
    }
  });
});
