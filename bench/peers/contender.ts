// What every contender of the peer comparison provides, the four queries, and the canonical
// form their answers are compared in.
//
//   filter   SELECT sum(v * 2 + 1) AS s FROM fact WHERE k100 % 7 = 3
//   groupby  SELECT k100, sum(v) AS s, count(*) AS n FROM fact GROUP BY k100
//   join100k SELECT seg, sum(v) AS s FROM fact JOIN dim100k USING (k100) GROUP BY seg
//   join2m   SELECT seg2, sum(v) AS s FROM fact JOIN dim2m USING (k2m) GROUP BY seg2

export const QUERY_IDS = ['filter', 'groupby', 'join100k', 'join2m'] as const;
export type QueryId = typeof QUERY_IDS[number];

/** 'parquet': every run starts from the files; 'memory': from the contender's in-memory tables. */
export type Mode = 'parquet' | 'memory';

export interface DataFiles {
  readonly fact: string;
  readonly dim100k: string;
  readonly dim2m: string;
}

export type TableName = keyof DataFiles;

/** The columns each query reads, per table (what a contender that loads columns loads). */
export const COLUMNS_READ: Record<QueryId, Partial<Record<TableName, readonly string[]>>> = {
  filter: { fact: ['k100', 'v'] },
  groupby: { fact: ['k100', 'v'] },
  join100k: { fact: ['k100', 'v'], dim100k: ['k100', 'seg'] },
  join2m: { fact: ['k2m', 'v'], dim2m: ['k2m', 'seg2'] },
};

/** Every column of every table (the 'memory' mode's tables). */
export const ALL_COLUMNS: Record<TableName, readonly string[]> = {
  fact: ['k100', 'k2m', 'v'], dim100k: ['k100', 'seg'], dim2m: ['k2m', 'seg2'],
};

/** An answer: group key → its aggregates ([s] or [s, n]); the filter query's one row has key 0. */
export type Answer = Map<number, readonly number[]>;

export interface Run {
  /** Time spent loading files into the contender's tables before the query (null: the query reads the files itself). */
  readonly loadMs: number | null;
  readonly queryMs: number;
  /** The answer in canonical form, computed after timing. */
  readonly answer: () => Answer;
}

export interface Contender {
  readonly name: string;
  /** Loads every table into memory (the data of the 'memory' mode). */
  load(): Promise<void>;
  run(q: QueryId, mode: Mode): Promise<Run>;
  /**
   * Bytes the contender says it holds, for those whose memory is not in the main thread's
   * ArrayBuffers (DuckDB); null for the others.
   */
  heldBytes(): Promise<number | null>;
  close(): Promise<void>;
}

/** Runs `f` and returns its result with the milliseconds it took. */
export async function timed<T>(f: () => Promise<T> | T): Promise<[T, number]> {
  const t = performance.now();
  const r = await f();
  return [r, performance.now() - t];
}

/** Builds an answer from parallel columns (keys null: one row with key 0). */
export function answerOf(keys: ArrayLike<unknown> | null, ...values: ArrayLike<unknown>[]): Answer {
  const n = values[0]?.length ?? 0;
  const out: Answer = new Map();
  for (let i = 0; i < n; i++) {
    const key = keys === null ? 0 : Number(keys[i]);
    if (out.has(key)) throw new Error(`answer: group key ${key} appears twice`);
    out.set(key, values.map((v) => Number(v[i])));
  }
  return out;
}

/**
 * The first difference between two answers, or null when they agree: same keys, counts equal,
 * sums within a relative 1e-9 (sums of millions of doubles differ in their last bits when
 * added in another order).
 */
export function answerDiff(want: Answer, got: Answer): string | null {
  if (want.size !== got.size) return `${got.size} groups instead of ${want.size}`;
  for (const [k, w] of want) {
    const g = got.get(k);
    if (g === undefined) return `group ${k} is missing`;
    if (g.length !== w.length) return `group ${k} has ${g.length} values instead of ${w.length}`;
    for (let j = 0; j < w.length; j++) {
      const a = w[j]!, b = g[j]!;
      if (!(Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)) + 1e-9)) return `group ${k}: value ${j} is ${b} instead of ${a}`;
    }
  }
  return null;
}
