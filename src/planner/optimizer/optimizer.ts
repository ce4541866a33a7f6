// The optimizer driver: runs the rule batches (registered in ./batches.ts) in order, each to
// its strategy, skipping disabled rules. After every rule it checks the invariant that the
// plan's output schema did not change; a rule that breaks it, or throws, is named in the error.
import { schemaOf } from '../analyzer.js';
import type { LogicalPlan } from '../logical.js';
import type { Schema } from '../types.js';
import { BATCHES, ALL_RULE_NAMES } from './batches.js';
import type { Batch, RuleTrace } from './rule.js';

export const MAX_ITERATIONS = 100;

export interface OptimizeResult {
  readonly plan: LogicalPlan;
  readonly trace: readonly RuleTrace[];
}

export function optimize(
  plan: LogicalPlan,
  disabledRules: readonly string[] = [],
  batches: readonly Batch[] = BATCHES,
): OptimizeResult {
  for (const name of disabledRules) {
    if (!ALL_RULE_NAMES.includes(name)) {
      throw new Error(`unknown optimizer rule '${name}' in disabledRules; known rules: ${ALL_RULE_NAMES.join(', ')}`);
    }
  }
  const disabled = new Set(disabledRules);
  const expected = shape(schemaOf(plan));
  const trace: RuleTrace[] = [];
  let current = plan;
  for (const batch of batches) {
    const limit = batch.strategy === 'once' ? 1 : MAX_ITERATIONS;
    for (let iteration = 1; iteration <= limit; iteration++) {
      let changed = false;
      for (const rule of batch.rules) {
        if (disabled.has(rule.name)) continue;
        let next: LogicalPlan;
        try {
          next = rule.apply(current);
        } catch (err) {
          throw new Error(`optimizer rule '${rule.name}' failed: ${(err as Error).message}`, { cause: err });
        }
        if (next === current) continue;
        const got = shape(schemaOf(next));
        if (got !== expected) {
          throw new Error(`optimizer rule '${rule.name}' changed the output schema from [${expected}] to [${got}]`);
        }
        trace.push({ batch: batch.name, rule: rule.name, iteration });
        current = next;
        changed = true;
      }
      if (!changed) break;
    }
  }
  return { plan: current, trace };
}

/** Names and types; nullability may legitimately narrow (a folded constant is never NULL). */
function shape(s: Schema): string {
  return s.map((f) => `${f.name}: ${f.type}`).join(', ');
}
