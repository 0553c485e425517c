import type { AccountSide } from '@xetl/config';
import type { AssumptionName, Assumptions } from './assumptions';
import type { PriceBasis } from './snapshot';

/** Always-on cost (per month) or the cost of one partition run. */
export type Part = 'idle' | 'run';

/** One priced component of one resource. */
export interface LineItem {
  readonly stack: string;
  readonly account: string;
  readonly region: string;
  /** Terraform address, e.g. `aws_kms_key.AnalyticsKey_3A713517`. */
  readonly address: string;
  readonly type: string;
  /** What is priced, e.g. "interface endpoint, 2 AZs". */
  readonly component: string;
  readonly part: Part;
  readonly quantity: number;
  /** Unit of the quantity, the same as the price's unit. */
  readonly unit: string;
  readonly priceKey: string;
  readonly unitPrice: number;
  /**
   * USD: per month for `idle`, per run for `run`; rounded to cents (idle) or hundredths of a
   * cent (run), and every total is the exact sum of these rounded figures.
   */
  readonly usd: number;
  /** Gone or idle when the environment is parked (MWAA, interface endpoints, the trigger's polling). */
  readonly parkable: boolean;
}

export interface TypeCount {
  readonly type: string;
  readonly count: number;
  readonly reason: string;
}

export interface UnpricedResource {
  readonly address: string;
  readonly type: string;
  readonly stack: string;
  readonly reason: string;
}

export interface AccountTotals {
  readonly account: string;
  readonly side?: AccountSide;
  readonly stacks: readonly string[];
  readonly idleMonthly: number;
  readonly perRun: number;
}

export interface UsedPrice {
  readonly region: string;
  readonly key: string;
  readonly usd: number;
  readonly unit: string;
  readonly basis: PriceBasis;
  readonly asOf: string;
  readonly source: string;
}

export interface Estimate {
  readonly environment: string;
  readonly stacks: readonly { readonly name: string; readonly account: string; readonly region: string; readonly side?: AccountSide }[];
  readonly snapshot: { readonly date: string; readonly source: string; readonly ageDays: number; readonly stale: boolean };
  /** The stacks carry the park switch: `xetl park` can delete what bills by the hour (config `parkable`). */
  readonly parkable: boolean;
  /** Priced as while parked (`xetl cost --parked`). */
  readonly parked: boolean;
  readonly assumptions: Assumptions;
  /** The assumptions some line of this estimate depends on. */
  readonly assumptionsUsed: readonly AssumptionName[];
  readonly lines: readonly LineItem[];
  readonly totals: {
    readonly idleMonthly: number;
    /**
     * Always-on cost with MWAA and the interface endpoints deleted and the trigger paused
     * (docs/cost.md, parking): what `xetl cost --parked` totals for a parkable environment.
     */
    readonly idleParkedMonthly: number;
    readonly perRun: number;
    readonly runsPerMonth: number;
    /** idleMonthly + runsPerMonth × perRun, rounded to cents. */
    readonly monthly: number;
    readonly byAccount: readonly AccountTotals[];
  };
  /** Resource types with no charge of their own, with why. */
  readonly free: readonly TypeCount[];
  /** Resources whose cost is part of another resource's lines. */
  readonly countedElsewhere: readonly TypeCount[];
  /** Resources (or components) the estimator could not price: never counted as zero. */
  readonly unpriced: readonly UnpricedResource[];
  readonly prices: readonly UsedPrice[];
  readonly warnings: readonly string[];
}
