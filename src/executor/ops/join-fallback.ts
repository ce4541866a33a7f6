// A shuffled hash join whose build side outgrows the task's memory share switches, inside the
// task, to a sort-merge join: both sides go through external sorts (which spill sorted runs)
// and are merged. The rows already collected for the table are fed to the sort first, then
// the rest of the build side; nothing is read twice. Spark makes the same choice at planning
// time only; here it also happens when the estimate was wrong.
import type { Schema } from '../../planner/types.js';
import type { Batch } from '../batch.js';
import { mergeJoin } from '../kernels/merge-join.js';
import type { JoinSide, JoinSpec } from '../kernels/join-types.js';
import type { SortKey } from '../kernels/sort-compare.js';
import type { TaskEnv } from './env.js';
import { taskSorter } from './sort.js';

export async function* sortMergeFallback(
  spec: JoinSpec, buildSide: JoinSide, collected: readonly Batch[], buildRest: AsyncIterator<Batch>, stream: AsyncIterable<Batch>, env: TaskEnv,
): AsyncGenerator<Batch> {
  const sortSide = async function* (schema: Schema, keys: readonly number[], first: readonly Batch[], rest: AsyncIterable<Batch>, what: string): AsyncGenerator<Batch> {
    const order: SortKey[] = keys.map((col) => ({ col, ascending: true, nullsFirst: true }));
    const { sorter, buffer } = taskSorter(schema, order, env, `sort-merge fallback (${what})`);
    try {
      for (const b of first) await sorter.add(b);
      for await (const b of rest) await sorter.add(b);
    } catch (err) {
      await sorter.close();
      throw err;
    }
    yield* sorter.finish();
    env.metrics.spillBytes += sorter.spilledBytes;
    buffer.release();
  };
  const restIterable: AsyncIterable<Batch> = { [Symbol.asyncIterator]: () => buildRest };
  const build = sortSide(buildSide === 'left' ? spec.leftSchema : spec.rightSchema, buildSide === 'left' ? spec.leftKeys : spec.rightKeys, collected, restIterable, 'build side');
  const probe = sortSide(buildSide === 'left' ? spec.rightSchema : spec.leftSchema, buildSide === 'left' ? spec.rightKeys : spec.leftKeys, [], stream, 'stream side');
  yield* buildSide === 'left' ? mergeJoin(build, probe, spec) : mergeJoin(probe, build, spec);
}
