// End to end: groupBy(...keys).agg(...) / .count() with every aggregate, compared with DuckDB
// GROUP BY over the same rows — NULL keys (one group), -0.0 and 0.0 (one group), NaN (one
// group), strings with non-ASCII text, several keys, computed key Columns, filters before and
// after — on 7 partitions, 1 partition and empty inputs. Then distinct(), repartition(n, keys)
// (co-located keys; a groupBy on the same keys needs no second Exchange), repartition(n) and
// coalesce(n).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session, col, lit, sum, count, avg, min, max, countDistinct, type Dataset } from '../../src/index.js';
import { openOracle, type Oracle } from '../helpers/oracle.js';
import { expectSameAsSql, loadRows, type Row } from '../helpers/e2e.js';
import { MIXED_SCHEMA, mixedRows } from '../helpers/e2e-data.js';
import { expectSameMultiset, rowKey } from '../helpers/compare.js';
import { lastJob, occurrences, resultTasks } from '../helpers/job.js';

const N = 500;
const rows = mixedRows(N);
const schema = MIXED_SCHEMA as Record<string, string>;
const COLS = Object.keys(MIXED_SCHEMA);

let spark: Session;
let db: Oracle;
const inputs = new Map<string, Dataset>();

const INPUTS = [
  { name: '7 partitions', table: 't' },
  { name: '1 partition', table: 't' },
  { name: 'empty (a filter removed every row)', table: 'e' },
  { name: 'no rows at all (createDataset([]))', table: 'e' },
] as const;

/** Doubles with NaN, infinities, -0.0 and 0.0, several of each. */
const FLOAT_VALUES = [1.5, NaN, -0, null, 0, Infinity, NaN, -Infinity, -0, 2.5, NaN, 0, null, 1.5];
const floatRows = Array.from({ length: 70 }, (_, i) => ({ id: i, x: FLOAT_VALUES[i % FLOAT_VALUES.length]!, v: (i * 7) % 10 }));
const FLOAT_SCHEMA = { id: 'int64', x: 'float64', v: 'int64' } as const;

beforeAll(async () => {
  spark = await Session.create({ parallelism: 2, shufflePartitions: 3 });
  db = await openOracle();
  await loadRows(db, 't', rows, MIXED_SCHEMA);
  await db.con.run('CREATE VIEW e AS SELECT * FROM t WHERE id < 0');
  await loadRows(db, 'f', floatRows, FLOAT_SCHEMA);
  inputs.set('7 partitions', spark.createDataset(rows, { schema, partitions: 7 }));
  inputs.set('1 partition', spark.createDataset(rows, { schema, partitions: 1 }));
  inputs.set('empty (a filter removed every row)', spark.createDataset(rows, { schema, partitions: 3 }).filter(col('id').lt(0)));
  inputs.set('no rows at all (createDataset([]))', spark.createDataset([], { schema }));
});

afterAll(async () => {
  await spark?.stop();
  db?.close();
});

interface Case {
  readonly name: string;
  readonly ds: (d: Dataset) => Dataset;
  /** `{t}` stands for the input relation. */
  readonly sql: string;
}

const CASES: readonly Case[] = [
  {
    name: 'every aggregate, grouped by an int64 key with NULLs',
    ds: (d) => d.groupBy('a').agg(sum('b').as('sb'), count('b').as('cb'), count('*').as('n'), avg('q').as('aq'), min('s').as('mn'), max('s').as('mx'), countDistinct('flag').as('cf')),
    sql: 'SELECT a, sum(b) AS sb, count(b) AS cb, count(*) AS n, avg(q) AS aq, min(s) AS mn, max(s) AS mx, count(DISTINCT flag) AS cf FROM {t} GROUP BY a',
  },
  {
    name: 'every aggregate, grouped by an int32 key',
    ds: (d) => d.groupBy('q').agg(sum('a').as('sa'), avg('a').as('av'), min('d').as('dmn'), max('d').as('dmx'), countDistinct('s').as('cs'), count('*').as('n'), count('a').as('ca')),
    sql: 'SELECT q, sum(a) AS sa, avg(a) AS av, min(d) AS dmn, max(d) AS dmx, count(DISTINCT s) AS cs, count(*) AS n, count(a) AS ca FROM {t} GROUP BY q',
  },
  {
    name: 'string keys: empty, case variants, non-ASCII, NULL',
    ds: (d) => d.groupBy('s').agg(count('*').as('n'), sum('a').as('sa'), min('b').as('mn'), max('b').as('mx'), countDistinct('q').as('cq')),
    sql: 'SELECT s, count(*) AS n, sum(a) AS sa, min(b) AS mn, max(b) AS mx, count(DISTINCT q) AS cq FROM {t} GROUP BY s',
  },
  {
    name: '-0.0 and 0.0 are one group',
    ds: (d) => d.groupBy('b').agg(count('*').as('n'), sum('id').as('ids'), min('s').as('mn')),
    sql: 'SELECT b, count(*) AS n, sum(id) AS ids, min(s) AS mn FROM {t} GROUP BY b',
  },
  {
    name: 'boolean keys',
    ds: (d) => d.groupBy('flag').agg(count('*').as('n'), avg('b').as('ab'), max('d').as('md')),
    sql: 'SELECT flag, count(*) AS n, avg(b) AS ab, max(d) AS md FROM {t} GROUP BY flag',
  },
  {
    name: 'date keys',
    ds: (d) => d.groupBy('d').agg(count('*').as('n'), sum('q').as('sq'), countDistinct('a').as('ca')),
    sql: 'SELECT d, count(*) AS n, sum(q) AS sq, count(DISTINCT a) AS ca FROM {t} GROUP BY d',
  },
  {
    name: 'two keys (string, boolean), keys first in the order given',
    ds: (d) => d.groupBy('s', 'flag').agg(count('*').as('n'), sum('b').as('sb')),
    sql: 'SELECT s, flag, count(*) AS n, sum(b) AS sb FROM {t} GROUP BY s, flag',
  },
  {
    name: 'three keys (date, int32, int64) as an array',
    ds: (d) => d.groupBy(['d', 'q', 'a']).agg(count('*').as('n'), max('id').as('mx')),
    sql: 'SELECT d, q, a, count(*) AS n, max(id) AS mx FROM {t} GROUP BY d, q, a',
  },
  {
    name: 'computed key Columns (a % 4 keeps the sign of a, as in Spark)',
    ds: (d) => d.groupBy(col('a').mod(4).as('m'), col('s').isNull().as('no_s')).agg(count('*').as('n'), sum('q').as('sq')),
    sql: 'SELECT a % 4 AS m, s IS NULL AS no_s, count(*) AS n, sum(q) AS sq FROM {t} GROUP BY a % 4, s IS NULL',
  },
  {
    name: 'a computed key without a name is named by its expression',
    ds: (d) => d.groupBy('flag', col('q').mul(2)).agg(count('*').as('n')),
    sql: 'SELECT flag, q * 2 AS "(q * 2)", count(*) AS n FROM {t} GROUP BY flag, q * 2',
  },
  {
    name: 'count() gives a column named count',
    ds: (d) => d.groupBy('flag', 'q').count(),
    sql: 'SELECT flag, q, count(*) AS "count" FROM {t} GROUP BY flag, q',
  },
  {
    name: 'default names of aggregates',
    ds: (d) => d.groupBy('flag').agg(sum('a'), count('*'), count('b'), countDistinct('s'), min('q'), avg('q')),
    sql: `SELECT flag, sum(a) AS "sum(a)", count(*) AS "count(*)", count(b) AS "count(b)", count(DISTINCT s) AS "count(DISTINCT s)",
          min(q) AS "min(q)", avg(q) AS "avg(q)" FROM {t} GROUP BY flag`,
  },
  {
    name: 'aggregates over expressions',
    ds: (d) => d.groupBy('q').agg(sum(col('a').mul(col('b'))).as('ab'), max(col('a').plus(col('id'))).as('mx'), countDistinct(col('a').mod(3)).as('cm')),
    sql: 'SELECT q, sum(a * b) AS ab, max(a + id) AS mx, count(DISTINCT a % 3) AS cm FROM {t} GROUP BY q',
  },
  {
    name: 'the key is aggregated too',
    ds: (d) => d.groupBy('a').agg(sum('a').as('sa'), count('a').as('ca'), countDistinct('a').as('da')),
    sql: 'SELECT a, sum(a) AS sa, count(a) AS ca, count(DISTINCT a) AS da FROM {t} GROUP BY a',
  },
  {
    name: 'a filter before and after (HAVING)',
    ds: (d) => d.filter(col('a').gt(-10)).groupBy('s').agg(count('*').as('n'), sum('a').as('sa')).filter(col('n').gt(3)),
    sql: 'SELECT s, count(*) AS n, sum(a) AS sa FROM {t} WHERE a > -10 GROUP BY s HAVING count(*) > 3',
  },
  {
    name: 'a groupBy of a groupBy',
    ds: (d) => d.groupBy('s', 'q').agg(count('*').as('n')).groupBy('n').agg(count('*').as('groups'), countDistinct('s').as('ss')),
    sql: 'SELECT n, count(*) AS groups, count(DISTINCT s) AS ss FROM (SELECT s, q, count(*) AS n FROM {t} GROUP BY s, q) GROUP BY n',
  },
  {
    name: 'computed columns, then grouped',
    ds: (d) => d.withColumn('big', col('b').gt(lit(0.5))).withColumn('aq', col('a').plus(col('q'))).groupBy('big').agg(sum('aq').as('s'), count('aq').as('c')),
    sql: 'SELECT b > 0.5 AS big, sum(a + q) AS s, count(a + q) AS c FROM {t} GROUP BY b > 0.5',
  },
];

describe.each(INPUTS)('groupBy on $name', ({ name, table }) => {
  for (const c of CASES) {
    it(c.name, async () => {
      await expectSameAsSql(c.ds(inputs.get(name)!), db, c.sql.replaceAll('{t}', table));
    });
  }

  it('distinct() rows of some columns (NULLs equal; -0.0 equals 0.0)', async () => {
    const d = inputs.get(name)!;
    await expectSameAsSql(d.select('a', 's').distinct(), db, `SELECT DISTINCT a, s FROM ${table}`);
    await expectSameAsSql(d.select('b', 'flag').distinct(), db, `SELECT DISTINCT b, flag FROM ${table}`);
    await expectSameAsSql(d.select('q').dropDuplicates(), db, `SELECT DISTINCT q FROM ${table}`);
  });

  it('distinct() of whole rows, and its count()', async () => {
    const d = inputs.get(name)!;
    await expectSameAsSql(d.union(d).distinct(), db, `SELECT DISTINCT * FROM ${table}`);
    const [e] = await db.query(`SELECT count(*) AS n FROM (SELECT DISTINCT s, flag, d FROM ${table})`);
    expect(await d.select('s', 'flag', 'd').distinct().count()).toBe(e!['n']);
  });
});

describe('an empty input has no groups', () => {
  it('groupBy().agg() and count() return no rows', async () => {
    for (const name of ['empty (a filter removed every row)', 'no rows at all (createDataset([]))']) {
      const d = inputs.get(name)!;
      expect(await d.groupBy('s').agg(count('*').as('n'), sum('a').as('sa')).collect()).toEqual([]);
      expect(await d.groupBy('a', 'q').count().collect()).toEqual([]);
      expect(await d.distinct().collect()).toEqual([]);
      expect(await d.groupBy('s').count().count()).toBe(0);
    }
  });
});

describe('floating-point keys: NaN is one group, -0.0 and 0.0 one group, ±Infinity their own', () => {
  for (const parts of [1, 4]) {
    it(`on ${parts} partition(s)`, async () => {
      const d = spark.createDataset(floatRows, { schema: FLOAT_SCHEMA, partitions: parts });
      const got = await expectSameAsSql(
        d.groupBy('x').agg(count('*').as('n'), sum('v').as('sv'), min('id').as('first')),
        db, 'SELECT x, count(*) AS n, sum(v) AS sv, min(id) AS first FROM f GROUP BY x',
      );
      // NULL, NaN, -Infinity, 0, 1.5, 2.5, Infinity.
      expect(got.length).toBe(7);
      expect(got.filter((r) => Number.isNaN(r['x'])).length).toBe(1);
      await expectSameAsSql(d.groupBy('v', 'x').count(), db, 'SELECT v, x, count(*) AS "count" FROM f GROUP BY v, x');
      await expectSameAsSql(d.select('x').distinct(), db, 'SELECT DISTINCT x FROM f');
      await expectSameAsSql(
        d.groupBy('v').agg(min('x').as('mn'), max('x').as('mx'), countDistinct('x').as('cd')),
        db, 'SELECT v, min(x) AS mn, max(x) AS mx, count(DISTINCT x) AS cd FROM f GROUP BY v',
      );
    });
  }
});

describe('repartition(n, keys)', () => {
  let d: Dataset;
  beforeAll(() => {
    d = inputs.get('7 partitions')!;
  });

  it('puts every row of a key in one partition and keeps every row', async () => {
    for (const keys of [['a'], ['s', 'q'], ['b']]) {
      // Each task tags its rows with one random number: a key must see a single tag.
      const tagged = d.repartition(4, ...keys).mapPartitions((part: Row[]) => {
        const tag = Math.random();
        return part.map((r) => ({ ...r, tag }));
      });
      const got = (await tagged.collect()) as Row[];
      expectSameMultiset(got, rows, COLS, `repartition(4, ${keys.join(', ')})`);
      const tags = new Map<string, Set<unknown>>();
      for (const r of got) {
        const k = rowKey(r, keys);
        if (!tags.has(k)) tags.set(k, new Set());
        tags.get(k)!.add(r['tag']);
      }
      const split = [...tags].filter(([, t]) => t.size > 1).map(([k]) => k);
      expect(split, `keys spread over several partitions after repartition(4, ${keys.join(', ')})`).toEqual([]);
      expect(new Set(got.map((r) => r['tag'])).size).toBeGreaterThan(1);
    }
  });

  it('then groupBy on the same keys: one Exchange (co-partitioned), right results', async () => {
    const g = d.repartition(4, 'a').groupBy('a').agg(count('*').as('n'), sum('b').as('sb'), countDistinct('s').as('cs'));
    const plan = await g.explain();
    expect(occurrences(plan, 'Exchange'), plan).toBe(1);
    expect(plan).toContain('Exchange hashpartitioning(a, 4)');
    await expectSameAsSql(g, db, 'SELECT a, count(*) AS n, sum(b) AS sb, count(DISTINCT s) AS cs FROM t GROUP BY a');

    const g2 = d.repartition(5, 's', 'q').groupBy('s', 'q').count();
    const plan2 = await g2.explain();
    expect(occurrences(plan2, 'Exchange'), plan2).toBe(1);
    await expectSameAsSql(g2, db, 'SELECT s, q, count(*) AS "count" FROM t GROUP BY s, q');
  });

  it('then groupBy on more keys than the partitioning: still one Exchange, as Spark does', async () => {
    const g = d.repartition(4, 'a').groupBy('a', 's').agg(count('*').as('n'), sum('b').as('sb'));
    const plan = await g.explain();
    expect(occurrences(plan, 'Exchange'), plan).toBe(1);
    expect(plan).toContain('Exchange hashpartitioning(a, 4)');
    await expectSameAsSql(g, db, 'SELECT a, s, count(*) AS n, sum(b) AS sb FROM t GROUP BY a, s');
    // Keys in another order than the partitioning's.
    const g2 = d.repartition(5, 's', 'q').groupBy('q', 'flag', 's').count();
    expect(occurrences(await g2.explain(), 'Exchange')).toBe(1);
    await expectSameAsSql(g2, db, 'SELECT q, flag, s, count(*) AS "count" FROM t GROUP BY q, flag, s');
    // Not partitioned on all of (a, s): a join on both keys must shuffle the aggregate's output.
    const j = g.join(d.groupBy('a', 's').agg(max('b').as('mb')), ['a', 's']);
    const jp = await j.explain();
    expect(jp, jp).toContain('Exchange hashpartitioning(a, s, ');
    await expectSameAsSql(j, db, `SELECT x.a, x.s, x.n, x.sb, y.mb FROM (SELECT a, s, count(*) AS n, sum(b) AS sb FROM t GROUP BY a, s) x
      JOIN (SELECT a, s, max(b) AS mb FROM t GROUP BY a, s) y ON x.a = y.a AND x.s = y.s`);
  });

  it('must not skip the Exchange when a partitioning key is not a grouping key', async () => {
    const g = d.repartition(4, 'a', 'q').groupBy('a', 's').count();
    const plan = await g.explain();
    expect(occurrences(plan, 'Exchange'), plan).toBe(2);
    await expectSameAsSql(g, db, 'SELECT a, s, count(*) AS "count" FROM t GROUP BY a, s');
  });

  it('then distinct() on exactly those columns: one Exchange', async () => {
    const g = d.select('s', 'flag').repartition(3, 's', 'flag').distinct();
    const plan = await g.explain();
    expect(occurrences(plan, 'Exchange'), plan).toBe(1);
    await expectSameAsSql(g, db, 'SELECT DISTINCT s, flag FROM t');
  });

  it('then groupBy on other keys: a second Exchange, right results', async () => {
    const g = d.repartition(4, 'a').groupBy('s').agg(count('*').as('n'), max('a').as('mx'));
    const plan = await g.explain();
    expect(occurrences(plan, 'Exchange'), plan).toBe(2);
    await expectSameAsSql(g, db, 'SELECT s, count(*) AS n, max(a) AS mx FROM t GROUP BY s');
  });

  it('by a computed key Column keeps every row', async () => {
    const got = (await d.repartition(3, col('a').mod(2)).collect()) as Row[];
    expectSameMultiset(got, rows, COLS);
  });

  it('gives exactly n partitions, as Spark does for an explicit partition count', async () => {
    for (const n of [1, 4, 9]) {
      const got = (await d.repartition(n, 'q').collect()) as Row[];
      expect(resultTasks(lastJob(spark)), `result partitions after repartition(${n}, q)`).toBe(n);
      expectSameMultiset(got, rows, COLS);
    }
  });
});

describe('repartition(n) without keys (round-robin)', () => {
  it('gives exactly n partitions, every row kept, none empty', async () => {
    const d = inputs.get('7 partitions')!;
    for (const n of [1, 3, 10]) {
      const sizes = (await d.repartition(n).mapPartitions((part: Row[]) => [{ rows: part.length }]).collect()) as Row[];
      expect(sizes.length, `partitions after repartition(${n})`).toBe(n);
      expect(sizes.reduce((s, r) => s + (r['rows'] as number), 0)).toBe(N);
      expect(sizes.every((r) => (r['rows'] as number) > 0)).toBe(true);
      expectSameMultiset((await d.repartition(n).collect()) as Row[], rows, COLS);
    }
  });
});

describe('coalesce(n)', () => {
  let d: Dataset;
  beforeAll(() => {
    d = inputs.get('7 partitions')!;
  });

  it('keeps every row in at most n partitions, without a shuffle', async () => {
    for (const n of [1, 2, 3, 6]) {
      const ds = d.coalesce(n);
      const plan = await ds.explain();
      expect(plan).toContain(`Coalesce ${n}`);
      expect(plan).not.toContain('Exchange');
      expectSameMultiset((await ds.collect()) as Row[], rows, COLS, `coalesce(${n})`);
      expect(resultTasks(lastJob(spark))).toBeLessThanOrEqual(n);
      const sizes = (await ds.mapPartitions((part: Row[]) => [{ rows: part.length }]).collect()) as Row[];
      expect(sizes.length).toBeLessThanOrEqual(n);
      expect(sizes.reduce((s, r) => s + (r['rows'] as number), 0)).toBe(N);
    }
  });

  it('never adds partitions (coalesce(10) of 7 keeps 7)', async () => {
    expectSameMultiset((await d.coalesce(10).collect()) as Row[], rows, COLS);
    expect(resultTasks(lastJob(spark))).toBe(7);
  });

  it('after a groupBy, and a groupBy after it', async () => {
    const g = d.groupBy('s').agg(count('*').as('n'), sum('a').as('sa')).coalesce(1);
    await expectSameAsSql(g, db, 'SELECT s, count(*) AS n, sum(a) AS sa FROM t GROUP BY s');
    expect(resultTasks(lastJob(spark))).toBe(1);
    await expectSameAsSql(d.coalesce(2).groupBy('q').agg(count('*').as('n')), db, 'SELECT q, count(*) AS n FROM t GROUP BY q');
  });
});
