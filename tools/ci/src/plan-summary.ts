/**
 * Turns `terraform show -json <planfile>` into the summary a reviewer reads on a pull request:
 * adds, changes, replacements and destroys per resource type, with every replacement and destroy
 * listed by address in a red (CAUTION) block.
 */

interface ResourceChange {
  readonly address: string;
  readonly type: string;
  readonly change: { readonly actions: readonly string[] };
}
export interface TerraformPlanJson {
  readonly resource_changes?: readonly ResourceChange[];
}

export type ChangeKind = 'add' | 'change' | 'replace' | 'destroy';
export interface TypeCounts { add: number; change: number; replace: number; destroy: number }
export interface PlanSummary {
  readonly totals: TypeCounts;
  readonly byType: Readonly<Record<string, TypeCounts>>;
  readonly replaced: readonly string[];
  readonly destroyed: readonly string[];
}

/** Terraform's action lists: ["create"], ["update"], ["delete"], ["delete","create"] or ["create","delete"] (replace), ["no-op"], ["read"]. */
export function kindOf(actions: readonly string[]): ChangeKind | undefined {
  const has = (a: string) => actions.includes(a);
  if (has('create') && has('delete')) return 'replace';
  if (has('create')) return 'add';
  if (has('delete')) return 'destroy';
  if (has('update')) return 'change';
  return undefined;
}

const zero = (): TypeCounts => ({ add: 0, change: 0, replace: 0, destroy: 0 });

export function summarizePlan(plan: TerraformPlanJson): PlanSummary {
  const totals = zero();
  const byType: Record<string, TypeCounts> = {};
  const replaced: string[] = [];
  const destroyed: string[] = [];
  for (const rc of plan.resource_changes ?? []) {
    const kind = kindOf(rc.change.actions);
    if (!kind) continue;
    totals[kind]++;
    (byType[rc.type] ??= zero())[kind]++;
    if (kind === 'replace') replaced.push(rc.address);
    if (kind === 'destroy') destroyed.push(rc.address);
  }
  return { totals, byType, replaced: replaced.sort(), destroyed: destroyed.sort() };
}

const cell = (n: number) => (n ? String(n) : '');

export function renderSummary(s: PlanSummary, options: { stack: string }): string {
  const t = s.totals;
  const head = `### \`${options.stack}\`: ${t.add} to add, ${t.change} to change, ${t.replace} to replace, ${t.destroy} to destroy`;
  if (t.add + t.change + t.replace + t.destroy === 0) return `${head}\n\nNo changes. The infrastructure matches the configuration.\n`;
  const lines = [head, '', '| resource type | add | change | replace | destroy |', '|---|--:|--:|--:|--:|'];
  for (const type of Object.keys(s.byType).sort()) {
    const c = s.byType[type];
    const flag = c.replace || c.destroy ? ' :red_circle:' : '';
    lines.push(`| \`${type}\`${flag} | ${cell(c.add)} | ${cell(c.change)} | ${cell(c.replace)} | ${cell(c.destroy)} |`);
  }
  if (s.replaced.length || s.destroyed.length) {
    lines.push('', '> [!CAUTION]', '> This plan replaces or destroys resources:');
    for (const a of s.replaced) lines.push(`> - :red_circle: **replace** \`${a}\``);
    for (const a of s.destroyed) lines.push(`> - :red_circle: **destroy** \`${a}\``);
  }
  return lines.join('\n') + '\n';
}
