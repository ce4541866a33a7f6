// End to end: orderBy / sort is a total order across partitions, compared row by row with
// DuckDB ORDER BY written to spell out Spark's rules — ascending puts NULLs first, descending
// last; NaN is larger than every number (+Infinity included); -0.0 equals 0.0; strings compare
// by their UTF-8 bytes (ORDER BY encode(s), a BLOB). Where keys tie, only the sequence of key
// values is compared, plus the row multiset. Single and multiple keys, asc/desc mixes, computed
// keys, top-N (orderBy then limit), empty inputs, and one 20k-row sort with a skewed key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session, asc, desc, col, count, type Dataset } from '../../src/index.js';
import { openOracle, type Oracle } from '../helpers/oracle.js';
import { loadRows, sqlResult, type Row, type TypeName } from '../helpers/e2e.js';
import { MIXED_SCHEMA, mixedRows } from '../helpers/e2e-data.js';
import { expectSameOrder } from '../helpers/compare.js';
import { lastJob, occurrences } from '../helpers/job.js';

const N = 400;
/** The mixed rows, with NaN and ±Infinity among the doubles. */
const rows = mixedRows(N).map((r, i) =>
  i % 19 === 3 ? { ...r, b: NaN } : i % 31 === 7 ? { ...r, b: Infinity } : i % 37 === 11 ? { ...r, b: -Infinity } : r);
const schema = MIXED_SCHEMA as Record<string, string>;
const COLS = Object.keys(MIXED_SCHEMA);

let spark: Session;
let db: Oracle;
const inputs = new Map<string, Dataset>();

const INPUTS = [
  { name: '7 partitions', table: 't', ranged: true },
  { name: '1 partition', table: 't', ranged: false },
  { name: 'empty (a filter removed every row)', table: 'e', ranged: true },
  { name: 'no rows at all (createDataset([]))', table: 'e', ranged: false },
] as const;

beforeAll(async () => {
  spark = await Session.create({ parallelism: 2, shufflePartitions: 3 });
  db = await openOracle();
  await loadRows(db, 't', rows, MIXED_SCHEMA);
  await db.con.run('CREATE VIEW e AS SELECT * FROM t WHERE id < 0');
  inputs.set('7 partitions', spark.createDataset(rows, { schema, partitions: 7 }));
  inputs.set('1 partition', spark.createDataset(rows, { schema, partitions: 1 }));
  inputs.set('empty (a filter removed every row)', spark.createDataset(rows, { schema, partitions: 7 }).filter(col('id').lt(0)));
  inputs.set('no rows at all (createDataset([]))', spark.createDataset([], { schema }));
});

afterAll(async () => {
  await spark?.stop();
  db?.close();
});

/**
 * One ORDER BY term with Spark's rules spelled out: NULLs first ascending and last descending,
 * NaN above every other double, strings by UTF-8 bytes.
 */
function by(c: string, dir: 'asc' | 'desc', type: TypeName = MIXED_SCHEMA[c] ?? 'int64'): string {
  const nulls = dir === 'asc' ? `(${c} IS NULL) DESC` : `(${c} IS NULL) ASC`;
  const value = type === 'string' ? `encode(${c})` : c;
  const nan = type === 'float64' ? `, isnan(${c}) ${dir.toUpperCase()}` : '';
  return `${nulls}${nan}, ${value} ${dir.toUpperCase()}`;
}
const orderSql = (...terms: [string, 'asc' | 'desc'][]) => `ORDER BY ${terms.map(([c, d]) => by(c, d)).join(', ')}`;

interface Case {
  readonly name: string;
  readonly ds: (d: Dataset) => Dataset;
  /** `{t}` stands for the input relation. */
  readonly sql: string;
  /** The output columns whose values must come in the same sequence (ties may reorder the rest). */
  readonly keys: readonly string[];
  /** Output columns (default: the input's). */
  readonly cols?: readonly string[];
}

const CASES: readonly Case[] = [
  { name: 'int64 ascending: NULLs first', ds: (d) => d.orderBy('a'), sql: `SELECT * FROM {t} ${orderSql(['a', 'asc'])}`, keys: ['a'] },
  { name: 'int64 descending: NULLs last', ds: (d) => d.orderBy(desc('a')), sql: `SELECT * FROM {t} ${orderSql(['a', 'desc'])}`, keys: ['a'] },
  { name: 'int32 with asc()', ds: (d) => d.orderBy(asc('q')), sql: `SELECT * FROM {t} ${orderSql(['q', 'asc'])}`, keys: ['q'] },
  {
    name: 'doubles ascending: -Infinity < ... < -0.0 = 0.0 < ... < Infinity < NaN',
    ds: (d) => d.orderBy('b'), sql: `SELECT * FROM {t} ${orderSql(['b', 'asc'])}`, keys: ['b'],
  },
  {
    name: 'doubles descending: NaN first, NULLs last',
    ds: (d) => d.orderBy(col('b').desc()), sql: `SELECT * FROM {t} ${orderSql(['b', 'desc'])}`, keys: ['b'],
  },
  {
    name: 'strings ascending by UTF-8 bytes (U+FF21 before the emoji)',
    ds: (d) => d.orderBy('s'), sql: `SELECT * FROM {t} ${orderSql(['s', 'asc'])}`, keys: ['s'],
  },
  { name: 'strings descending', ds: (d) => d.sort(desc('s')), sql: `SELECT * FROM {t} ${orderSql(['s', 'desc'])}`, keys: ['s'] },
  { name: 'booleans descending', ds: (d) => d.orderBy(desc('flag')), sql: `SELECT * FROM {t} ${orderSql(['flag', 'desc'])}`, keys: ['flag'] },
  { name: 'dates ascending', ds: (d) => d.orderBy(col('d').asc()), sql: `SELECT * FROM {t} ${orderSql(['d', 'asc'])}`, keys: ['d'] },
  {
    name: 'two keys with ties: string asc, int64 desc',
    ds: (d) => d.orderBy(asc('s'), desc('a')), sql: `SELECT * FROM {t} ${orderSql(['s', 'asc'], ['a', 'desc'])}`, keys: ['s', 'a'],
  },
  {
    name: 'four keys, unique: int32 asc, double desc, string asc, id asc',
    ds: (d) => d.orderBy('q', desc('b'), 's', 'id'),
    sql: `SELECT * FROM {t} ${orderSql(['q', 'asc'], ['b', 'desc'], ['s', 'asc'], ['id', 'asc'])}`, keys: COLS,
  },
  {
    name: 'names and Columns mixed: flag desc, date asc, id desc (sort() as an array)',
    ds: (d) => d.sort([desc('flag'), 'd', col('id').desc()]),
    sql: `SELECT * FROM {t} ${orderSql(['flag', 'desc'], ['d', 'asc'], ['id', 'desc'])}`, keys: COLS,
  },
  {
    name: 'a computed key (a + q desc), then id',
    ds: (d) => d.orderBy(col('a').plus(col('q')).desc(), 'id'),
    sql: `SELECT * FROM {t} ORDER BY (a + q IS NULL) ASC, a + q DESC, id ASC`, keys: COLS,
  },
  {
    name: 'after a filter and a projection',
    ds: (d) => d.filter(col('a').gt(0).or(col('s').isNull())).select('s', 'b', 'id').orderBy(desc('b'), 's'),
    sql: `SELECT s, b, id FROM {t} WHERE a > 0 OR s IS NULL ${orderSql(['b', 'desc'], ['s', 'asc'])}`, keys: ['b', 's'], cols: ['s', 'b', 'id'],
  },
  {
    name: 'top-N: orderBy then limit',
    ds: (d) => d.orderBy(desc('b'), 'id').limit(25),
    sql: `SELECT * FROM {t} ${orderSql(['b', 'desc'], ['id', 'asc'])} LIMIT 25`, keys: COLS,
  },
  {
    name: 'top-N on a string key with NULLs first',
    ds: (d) => d.orderBy('s', desc('id')).limit(7),
    sql: `SELECT * FROM {t} ${orderSql(['s', 'asc'], ['id', 'desc'])} LIMIT 7`, keys: COLS,
  },
  {
    name: 'a limit larger than the input',
    ds: (d) => d.orderBy(desc('d'), 'id').limit(10_000),
    sql: `SELECT * FROM {t} ${orderSql(['d', 'desc'], ['id', 'asc'])} LIMIT 10000`, keys: COLS,
  },
  {
    name: 'a grouped count, ordered by the count then the key',
    ds: (d) => d.groupBy('s').count().orderBy(desc('count'), 's'),
    sql: `SELECT s, count(*) AS "count" FROM {t} GROUP BY s ORDER BY "count" DESC, (s IS NULL) DESC, encode(s) ASC`,
    keys: ['count', 's'], cols: ['s', 'count'],
  },
  {
    name: 'orderBy of an orderBy: the last one wins',
    ds: (d) => d.orderBy(desc('id')).orderBy('q', 'id'),
    sql: `SELECT * FROM {t} ${orderSql(['q', 'asc'], ['id', 'asc'])}`, keys: COLS,
  },
];

describe.each(INPUTS)('orderBy on $name', ({ name, table, ranged }) => {
  for (const c of CASES) {
    it(c.name, async () => {
      const ds = c.ds(inputs.get(name)!);
      const sql = c.sql.replaceAll('{t}', table);
      const want = await sqlResult(db, sql);
      const cols = c.cols ?? COLS;
      expect(await ds.columns()).toEqual([...cols]);
      const got = (await ds.collect()) as Row[];
      expectSameOrder(got, want.rows, c.keys, cols, `${c.name}\n  SQL: ${sql}`);
    });
  }

  it(ranged ? 'is range-partitioned across partitions, then sorted in each' : 'needs no Exchange on one partition', async () => {
    const plan = await inputs.get(name)!.orderBy('a', desc('s')).explain();
    expect(plan).toContain('Sort [a ASC NULLS FIRST, s DESC NULLS LAST]');
    expect(occurrences(plan, 'Exchange rangepartitioning(a ASC NULLS FIRST, s DESC NULLS LAST, ')).toBe(ranged ? 1 : 0);
  });
});

describe('ties: the key sequence and the row multiset are all a sort promises', () => {
  it('a sort on a constant-heavy key keeps every row', async () => {
    const d = inputs.get('7 partitions')!;
    const got = (await d.orderBy('flag').collect()) as Row[];
    const want = await sqlResult(db, `SELECT * FROM t ${orderSql(['flag', 'asc'])}`);
    expectSameOrder(got, want.rows, ['flag'], COLS);
  });
});

describe('empty inputs', () => {
  it('orderBy, orderBy + limit and a descending sort return no rows', async () => {
    for (const name of ['empty (a filter removed every row)', 'no rows at all (createDataset([]))']) {
      const d = inputs.get(name)!;
      expect(await d.orderBy('a').collect()).toEqual([]);
      expect(await d.orderBy(desc('s'), 'id').limit(3).collect()).toEqual([]);
      expect(await d.orderBy(desc('b')).count()).toBe(0);
    }
  });
});

describe('20k rows, a skewed key (90% of rows share one value), 4 input partitions', () => {
  const M = 20_000;
  let big: Dataset;
  beforeAll(async () => {
    // k: 5 for 9 rows in 10, else id % 97; v: a permutation of 0..M-1 (7919 is prime to 20000).
    big = spark.range(0, M, 1, 4).select(
      col('id'),
      col('id').mod(10).eq(0).cast('int64').mul(col('id').mod(97)).plus(col('id').mod(10).neq(0).cast('int64').mul(5)).as('k'),
      col('id').mul(7919).mod(M).as('v'),
    );
    await db.con.run(`CREATE OR REPLACE TABLE big AS SELECT i AS id, CASE WHEN i % 10 = 0 THEN i % 97 ELSE 5 END AS k, (i * 7919) % ${M} AS v FROM range(${M}) t(i)`);
  });

  it('orderBy(k, desc(v)): every row in exact order across range partitions', async () => {
    const got = (await big.orderBy('k', desc('v')).collect()) as Row[];
    expect(lastJob(spark).stages.some((s) => s.name.startsWith('ShuffleRead') && s.name.includes('Sort'))).toBe(true);
    const want = await sqlResult(db, 'SELECT id, k, v FROM big ORDER BY k ASC, v DESC');
    expectSameOrder(got, want.rows, ['id', 'k', 'v'], ['id', 'k', 'v']);
  });

  it('orderBy(desc(k)) with the ties, and top-N of it', async () => {
    const got = (await big.orderBy(desc('k')).collect()) as Row[];
    const want = await sqlResult(db, 'SELECT id, k, v FROM big ORDER BY k DESC');
    expectSameOrder(got, want.rows, ['k'], ['id', 'k', 'v']);
    const top = (await big.orderBy(desc('k'), 'v').limit(50).collect()) as Row[];
    const wantTop = await sqlResult(db, 'SELECT id, k, v FROM big ORDER BY k DESC, v ASC LIMIT 50');
    expectSameOrder(top, wantTop.rows, ['id', 'k', 'v'], ['id', 'k', 'v']);
  });

  it('a grouped count of the skewed key, ordered', async () => {
    const got = (await big.groupBy('k').agg(count('*').as('n')).orderBy(desc('n'), 'k').collect()) as Row[];
    const want = await sqlResult(db, 'SELECT k, count(*) AS n FROM big GROUP BY k ORDER BY n DESC, k ASC');
    expectSameOrder(got, want.rows, ['k', 'n'], ['k', 'n']);
  });
});
