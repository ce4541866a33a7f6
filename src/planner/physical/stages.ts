// The stage splitter: cuts a physical plan at every Exchange. The subtree below an Exchange
// becomes a shuffle-map stage whose tasks partition their output into buckets; above it a
// ShuffleRead reads those buckets. Stages come out in an order where parents precede the
// stages that read them, and the last one is the result stage.
import { type PhysicalPlan, type Partitioning, numPartitions } from './physical.js';
import { assertNever } from '../types.js';

export interface Stage {
  readonly id: number;
  /** The operators this stage's tasks run, leaf to root; leaves are scans or ShuffleReads. */
  readonly plan: PhysicalPlan;
  readonly numTasks: number;
  /** Where the tasks' output goes: buckets of a shuffle, the driver (a result, or a broadcast side). */
  readonly output: { readonly kind: 'shuffle'; readonly partitioning: Partitioning } | { readonly kind: 'result' } | { readonly kind: 'broadcast' };
  /** Stages whose shuffle output this stage reads. */
  readonly parents: readonly number[];
}

export interface StagePlan {
  readonly stages: readonly Stage[];
  readonly resultStage: number;
}

export function splitStages(root: PhysicalPlan): StagePlan {
  const stages: Stage[] = [];
  const cut = (p: PhysicalPlan, parents: number[]): PhysicalPlan => {
    switch (p.kind) {
      case 'FileScan': case 'LocalTableScan': case 'Range': case 'ShuffleRead': case 'BroadcastRead': return p;
      case 'BroadcastExchange': {
        const mapParents: number[] = [];
        const child = cut(p.input, mapParents);
        const id = stages.length + 1;
        stages.push({ id, plan: child, numTasks: numPartitions(child), output: { kind: 'broadcast' }, parents: mapParents });
        parents.push(id);
        return { kind: 'BroadcastRead', schema: p.schema, est: p.est, stageId: id };
      }
      case 'Exchange': {
        const mapParents: number[] = [];
        const child = cut(p.input, mapParents);
        const id = stages.length + 1;
        stages.push({
          id, plan: child, numTasks: numPartitions(child),
          output: { kind: 'shuffle', partitioning: p.partitioning }, parents: mapParents,
        });
        parents.push(id);
        const n = p.partitioning.kind === 'single' ? 1 : p.partitioning.n;
        return { kind: 'ShuffleRead', schema: p.schema, est: p.est, stageId: id, partitions: n, partitioning: p.partitioning };
      }
      case 'Filter': case 'Project': case 'MapUdf': case 'HashAggregate': case 'LocalLimit': case 'GlobalLimit':
      case 'Sort': case 'CoalescePartitions': {
        const input = cut(p.input, parents);
        return input === p.input ? p : { ...p, input };
      }
      case 'BroadcastHashJoin': case 'ShuffledHashJoin': case 'SortMergeJoin': {
        const left = cut(p.left, parents);
        const right = cut(p.right, parents);
        return { ...p, left, right };
      }
      case 'Union': {
        const inputs = p.inputs.map((x) => cut(x, parents));
        return { ...p, inputs };
      }
      default: return assertNever(p, 'physical operator');
    }
  };
  const parents: number[] = [];
  const top = cut(root, parents);
  const id = stages.length + 1;
  stages.push({ id, plan: top, numTasks: numPartitions(top), output: { kind: 'result' }, parents });
  return { stages, resultStage: id };
}
