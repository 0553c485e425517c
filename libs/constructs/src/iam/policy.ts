import { Lazy } from 'cdktf';

/** One IAM policy statement, as AWS reads it. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: '*' | { readonly AWS?: string | string[]; readonly Service?: string | string[]; readonly Federated?: string };
  readonly Action: string | string[];
  readonly Resource?: string | string[];
  /** Every resource but these (Deny statements only, in xetl). */
  readonly NotResource?: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

/**
 * A policy document that grows while constructs are wired together and renders once, at synth.
 * Grants from several places end up in the one policy a resource can carry.
 */
export class PolicyDocument {
  private readonly statements: PolicyStatement[] = [];

  constructor(initial: readonly PolicyStatement[] = []) {
    initial.forEach((s) => this.add(s));
  }

  add(statement: PolicyStatement): void {
    // Sorting actions makes the rendered JSON stable, so plans show no spurious diffs.
    const actions = Array.isArray(statement.Action) ? [...statement.Action].sort() : statement.Action;
    this.statements.push({ ...statement, Action: actions });
  }

  get isEmpty(): boolean {
    return this.statements.length === 0;
  }

  toJson(): string {
    return JSON.stringify({ Version: '2012-10-17', Statement: this.statements });
  }

  /** A token resolved at synth, after every grant has been added. */
  lazyJson(): string {
    return Lazy.stringValue({ produce: () => this.toJson() });
  }
}
