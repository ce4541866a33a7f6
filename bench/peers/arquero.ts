// Arquero (single-threaded, eager) as a contender: its tables are built over whole typed arrays
// read from the Parquet files (parquet-columns.ts); the queries are its verbs. From Parquet, a
// run loads the columns its query reads (timed as its load), then queries them.
import * as aq from 'arquero';
import { ALL_COLUMNS, COLUMNS_READ, type Answer, type Contender, type DataFiles, type Mode, type QueryId, type Run, type TableName, answerOf, timed } from './contender.js';
import { type Columns, readTables } from './parquet-columns.js';

type Table = ReturnType<typeof aq.table>;
type Tables = Partial<Record<TableName, Table>>;

// Arquero parses these functions' source: `op` must be called by that name.
const op = aq.op;

const QUERY: Record<QueryId, (t: Tables) => Table> = {
  filter: (t) => t.fact!.filter((d: any) => d.k100 % 7 === 3).rollup({ s: (d: any) => op.sum(d.v * 2 + 1) }),
  groupby: (t) => t.fact!.groupby('k100').rollup({ s: (d: any) => op.sum(d.v), n: () => op.count() }),
  join100k: (t) => t.fact!.select('k100', 'v').join(t.dim100k!, 'k100').groupby('seg').rollup({ s: (d: any) => op.sum(d.v) }),
  join2m: (t) => t.fact!.select('k2m', 'v').join(t.dim2m!, 'k2m').groupby('seg2').rollup({ s: (d: any) => op.sum(d.v) }),
};

const ANSWER_COLUMNS: Record<QueryId, readonly string[]> = {
  filter: ['s'], groupby: ['k100', 's', 'n'], join100k: ['seg', 's'], join2m: ['seg2', 's'],
};

export function arqueroContender(files: DataFiles): Contender {
  let memory: Tables | null = null;
  const load = async (need: Partial<Record<TableName, readonly string[]>>): Promise<Tables> => {
    const cols = await readTables(files, need);
    return Object.fromEntries(Object.entries(cols).map(([n, c]) => [n, aq.table(c as Columns)]));
  };
  return {
    name: 'Arquero',
    async load() {
      memory = await load(ALL_COLUMNS);
    },
    async run(q: QueryId, mode: Mode): Promise<Run> {
      let tables = memory, loadMs: number | null = null;
      if (mode === 'parquet') [tables, loadMs] = await timed(() => load(COLUMNS_READ[q]));
      if (tables === null) throw new Error('Arquero: run in memory before load()');
      const [result, queryMs] = await timed(() => QUERY[q](tables!));
      return { loadMs, queryMs, answer: () => answer(q, result) };
    },
    async heldBytes() {
      return null; // its tables are ArrayBuffers of the main thread
    },
    async close() {
      memory = null;
    },
  };
}

function answer(q: QueryId, t: Table): Answer {
  const cols = ANSWER_COLUMNS[q].map((c) => t.array(c) as ArrayLike<unknown>);
  if (q === 'filter') return answerOf(null, cols[0]!);
  return answerOf(cols[0]!, ...cols.slice(1));
}
