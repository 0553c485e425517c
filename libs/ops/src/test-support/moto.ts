import { Readable } from 'node:stream';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Naming, loadConfig, selectEnvironment } from '@xetl/config';
import { startMotoServer, type MotoServer } from '@xetl/testing';
import { AwsClients } from '../clients';
import type { OpsContext } from '../context';

export const ACCOUNT = '123456789012';
/** The `local` environment of xetl.config.ts: the one the emulator stands in for. */
export const localEnv = () => selectEnvironment(loadConfig(), 'local');

/** A context whose every client points at `endpoint` (a moto_server on loopback). */
export function motoContext(endpoint: string, now = new Date('2026-11-21T10:00:00Z')): OpsContext {
  const env = localEnv();
  const names = new Naming(env);
  const clients = new AwsClients({ region: env.region, endpointUrl: endpoint });
  // MWAA's API, stubbed per test (there is no MWAA in moto); the local Airflow has its own tests.
  return { env, names, clients, now: () => now, airflow: () => clients.airflow(names.mwaaEnvironment) };
}

/** One moto_server for a test file; started in beforeAll, stopped in afterAll. */
export function useMoto(): { readonly server: () => MotoServer } {
  let server: MotoServer | undefined;
  beforeAll(async () => {
    server = await startMotoServer(ACCOUNT);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });
  return {
    server: () => {
      if (!server) throw new Error('moto_server is not running');
      return server;
    },
  };
}

/** Resets moto's state between tests so each test starts from an empty account. */
export async function resetMoto(endpoint: string): Promise<void> {
  await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
}

export function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'xetl-ops-'));
}

export const HEADER = 'product_id,product_name,category,price,quantity,updated_at';

/**
 * moto's Redshift Data answers `CreatedAt`/`UpdatedAt` as ISO strings where the awsJson protocol
 * (and so SDK v3) expects epoch seconds. This test-only middleware rewrites the raw response
 * before the SDK deserializes it; nothing else about moto's answer changes.
 */
export function acceptMotoRedshiftDataTimestamps(client: { middlewareStack: { add: Function } }): void {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<{ response: { body: unknown; headers: Record<string, string> } }>) => async (args: unknown) => {
      const result = await next(args);
      const chunks: Buffer[] = [];
      for await (const c of result.response.body as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
      const text = Buffer.concat(chunks).toString('utf8').replace(
        /"(CreatedAt|UpdatedAt)":\s*"([^"]+)"/g,
        (_m, k: string, v: string) => `"${k}": ${Date.parse(v.endsWith('Z') ? v : `${v}Z`) / 1000}`,
      );
      const fixed = Buffer.from(text);
      result.response.body = Readable.from([fixed]);
      result.response.headers['content-length'] = String(fixed.length);
      return result;
    },
    { step: 'deserialize', name: 'acceptMotoRedshiftDataTimestamps', priority: 'low' },
  );
}
