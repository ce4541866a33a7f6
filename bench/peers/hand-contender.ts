// The hand-written typed-array loops (hand-loop.ts) as a contender, one thread. Its tables are
// whole typed arrays read from the Parquet files (parquet-columns.ts); from Parquet, a run
// loads the columns its query reads (timed as its load), then loops over them.
// SPARROW_BENCH_HAND_HASH=1 makes every map use open addressing (checks that path).
import { ALL_COLUMNS, COLUMNS_READ, type Contender, type DataFiles, type Mode, type QueryId, type Run, type TableName, answerOf, timed } from './contender.js';
import { type Columns, readTables } from './parquet-columns.js';
import { type Groups, filterComputeSum, groupSumCount, joinGroupSum } from './hand-loop.js';

type Tables = Partial<Record<TableName, Columns>>;

const FORCE_HASH = process.env.SPARROW_BENCH_HAND_HASH === '1';

const i32 = (t: Tables, table: TableName, c: string): Int32Array => {
  const a = t[table]?.[c];
  if (!(a instanceof Int32Array)) throw new Error(`hand loop: ${table}.${c} should be an int32 column`);
  return a;
};
const f64 = (t: Tables, table: TableName, c: string): Float64Array => {
  const a = t[table]?.[c];
  if (!(a instanceof Float64Array)) throw new Error(`hand loop: ${table}.${c} should be a float64 column`);
  return a;
};

const QUERY: Record<QueryId, (t: Tables) => number | Groups> = {
  filter: (t) => filterComputeSum(i32(t, 'fact', 'k100'), f64(t, 'fact', 'v')),
  groupby: (t) => groupSumCount(i32(t, 'fact', 'k100'), f64(t, 'fact', 'v'), FORCE_HASH),
  join100k: (t) => joinGroupSum(i32(t, 'fact', 'k100'), f64(t, 'fact', 'v'), i32(t, 'dim100k', 'k100'), i32(t, 'dim100k', 'seg'), FORCE_HASH),
  join2m: (t) => joinGroupSum(i32(t, 'fact', 'k2m'), f64(t, 'fact', 'v'), i32(t, 'dim2m', 'k2m'), i32(t, 'dim2m', 'seg2'), FORCE_HASH),
};

export function handLoopContender(files: DataFiles): Contender {
  let memory: Tables | null = null;
  return {
    name: 'hand loop',
    async load() {
      memory = await readTables(files, ALL_COLUMNS);
    },
    async run(q: QueryId, mode: Mode): Promise<Run> {
      let tables = memory, loadMs: number | null = null;
      if (mode === 'parquet') [tables, loadMs] = await timed(() => readTables(files, COLUMNS_READ[q]));
      if (tables === null) throw new Error('hand loop: run in memory before load()');
      const [r, queryMs] = await timed(() => QUERY[q](tables!));
      return {
        loadMs, queryMs,
        answer: () => (typeof r === 'number' ? answerOf(null, [r]) : q === 'groupby' ? answerOf(r.keys, r.sums, r.counts) : answerOf(r.keys, r.sums)),
      };
    },
    async heldBytes() {
      return null; // its tables are ArrayBuffers of the main thread
    },
    async close() {
      memory = null;
    },
  };
}
