import { loadConfig, selectEnvironment, ConfigError, Naming, type EnvironmentConfig } from '@xetl/config';
import { AwsClients, resolveEndpointUrl } from './clients';
import { XetlError, EXIT } from './errors';

/** What every command needs: the environment, its names, its clients and a clock. */
export interface OpsContext {
  readonly env: EnvironmentConfig;
  readonly names: Naming;
  readonly clients: AwsClients;
  readonly now: () => Date;
}

export interface ContextOptions {
  readonly envName: string;
  readonly endpointUrl?: string;
  readonly configPath?: string;
}

/** Loads the typed config, selects the environment and builds the clients; config errors exit 2. */
export function createContext(options: ContextOptions): OpsContext {
  let env: EnvironmentConfig;
  try {
    env = selectEnvironment(loadConfig(options.configPath), options.envName);
  } catch (err) {
    if (err instanceof ConfigError) {
      const [first] = err.problems;
      throw new XetlError(first?.field === 'environment' ? first.message : err.message.split('\n')[0], EXIT.usage);
    }
    throw err;
  }
  const endpointUrl = resolveEndpointUrl(options.endpointUrl);
  return { env, names: new Naming(env), clients: new AwsClients({ region: env.region, endpointUrl }), now: () => new Date() };
}

/** Names of the environments in the config, for help texts and errors. */
export function knownEnvironments(configPath?: string): string[] {
  return loadConfig(configPath).environments.map((e) => e.name);
}
