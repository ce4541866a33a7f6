// The three physical joins, over the join kernels:
//   BroadcastHashJoin  the broadcast side's hash table is built once per worker and job, and
//                      shared by every task of the stage; each task streams its partition of
//                      the other side through it.
//   ShuffledHashJoin   each task builds a table of its partition of the build side (both sides
//                      were hash-partitioned alike) and streams the other side's partition;
//                      a build side past the task's memory share turns the task into a
//                      sort-merge join that spills (join-fallback.ts).
//   SortMergeJoin      both inputs arrive sorted on the keys (Sort below each side) and are merged.
// Output columns follow the USING join: keys once (coalesced from both sides for a full
// join), then the left's other columns, then the right's; semi and anti joins output the left.
import type { PhysicalPlan } from '../../planner/physical/physical.js';
import { type Batch, batchBytes, numRows, own } from '../batch.js';
import { JoinHashTable } from '../kernels/join-hash-table.js';
import { HashJoinProber } from '../kernels/join-probe.js';
import type { JoinOutput, JoinSpec } from '../kernels/join-types.js';
import { mergeJoin } from '../kernels/merge-join.js';
import type { TaskEnv } from './env.js';
import { sortMergeFallback } from './join-fallback.js';

type JoinNode = Extract<PhysicalPlan, { kind: 'BroadcastHashJoin' | 'ShuffledHashJoin' | 'SortMergeJoin' }>;
type RunPlan = (p: PhysicalPlan, partition: number, env: TaskEnv) => AsyncGenerator<Batch>;

/** The kernels' spec for a USING join node. */
export function joinSpecOf(p: JoinNode): JoinSpec {
  const ls = p.left.schema, rs = p.right.schema;
  const idx = (s: typeof ls, name: string) => s.findIndex((f) => f.name === name);
  const leftKeys = p.on.map((k) => idx(ls, k));
  const rightKeys = p.on.map((k) => idx(rs, k));
  let outputs: JoinOutput[];
  if (p.how === 'semi' || p.how === 'anti') {
    outputs = ls.map((_, col) => ({ side: 'left', col }));
  } else {
    const keySide = p.how === 'right' ? 'right' : 'left';
    outputs = [
      ...p.on.map((k): JoinOutput => ({ side: keySide, col: idx(keySide === 'left' ? ls : rs, k) })),
      ...ls.map((f, col): JoinOutput | null => (p.on.includes(f.name) ? null : { side: 'left', col })).filter((x): x is JoinOutput => x !== null),
      ...rs.map((f, col): JoinOutput | null => (p.on.includes(f.name) ? null : { side: 'right', col })).filter((x): x is JoinOutput => x !== null),
    ];
  }
  return {
    how: p.how, leftSchema: ls, rightSchema: rs, leftKeys, rightKeys, outputs,
    coalesceKeys: p.how === 'full', outputSchema: p.schema,
  };
}

// Broadcast tables built in this worker, by job and broadcast stage: built on first use,
// shared by later tasks of the same job, dropped when a new job starts.
let tableJob = -1;
const tables = new Map<number, Promise<JoinHashTable>>();

async function collect(it: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of it) if (numRows(b) > 0) out.push(own(b));
  return out;
}

export async function* runJoin(p: JoinNode, partition: number, env: TaskEnv, runPlan: RunPlan): AsyncGenerator<Batch> {
  const spec = joinSpecOf(p);
  if (p.kind === 'SortMergeJoin') {
    yield* mergeJoin(runPlan(p.left, partition, env), runPlan(p.right, partition, env), spec);
    return;
  }
  const buildPlan = p.buildSide === 'left' ? p.left : p.right;
  const streamPlan = p.buildSide === 'left' ? p.right : p.left;
  const buildKeys = p.buildSide === 'left' ? spec.leftKeys : spec.rightKeys;
  let table: JoinHashTable;
  // The table counts against the task's memory share (a broadcast table is shared by the
  // worker's tasks, but each of them holds it while it runs).
  const held = env.memory.consumer(`${p.kind} table`);
  if (p.kind === 'BroadcastHashJoin') {
    if (buildPlan.kind !== 'BroadcastRead') throw new Error('internal: a broadcast join without its BroadcastRead');
    if (tableJob !== env.msg.jobId) { tables.clear(); tableJob = env.msg.jobId; }
    let pending = tables.get(buildPlan.stageId);
    if (!pending) {
      const stageId = buildPlan.stageId;
      pending = collect(runPlan(buildPlan, 0, env)).then((bs) => JoinHashTable.build(bs, buildKeys, buildPlan.schema));
      // A failed build is not kept: a retried task on this worker builds again.
      pending.catch(() => { if (tables.get(stageId) === pending) tables.delete(stageId); });
      tables.set(stageId, pending);
    }
    table = await pending;
  } else {
    // Collect the build side while it fits; past the task's share, join by sorting instead.
    const it = runPlan(buildPlan, partition, env)[Symbol.asyncIterator]();
    const collected: Batch[] = [];
    for (;;) {
      const r = await it.next();
      if (r.done) break;
      if (numRows(r.value) === 0) continue;
      const b = own(r.value);
      collected.push(b);
      held.add(batchBytes(b));
      if (held.overBudget()) {
        held.release();
        yield* sortMergeFallback(spec, p.buildSide, collected, it, runPlan(streamPlan, partition, env), env);
        return;
      }
    }
    table = JoinHashTable.build(collected, buildKeys, buildPlan.schema);
  }
  held.set(table.memoryBytes());
  const prober = new HashJoinProber(table, spec, p.buildSide);
  try {
    for await (const b of runPlan(streamPlan, partition, env)) yield* prober.probe(b);
    yield* prober.finish();
  } finally {
    held.release();
  }
}
