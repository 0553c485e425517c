/**
 * What the workflows need from xetl.config.ts, so they never repeat it:
 *   stack-info.ts --env dev --side analytics   # key=value lines for $GITHUB_OUTPUT
 *   stack-info.ts --matrix [--event <name>]     # the plan jobs' matrix (JSON); pull_request: dev-like environments only
 *   stack-info.ts --variables                   # `gh variable set` lines for every CI role
 */
import { ConfigError, loadConfig } from '@xetl/config';
import { planMatrix, roleVariableCommands, stackInfo, toOutputs } from '../stack-info';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

try {
  const config = loadConfig();
  if (process.argv.includes('--matrix')) {
    process.stdout.write(JSON.stringify(planMatrix(config, { pullRequest: arg('--event') === 'pull_request' })) + '\n');
  } else if (process.argv.includes('--variables')) {
    process.stdout.write(roleVariableCommands(config).join('\n') + '\n');
  } else {
    const env = arg('--env');
    const side = arg('--side');
    if (!env || !side) throw new Error('usage: stack-info.ts --env <environment> --side <source|analytics> | --matrix | --variables');
    process.stdout.write(toOutputs(stackInfo(config, env, side)));
  }
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `stack-info: ${(err as Error).message}`);
  process.exit(2);
}
