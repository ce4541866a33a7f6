// Logical → physical. Each logical node maps to the operators that run it; aggregates and
// global limits are split around an Exchange (partial work before the shuffle boundary, final
// work after it) — MapReduce's map-side combine.
import { schemaOf } from '../analyzer.js';
import type { LogicalPlan } from '../logical.js';
import { estimate } from '../statistics.js';
import { assertNever } from '../types.js';
import { type PhysicalPlan, numPartitions } from './physical.js';
import { planScan } from './scan-planning.js';
import { definitions, substitute } from '../rules/substitute.js';

export interface PlannerOptions {
  /** Worker threads: scans aim for at least this many partitions. */
  readonly parallelism: number;
  /** Partitions after a hash shuffle. */
  readonly shufflePartitions: number;
}

export function toPhysical(p: LogicalPlan, opts: PlannerOptions): PhysicalPlan {
  const schema = schemaOf(p);
  const est = estimate(p);
  switch (p.kind) {
    case 'scan': {
      const sp = planScan(p.source, p.filters, opts.parallelism);
      return {
        kind: 'FileScan', schema, est, format: p.source.format, root: p.source.root, partitions: sp.partitions,
        dataSchema: p.source.dataSchema, partitionSchema: p.source.partitionSchema,
        columns: schema.map((f) => f.name), pushedFilters: p.filters, options: p.source.options,
        filesTotal: sp.filesTotal, rowGroupsTotal: sp.rowGroupsTotal, rowGroupsRead: sp.rowGroupsRead,
      };
    }
    case 'local':
      return { kind: 'LocalTableScan', schema, est, id: p.id, name: p.name, partitions: p.partitions };
    case 'range':
      return { kind: 'Range', schema, est, start: p.start, end: p.end, step: p.step, partitions: p.partitions };
    case 'project':
      return { kind: 'Project', schema, est, input: toPhysical(p.input, opts), exprs: p.exprs };
    case 'filter':
      return { kind: 'Filter', schema, est, input: toPhysical(p.input, opts), condition: p.condition };
    case 'mapUdf':
      return { kind: 'MapUdf', schema, est, input: toPhysical(p.input, opts), udf: p.udf, source: p.source, ctx: p.ctx, udfId: p.udfId };
    case 'aggregate': {
      if (p.groupBy.length > 0) {
        throw new Error('groupBy with keys needs the hash shuffle, which is not built yet');
      }
      // Fusion: the aggregate computes its arguments inside its own loop, so a Project right
      // below it (the optimizer has already merged chains of them) is folded into the
      // arguments, and nothing is materialized between the two.
      let below = p.input;
      let aggs = p.aggs;
      if (below.kind === 'project') {
        const defs = definitions(below.exprs);
        aggs = aggs.map((a) => substitute(a, defs));
        below = below.input;
      }
      const input = toPhysical(below, opts);
      const aggInputSchema = schemaOf(below);
      const partial: PhysicalPlan = {
        kind: 'HashAggregate', schema, est: { ...est, rows: numPartitions(input) }, input, mode: 'partial',
        groupBy: p.groupBy, aggs, aggInputSchema,
      };
      const exchange: PhysicalPlan = { kind: 'Exchange', schema, est: partial.est, input: partial, partitioning: { kind: 'single' } };
      return { kind: 'HashAggregate', schema, est, input: exchange, mode: 'final', groupBy: p.groupBy, aggs, aggInputSchema };
    }
    case 'limit': {
      const input = toPhysical(p.input, opts);
      if (numPartitions(input) <= 1) return { kind: 'GlobalLimit', schema, est, input, n: p.n };
      const local: PhysicalPlan = { kind: 'LocalLimit', schema, est, input, n: p.n };
      const exchange: PhysicalPlan = { kind: 'Exchange', schema, est, input: local, partitioning: { kind: 'single' } };
      return { kind: 'GlobalLimit', schema, est, input: exchange, n: p.n };
    }
    case 'union':
      return { kind: 'Union', schema, est, inputs: p.inputs.map((x) => toPhysical(x, opts)) };
    default: return assertNever(p, 'plan node');
  }
}
