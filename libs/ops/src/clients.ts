import { createHash, createHmac } from 'node:crypto';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { GlueClient } from '@aws-sdk/client-glue';
import { KMSClient } from '@aws-sdk/client-kms';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Checksum, SourceData } from '@smithy/types';
import { XetlError, EXIT } from './errors';

/** Environment variable that points every client at an emulator, like `--endpoint-url`. */
export const ENDPOINT_ENV = 'XETL_AWS_ENDPOINT_URL';
/** Set by the test setup: building a client without an endpoint then throws instead of calling AWS. */
export const FORBID_REAL_AWS_ENV = 'XETL_FORBID_REAL_AWS';

export interface ClientOptions {
  readonly region: string;
  /** Emulator or VPC endpoint URL; overrides every service's endpoint. */
  readonly endpointUrl?: string;
  /** Explicit credentials (e.g. from an assumed role); default: the SDK's default chain. */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Named profile of the shared config files (`--profile`); wins over AWS_PROFILE, as in the AWS CLI. */
  readonly profile?: string;
}

/** `--endpoint-url` wins over `XETL_AWS_ENDPOINT_URL`; empty strings count as unset. */
export function resolveEndpointUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = flag || env[ENDPOINT_ENV] || undefined;
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new XetlError(`invalid endpoint URL "${value}"; give a full URL such as http://127.0.0.1:5000`, EXIT.usage);
  }
  return value.replace(/\/+$/, '');
}

/** One request to the Airflow REST API through MWAA's `InvokeRestApi`. */
export interface RestApiRequest {
  readonly path: string;
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  readonly query?: Record<string, string | number>;
  readonly body?: unknown;
}
export interface RestApiResponse {
  /** Airflow's own HTTP status (MWAA wraps it). */
  readonly status: number;
  readonly body: unknown;
}
/** The seam the trigger and status commands use; tests replace it (there is no MWAA in moto). */
export interface AirflowApi {
  invoke(request: RestApiRequest): Promise<RestApiResponse>;
}

/**
 * Every AWS client xetl uses, built one way: region from the config, credentials from the
 * default chain unless given, and the endpoint override applied to all of them.
 */
export class AwsClients {
  private readonly cache = new Map<string, unknown>();

  constructor(readonly options: ClientOptions) {
    if (!options.endpointUrl && process.env[FORBID_REAL_AWS_ENV]) {
      throw new Error(`refusing to build AWS clients without an endpoint while ${FORBID_REAL_AWS_ENV} is set (tests must never reach AWS)`);
    }
  }

  private common() {
    const { region, endpointUrl, credentials, profile } = this.options;
    return {
      region,
      ...(endpointUrl ? { endpoint: endpointUrl } : {}),
      ...(credentials ? { credentials } : profile ? { profile } : {}),
    };
  }

  private get<T>(key: string, make: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, make());
    return this.cache.get(key) as T;
  }

  // Emulators serve every bucket on one host, so virtual-hosted addressing cannot work there.
  get s3(): S3Client {
    return this.get('s3', () => new S3Client({ ...this.common(), forcePathStyle: Boolean(this.options.endpointUrl) }));
  }
  get glue(): GlueClient {
    return this.get('glue', () => new GlueClient(this.common()));
  }
  get redshiftServerless(): RedshiftServerlessClient {
    return this.get('rss', () => new RedshiftServerlessClient(this.common()));
  }
  get redshiftData(): RedshiftDataClient {
    return this.get('rsd', () => new RedshiftDataClient(this.common()));
  }
  get secrets(): SecretsManagerClient {
    return this.get('sm', () => new SecretsManagerClient(this.common()));
  }
  get sts(): STSClient {
    return this.get('sts', () => new STSClient(this.common()));
  }
  get sqs(): SQSClient {
    return this.get('sqs', () => new SQSClient(this.common()));
  }
  get kms(): KMSClient {
    return this.get('kms', () => new KMSClient(this.common()));
  }
  get logs(): CloudWatchLogsClient {
    return this.get('logs', () => new CloudWatchLogsClient(this.common()));
  }
  get ssm(): SSMClient {
    return this.get('ssm', () => new SSMClient(this.common()));
  }
  // Loaded on first use: the SDK's largest client adds 0.15-0.4 s to every command's start, and
  // only doctor's endpoint check needs it.
  get ec2(): EC2Client {
    return this.get('ec2', () => {
      const { EC2Client: Client } = require('@aws-sdk/client-ec2') as typeof import('@aws-sdk/client-ec2');
      return new Client(this.common());
    });
  }
  /** The Airflow REST API of one MWAA environment. */
  airflow(environmentName: string): AirflowApi {
    return this.get(`mwaa:${environmentName}`, () => new MwaaRestApi(environmentName, this.options, this.sts));
  }
  /**
   * MWAA `GetEnvironment`'s status of one environment (CREATING, AVAILABLE, DELETING, ...), or null
   * when there is none (a parked environment). `GET /environments/{Name}` on the `api.` host.
   */
  async mwaaEnvironmentStatus(environmentName: string): Promise<string | null> {
    const { status, json } = await signedMwaaRequest(this.options, this.sts, 'api', 'GET', `/environments/${encodeURIComponent(environmentName)}`);
    if (status === 404) return null;
    const environment = (json as { Environment?: { Status?: string } }).Environment;
    return environment?.Status ?? 'UNKNOWN';
  }
}

class NodeSha256 implements Checksum {
  private hash;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh() {
    return this.secret ? createHmac('sha256', Buffer.from(this.secret as Uint8Array)) : createHash('sha256');
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/**
 * One request to MWAA's API, signed by hand (SigV4, service "airflow", restJson1): the registry's
 * newest @aws-sdk/client-mwaa (3.523.0) predates InvokeRestApi, and xetl needs only two calls.
 * `host` is the operation's host prefix: `api` (environment management) or `env` (InvokeRestApi).
 * Credentials come from the same chain as the other clients (borrowed from STS's). Errors other
 * than 404 are thrown with MWAA's error type as the name; a 404 is returned for the caller to read.
 */
async function signedMwaaRequest(
  options: ClientOptions, sts: STSClient, host: 'api' | 'env', method: 'GET' | 'POST', path: string, payload?: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const base = options.endpointUrl ?? `https://${host}.airflow.${options.region}.amazonaws.com`;
  const url = new URL(`${base}${path}`);
  const signer = new SignatureV4({ service: 'airflow', region: options.region, credentials: sts.config.credentials, sha256: NodeSha256 });
  const signed = await signer.sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    headers: { host: url.host, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(payload !== undefined ? { body: payload } : {}),
  });
  const res = await fetch(url, { method, headers: signed.headers as Record<string, string>, ...(payload !== undefined ? { body: payload } : {}) });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!res.ok && res.status !== 404 && typeof json.RestApiStatusCode !== 'number') {
    const type = res.headers.get('x-amzn-errortype')?.split(':')[0] ?? `HTTP ${res.status}`;
    const err = new Error(`${type}: ${(json.message ?? json.Message ?? text).toString().split('\n')[0]}`);
    Object.assign(err, { name: type, $metadata: { httpStatusCode: res.status } });
    throw err;
  }
  return { status: res.status, json };
}

/** MWAA `InvokeRestApi`: POST /restapi/{Name} on the `env.` host. */
class MwaaRestApi implements AirflowApi {
  constructor(
    private readonly name: string,
    private readonly options: ClientOptions,
    private readonly sts: STSClient,
  ) {}

  async invoke(request: RestApiRequest): Promise<RestApiResponse> {
    const payload = JSON.stringify({
      Path: request.path,
      Method: request.method,
      ...(request.query ? { QueryParameters: request.query } : {}),
      ...(request.body !== undefined ? { Body: request.body } : {}),
    });
    const { status, json } = await signedMwaaRequest(this.options, this.sts, 'env', 'POST', `/restapi/${encodeURIComponent(this.name)}`, payload);
    // Airflow's errors arrive as RestApiClientException/RestApiServerException with the real status.
    if (typeof json.RestApiStatusCode === 'number') {
      return { status: json.RestApiStatusCode, body: json.RestApiResponse };
    }
    if (status === 404) {
      const err = new Error(`ResourceNotFoundException: ${(json.message ?? json.Message ?? 'not found').toString().split('\n')[0]}`);
      Object.assign(err, { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
      throw err;
    }
    return { status, body: json };
  }
}
