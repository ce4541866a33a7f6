// DuckDB (2 threads) as a contender: the queries as SQL, over the Parquet files themselves or
// over tables created from them. A run ends when the result is materialized in DuckDB's
// result chunks (runAndReadAll); turning it into JS values is left to the answer.
import { DuckDBInstance, type DuckDBConnection, type DuckDBResultReader } from '@duckdb/node-api';
import { type Contender, type DataFiles, type Mode, type QueryId, type Run, answerOf, timed } from './contender.js';

const SQL: Record<QueryId, (t: (name: keyof DataFiles) => string) => string> = {
  filter: (t) => `SELECT sum(v * 2 + 1) AS s FROM ${t('fact')} WHERE k100 % 7 = 3`,
  groupby: (t) => `SELECT k100, sum(v) AS s, count(*) AS n FROM ${t('fact')} GROUP BY k100`,
  join100k: (t) => `SELECT seg, sum(v) AS s FROM ${t('fact')} JOIN ${t('dim100k')} USING (k100) GROUP BY seg`,
  join2m: (t) => `SELECT seg2, sum(v) AS s FROM ${t('fact')} JOIN ${t('dim2m')} USING (k2m) GROUP BY seg2`,
};

export async function duckdbContender(files: DataFiles, threads = 2): Promise<Contender> {
  const db = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const con: DuckDBConnection = await db.connect();
  const fromFile = (n: keyof DataFiles) => `read_parquet('${files[n]}')`;
  const fromTable = (n: keyof DataFiles) => n;
  return {
    name: 'DuckDB',
    async load() {
      for (const n of ['fact', 'dim100k', 'dim2m'] as const) await con.run(`CREATE OR REPLACE TABLE ${n} AS SELECT * FROM ${fromFile(n)}`);
    },
    async run(q: QueryId, mode: Mode): Promise<Run> {
      const [res, ms] = await timed(() => con.runAndReadAll(SQL[q](mode === 'parquet' ? fromFile : fromTable)));
      return { loadMs: null, queryMs: ms, answer: () => answer(q, res) };
    },
    async heldBytes() {
      const r = await con.runAndReadAll('SELECT sum(memory_usage_bytes) AS b FROM duckdb_memory()');
      return Number(r.getColumnsJS()[0]![0]);
    },
    async close() {
      con.closeSync();
      db.closeSync();
    },
  };
}

function answer(q: QueryId, res: DuckDBResultReader): ReturnType<typeof answerOf> {
  const cols = res.getColumnsJS();
  if (q === 'filter') return answerOf(null, cols[0]!);
  return answerOf(cols[0]!, ...cols.slice(1));
}
