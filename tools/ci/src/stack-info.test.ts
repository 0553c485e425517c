import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { loadConfig } from '@xetl/config';
import { planMatrix, roleVariable, roleVariableCommands, stackInfo } from './stack-info';

const config = loadConfig();
const repo = path.resolve(__dirname, '../../..');

describe('stack info from xetl.config.ts', () => {
  test('names the stack, region and role variables of one account', () => {
    expect(stackInfo(config, 'prod', 'analytics')).toEqual({
      stack: 'xetl-prod-analytics', region: 'eu-west-1', account: '555555555555',
      planRoleArn: 'arn:aws:iam::555555555555:role/xetl-prod-cicd-plan',
      deployRoleArn: 'arn:aws:iam::555555555555:role/xetl-prod-cicd-deploy',
      planRoleVar: 'XETL_PROD_ANALYTICS_PLAN_ROLE_ARN', deployRoleVar: 'XETL_PROD_ANALYTICS_DEPLOY_ROLE_ARN',
    });
  });

  test('refuses environments without cicd and unknown sides', () => {
    expect(() => stackInfo(config, 'local', 'source')).toThrow('environment "local" has no cicd section');
    expect(() => stackInfo(config, 'dev', 'both')).toThrow('unknown side "both"');
  });

  test('the plan matrix covers both accounts of every environment with cicd', () => {
    expect(planMatrix(config).include).toEqual([
      { environment: 'dev', side: 'source' }, { environment: 'dev', side: 'analytics' },
      { environment: 'stage', side: 'source' }, { environment: 'stage', side: 'analytics' },
      { environment: 'prod', side: 'source' }, { environment: 'prod', side: 'analytics' },
    ]);
    expect(roleVariable('dev', 'source', 'plan')).toBe('XETL_DEV_SOURCE_PLAN_ROLE_ARN');
    // Pull requests plan only environments whose plan role trusts them (dev): stage and prod trust main alone.
    expect(planMatrix(config, { pullRequest: true }).include).toEqual([{ environment: 'dev', side: 'source' }, { environment: 'dev', side: 'analytics' }]);
    expect(roleVariableCommands(config)).toContain('gh variable set XETL_DEV_SOURCE_DEPLOY_ROLE_ARN --body arn:aws:iam::111111111111:role/xetl-dev-cicd-deploy');
  });

  test('the CLI prints the pull-request matrix for --event pull_request', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'tools/ci/src/bin/stack-info.ts', '--matrix', '--event', 'pull_request'], { cwd: repo, encoding: 'utf8' });
    expect(JSON.parse(out).include.map((m: { environment: string }) => m.environment)).toEqual(['dev', 'dev']);
  });

  test('the CLI writes $GITHUB_OUTPUT lines', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'tools/ci/src/bin/stack-info.ts', '--env', 'dev', '--side', 'source'], { cwd: repo, encoding: 'utf8' });
    expect(out).toBe('stack=xetl-dev-source\nregion=eu-west-1\naccount=111111111111\nplan-role-var=XETL_DEV_SOURCE_PLAN_ROLE_ARN\ndeploy-role-var=XETL_DEV_SOURCE_DEPLOY_ROLE_ARN\n');
  });
});
