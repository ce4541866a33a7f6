// The tiny interface every optimizer rule implements (one rule a file, in ../rules/).
import type { LogicalPlan } from '../logical.js';

export interface Rule {
  /** Stable name; `Session.create({ disabledRules: [name] })` switches the rule off. */
  readonly name: string;
  /** Returns the rewritten plan, or the very same object when nothing applied. */
  apply(plan: LogicalPlan): LogicalPlan;
}

export interface Batch {
  readonly name: string;
  /** 'once' runs the rules one time; 'fixedPoint' repeats until no rule changes the plan. */
  readonly strategy: 'once' | 'fixedPoint';
  readonly rules: readonly Rule[];
}

/** One rule application that changed the plan, for explain('extended') and debugging. */
export interface RuleTrace {
  readonly batch: string;
  readonly rule: string;
  readonly iteration: number;
}
