/**
 * The cdktf app: reads the typed config and adds one stack per account and environment.
 * `XETL_ENV=dev` limits synthesis to one environment; `XETL_CONFIG` points at another config file.
 * A config error prints one line per problem, naming the field, and exits before any output.
 */
import { App } from 'cdktf';
import { ConfigError, loadConfig } from '@xetl/config';
import { addEnvironmentStacks } from '@xetl/stacks';

function main(): void {
  try {
    const config = loadConfig();
    const app = new App();
    addEnvironmentStacks(app, config, process.env.XETL_ENV || undefined);
    app.synth();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}

main();
