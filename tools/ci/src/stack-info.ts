import type { AccountSide, XetlConfig } from '@xetl/config';
import { Naming, selectEnvironment } from '@xetl/config';

export const SIDES: readonly AccountSide[] = ['source', 'analytics'];

/** What a CI job needs to plan or deploy one account's stack of one environment. */
export interface StackInfo {
  readonly stack: string;
  readonly region: string;
  readonly account: string;
  readonly planRoleArn: string;
  readonly deployRoleArn: string;
  /** Repository variable holding the plan role's ARN (`vars[...]` in the workflows). */
  readonly planRoleVar: string;
  readonly deployRoleVar: string;
}

/** Repository variable names: `XETL_<ENV>_<SIDE>_<PLAN|DEPLOY>_ROLE_ARN`. */
export function roleVariable(environment: string, side: AccountSide, kind: 'plan' | 'deploy'): string {
  return `XETL_${environment}_${side}_${kind}_ROLE_ARN`.toUpperCase();
}

export function stackInfo(config: XetlConfig, environment: string, side: string): StackInfo {
  if (!SIDES.includes(side as AccountSide)) throw new Error(`unknown side "${side}" (expected source or analytics)`);
  const env = selectEnvironment(config, environment);
  if (!env.cicd) throw new Error(`environment "${environment}" has no cicd section in xetl.config.ts`);
  const s = side as AccountSide;
  const names = new Naming(env);
  return {
    stack: names.stackName(s),
    region: env.region,
    account: names.accountId(s),
    planRoleArn: names.cicdPlanRoleArn(s),
    deployRoleArn: names.cicdDeployRoleArn(s),
    planRoleVar: roleVariable(env.name, s, 'plan'),
    deployRoleVar: roleVariable(env.name, s, 'deploy'),
  };
}

/**
 * The plan jobs' matrix: every account of every environment with `cicd`; for a pull request only
 * the environments whose plan role trusts pull requests (`cicd.pullRequestPlans`, dev).
 */
export function planMatrix(config: XetlConfig, options: { pullRequest?: boolean } = {}): { include: Array<{ environment: string; side: AccountSide }> } {
  return {
    include: config.environments
      .filter((e) => e.cicd && (!options.pullRequest || e.cicd.pullRequestPlans))
      .flatMap((e) => SIDES.map((side) => ({ environment: e.name, side }))),
  };
}

/** `gh variable set` lines for every role, to paste after the bootstrap stacks are applied. */
export function roleVariableCommands(config: XetlConfig): string[] {
  return planMatrix(config).include.flatMap(({ environment, side }) => {
    const i = stackInfo(config, environment, side);
    return [`gh variable set ${i.planRoleVar} --body ${i.planRoleArn}`, `gh variable set ${i.deployRoleVar} --body ${i.deployRoleArn}`];
  });
}

/** `key=value` lines for `$GITHUB_OUTPUT`. */
export function toOutputs(info: StackInfo): string {
  return [
    `stack=${info.stack}`, `region=${info.region}`, `account=${info.account}`,
    `plan-role-var=${info.planRoleVar}`, `deploy-role-var=${info.deployRoleVar}`,
  ].join('\n') + '\n';
}
