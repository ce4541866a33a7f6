// Runs a stage's operator tree for one partition, as a pull-based stream of batches.
import type { PhysicalPlan } from '../../planner/physical/physical.js';
import { numPartitions } from '../../planner/physical/physical.js';
import { assertNever } from '../../planner/types.js';
import type { Batch } from '../batch.js';
import type { TaskEnv } from './env.js';
import { runAggregate } from './aggregate.js';
import { runFileScan } from './file-scan.js';
import { runFilter } from './filter.js';
import { runLimit } from './limit.js';
import { runLocalScan } from './local-scan.js';
import { runMapUdf } from './map-udf.js';
import { runProject } from './project.js';
import { runRange } from './range.js';
import { runBroadcastRead, runShuffleRead } from './shuffle-read.js';
import { coalescedPartitions } from '../partition-map.js';
import { runSort } from './sort.js';
import { runJoin } from './join.js';

export async function* runPlan(p: PhysicalPlan, partition: number, env: TaskEnv): AsyncGenerator<Batch> {
  switch (p.kind) {
    case 'FileScan': yield* runFileScan(p, partition, env); return;
    case 'LocalTableScan': yield* runLocalScan(p, partition, env); return;
    case 'Range': yield* runRange(p, partition, env); return;
    case 'ShuffleRead': yield* runShuffleRead(p, partition, env); return;
    case 'BroadcastRead': yield* runBroadcastRead(p, env); return;
    case 'CoalescePartitions':
      for (const q of coalescedPartitions(numPartitions(p.input), p.n, partition)) yield* runPlan(p.input, q, env);
      return;
    case 'Sort': yield* runSort(p, runPlan(p.input, partition, env), env); return;
    case 'BroadcastHashJoin': case 'ShuffledHashJoin': case 'SortMergeJoin':
      yield* runJoin(p, partition, env, runPlan);
      return;
    case 'Filter': yield* runFilter(p, runPlan(p.input, partition, env)); return;
    case 'Project': yield* runProject(p, runPlan(p.input, partition, env)); return;
    case 'MapUdf': yield* runMapUdf(p, runPlan(p.input, partition, env), env); return;
    case 'HashAggregate':
      // Whole-stage fusion of Filter → partial aggregate: one loop tests and accumulates.
      if (p.mode === 'partial' && p.input.kind === 'Filter') {
        yield* runAggregate(p, runPlan(p.input.input, partition, env), env, p.input.condition);
      } else {
        yield* runAggregate(p, runPlan(p.input, partition, env), env);
      }
      return;
    case 'LocalLimit': case 'GlobalLimit': yield* runLimit(p.n, runPlan(p.input, partition, env)); return;
    case 'Union': {
      let at = partition;
      for (const child of p.inputs) {
        const n = numPartitions(child);
        if (at < n) { yield* runPlan(child, at, env); return; }
        at -= n;
      }
      // A one-task parent (GlobalLimit, or a Sort under it) over a union whose inputs have no
      // partitions at all (empty Parquet files) reads partition 0: empty, as a FileScan's is.
      if (partition === 0 && at === 0) return;
      throw new Error(`internal: union has no partition ${partition}`);
    }
    case 'Exchange': case 'BroadcastExchange':
      throw new Error(`internal: a ${p.kind} reached a worker; the stage splitter should have cut it`);
    default: assertNever(p, 'physical operator');
  }
}
