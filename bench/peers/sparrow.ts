// Sparrow (2 workers) as a contender: the queries through the Dataset API, over
// `read.parquet` of the files or over the same datasets `.cache()`d. A run ends when the result
// is an Arrow table on the driver (toArrow).
import type * as arrow from 'apache-arrow';
import { Session, col, count, sum, type Dataset } from 'sparrow';
import { type Contender, type DataFiles, type Mode, type QueryId, type Run, answerOf, timed } from './contender.js';

type Tables = Record<keyof DataFiles, Dataset>;

const QUERY: Record<QueryId, (t: Tables) => Dataset> = {
  filter: (t) => t.fact.filter(col('k100').mod(7).eq(3)).agg(sum(col('v').mul(2).plus(1)).as('s')),
  groupby: (t) => t.fact.groupBy('k100').agg(sum('v').as('s'), count('*').as('n')),
  join100k: (t) => t.fact.join(t.dim100k, 'k100').groupBy('seg').agg(sum('v').as('s')),
  join2m: (t) => t.fact.join(t.dim2m, 'k2m').groupBy('seg2').agg(sum('v').as('s')),
};

export async function sparrowContender(files: DataFiles, parallelism = 2): Promise<Contender> {
  const spark = await Session.create({ parallelism, shufflePartitions: 4 * parallelism, progress: false });
  const read = (): Tables => ({ fact: spark.read.parquet(files.fact), dim100k: spark.read.parquet(files.dim100k), dim2m: spark.read.parquet(files.dim2m) });
  let cached: Tables | null = null;
  return {
    name: 'Sparrow',
    async load() {
      const t = read();
      for (const ds of Object.values(t)) await ds.cache().count();
      cached = t;
    },
    async run(q: QueryId, mode: Mode): Promise<Run> {
      if (mode === 'memory' && cached === null) throw new Error('Sparrow: run in memory before load()');
      const tables = mode === 'parquet' ? read() : cached!;
      const [table, ms] = await timed(() => QUERY[q](tables).toArrow());
      return { loadMs: null, queryMs: ms, answer: () => answer(q, table) };
    },
    async heldBytes() {
      return null; // cached blocks are SharedArrayBuffers held by the driver (the main thread)
    },
    async close() {
      if (cached) for (const ds of Object.values(cached)) ds.unpersist();
      await spark.stop();
    },
  };
}

function answer(q: QueryId, t: arrow.Table): ReturnType<typeof answerOf> {
  const cols = t.schema.fields.map((_, i) => t.getChildAt(i)!.toArray() as ArrayLike<unknown>);
  if (q === 'filter') return answerOf(null, cols[0]!);
  return answerOf(cols[0]!, ...cols.slice(1));
}
