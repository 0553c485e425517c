import { IConstruct } from 'constructs';
import { Annotations, IAspect, TerraformStack } from 'cdktf';
import { GuardRule, securityFindings } from './security-findings';

const EXEMPTION = 'xetl:guard-exemption';

/**
 * Declares that `scope` (and everything below it) is exempt from one guard rule, with the reason.
 * The exemption lives in the construct that needs it, so a reviewer finds it next to the code.
 */
export function exemptFromGuard(scope: IConstruct, rule: GuardRule, reason: string): void {
  if (!reason.trim()) throw new Error(`exemption from ${rule} needs a reason`);
  scope.node.addMetadata(EXEMPTION, { rule, reason });
}

/**
 * Fails synthesis when a stack breaks xetl's security rules (see `security-findings.ts`): an
 * error annotation on the offending construct, which `app.synth()` and `cdktf synth` turn into a
 * failed synth naming that construct.
 *
 * @example
 * Aspects.of(stack).add(new SecurityGuards());
 */
export class SecurityGuards implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof TerraformStack)) return;
    const all = node.node.findAll();
    const exemptions = new Map<string, Set<GuardRule>>();
    for (const c of all) {
      for (const m of c.node.metadata) {
        if (m.type !== EXEMPTION) continue;
        const rules = exemptions.get(c.node.path) ?? new Set<GuardRule>();
        rules.add((m.data as { rule: GuardRule }).rule);
        exemptions.set(c.node.path, rules);
      }
    }
    const byPath = new Map(all.map((c) => [c.node.path, c]));
    for (const f of securityFindings(node.toTerraform(), exemptions)) {
      Annotations.of(byPath.get(f.path) ?? node).addError(`xetl security guard [${f.rule}] ${f.path}: ${f.message}`);
    }
  }
}
