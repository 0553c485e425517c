import * as fs from 'node:fs';
import * as path from 'node:path';
import endpoints from './aws-provider-endpoints.json';

/** File name Terraform merges over the synthesized stack (`*_override.tf.json`). */
export const EMULATOR_OVERRIDE_FILE = 'zz_emulator_override.tf.json';

export interface EmulatorOverrideOptions {
  /** Base URL of the emulator, e.g. http://127.0.0.1:4566. Must be a loopback address. */
  readonly endpoint: string;
  /** Local state file; replaces the stack's S3 backend. */
  readonly statePath: string;
}

/**
 * The provider and backend override that points every one of the provider's service endpoints
 * at the emulator, with dummy credentials and local state, so a plan or apply cannot reach AWS.
 */
export function emulatorOverride(options: EmulatorOverrideOptions): object {
  const url = new URL(options.endpoint);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw new Error(`emulator endpoint must be on loopback, got ${options.endpoint}`);
  }
  const all = Object.fromEntries(endpoints.keys.map((k) => [k, options.endpoint]));
  return {
    terraform: { backend: { local: { path: options.statePath } } },
    provider: {
      aws: [{
        access_key: 'test',
        secret_key: 'test',
        skip_metadata_api_check: true,
        skip_region_validation: true,
        s3_use_path_style: true,
        endpoints: [all],
      }],
    },
  };
}

/**
 * Proxy settings that send anything not addressed to loopback into a closed port: a second
 * fence in case a request escapes the endpoint overrides.
 */
export const LOOPBACK_ONLY_ENV: NodeJS.ProcessEnv = {
  HTTP_PROXY: 'http://127.0.0.1:9',
  HTTPS_PROXY: 'http://127.0.0.1:9',
  NO_PROXY: '127.0.0.1,localhost,::1',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
};

export function writeEmulatorOverride(stackDir: string, options: EmulatorOverrideOptions): string {
  const file = path.join(stackDir, EMULATOR_OVERRIDE_FILE);
  fs.writeFileSync(file, JSON.stringify(emulatorOverride(options), null, 1));
  return file;
}
