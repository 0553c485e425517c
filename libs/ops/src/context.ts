import { AWS_REGION_PATTERN, loadConfig, selectEnvironment, ConfigError, Naming, type EnvironmentConfig } from '@xetl/config';
import { AwsClients, resolveEndpointUrl, type AirflowApi } from './clients';
import { LocalAirflowApi } from './local-airflow';
import { XetlError, EXIT } from './errors';

/** What every command needs: the environment, its names, its clients and a clock. */
export interface OpsContext {
  readonly env: EnvironmentConfig;
  readonly names: Naming;
  readonly clients: AwsClients;
  readonly now: () => Date;
  /**
   * The Airflow that runs the DAG: MWAA's REST API through InvokeRestApi, or, for an emulator-only
   * environment (`localOnly`), the Airflow of `npm run local` (libs/ops/src/local-airflow.ts).
   */
  readonly airflow: () => AirflowApi;
}

export interface ContextOptions {
  readonly envName: string;
  readonly endpointUrl?: string;
  readonly configPath?: string;
  /** `--profile`: named profile of the shared AWS config files. */
  readonly profile?: string;
  /** `--region`: overrides the environment's region for every call, as in the AWS CLI. */
  readonly region?: string;
}

/**
 * One config error per line, each once, without a doubled "xetl config:" prefix (the CLI adds
 * its own "xetl <command>:").
 */
export function configErrorMessage(err: ConfigError): string {
  const lines = [...new Set(err.problems.map((p) => `${p.field}: ${p.message}`))];
  if (lines.length === 1) return `config: ${lines[0]}`;
  return [`config: ${lines.length} problems in xetl.config.ts`, ...lines.map((l) => `  ${l}`)].join('\n');
}

/** Loads the typed config, selects the environment and builds the clients; config errors exit 2. */
export function createContext(options: ContextOptions): OpsContext {
  let env: EnvironmentConfig;
  try {
    env = selectEnvironment(loadConfig(options.configPath), options.envName);
  } catch (err) {
    if (err instanceof ConfigError) {
      const [first] = err.problems;
      throw new XetlError(err.problems.length === 1 && first.field === 'environment' ? first.message : configErrorMessage(err), EXIT.usage);
    }
    throw err;
  }
  if (options.region !== undefined && !AWS_REGION_PATTERN.test(options.region)) {
    throw new XetlError(`--region must be an AWS region such as ${env.region}, got "${options.region}"`, EXIT.usage);
  }
  if (options.profile !== undefined && !options.profile.trim()) throw new XetlError('--profile needs a profile name', EXIT.usage);
  const endpointUrl = resolveEndpointUrl(options.endpointUrl);
  const clients = new AwsClients({ region: options.region ?? env.region, endpointUrl, ...(options.profile ? { profile: options.profile } : {}) });
  const names = new Naming(env);
  let local: LocalAirflowApi | undefined;
  const airflow = env.localOnly ? () => (local ??= new LocalAirflowApi()) : () => clients.airflow(names.mwaaEnvironment);
  return { env, names, clients, now: () => new Date(), airflow };
}

/** Names of the environments in the config, for help texts and errors. */
export function knownEnvironments(configPath?: string): string[] {
  return loadConfig(configPath).environments.map((e) => e.name);
}
