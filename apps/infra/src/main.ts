/**
 * The cdktf app: reads the typed config and adds one stack per account and environment.
 * `XETL_ENV=dev` limits synthesis to one environment; `XETL_CONFIG` points at another config file.
 * A config error prints one line per problem, naming the field, and exits before any output.
 */
import { App } from 'cdktf';
import { ConfigError, loadConfig } from '@xetl/config';
import { addEnvironmentStacks, environmentsToSynth } from '@xetl/stacks';

function main(): void {
  try {
    // Everything that can fail on config runs before App exists: App creates the output folder.
    const envs = environmentsToSynth(loadConfig(), process.env.XETL_ENV || undefined);
    const app = new App();
    addEnvironmentStacks(app, envs);
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
