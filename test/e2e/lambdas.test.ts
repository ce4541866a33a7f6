// End to end: user lambdas (filter, map, flatMap, mapPartitions) with values passed through
// ctx, alone and mixed with Column operators, compared with DuckDB SQL that computes the same
// thing — on 7 partitions (2 workers), one partition, and an input a filter emptied.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session, col, sum, count, type Dataset } from '../../src/index.js';
import { openOracle, type Oracle } from '../helpers/oracle.js';
import { expectSameAsSql, loadRows, sqlResult } from '../helpers/e2e.js';
import { MIXED_SCHEMA, mixedRows } from '../helpers/e2e-data.js';

const N = 500;
const rows = mixedRows(N);
const schema = MIXED_SCHEMA as Record<string, string>;

let spark: Session;
let db: Oracle;
const inputs = new Map<string, { ds: Dataset; partitions: number }>();

const INPUTS = [
  { name: '7 partitions', table: 't', empty: false },
  { name: '1 partition', table: 't', empty: false },
  { name: 'empty (a filter removed every row)', table: 'e', empty: true },
] as const;

beforeAll(async () => {
  spark = await Session.create({ parallelism: 2 });
  db = await openOracle();
  await loadRows(db, 't', rows, MIXED_SCHEMA);
  await db.con.run('CREATE VIEW e AS SELECT * FROM t WHERE id < 0');
  inputs.set('7 partitions', { ds: spark.createDataset(rows, { schema, partitions: 7 }), partitions: 7 });
  inputs.set('1 partition', { ds: spark.createDataset(rows, { schema, partitions: 1 }), partitions: 1 });
  inputs.set('empty (a filter removed every row)', {
    ds: spark.createDataset(rows, { schema, partitions: 3 }).filter(col('id').lt(0)),
    partitions: 3,
  });
});

afterAll(async () => {
  await spark?.stop();
  db?.close();
});

type R = Record<string, any>;

interface Case {
  readonly name: string;
  /** `schema` is the lambda's output schema: passed only on the empty input, where there are no rows to infer it from. */
  readonly ds: (d: Dataset, schema: boolean) => Dataset<any>;
  readonly sql: string;
}

const opt = (yes: boolean, s: Record<string, string>) => (yes ? { schema: s } : undefined);

const CASES: readonly Case[] = [
  {
    name: 'filter lambda with ctx',
    ds: (d) => d.filter((r: R, ctx: { min: number }) => r.a !== null && r.a > ctx.min, { min: 3 }),
    sql: 'SELECT * FROM {t} WHERE a > 3',
  },
  {
    name: 'filter lambda on strings (JS semantics inside the lambda)',
    ds: (d) => d.filter((r: R) => r.s !== null && r.s.startsWith('a')),
    sql: "SELECT * FROM {t} WHERE s LIKE 'a%'",
  },
  {
    name: 'filter lambda sees NULL as null and dates as Dates',
    ds: (d) => d.filter((r: R) => r.b === null || (r.d !== null && r.d.getUTCDate() === 5)),
    sql: 'SELECT * FROM {t} WHERE b IS NULL OR day(d) = 5',
  },
  {
    name: 'map with ctx',
    ds: (d, s) => d.map((r: R, ctx: { k: number }) => ({ id: r.id, y: r.a === null ? null : r.a * ctx.k, s: r.s }), { k: 3 },
      opt(s, { id: 'int64', y: 'float64', s: 'string' })),
    sql: 'SELECT id, a * 3 AS y, s FROM {t}',
  },
  {
    name: 'map to doubles, booleans and strings',
    ds: (d, s) => d.map((r: R) => ({ id: r.id, half: r.b === null ? null : r.b / 2, big: r.a !== null && r.a > 0, label: `${r.s ?? 'none'}!` }),
      undefined, opt(s, { id: 'int64', half: 'float64', big: 'boolean', label: 'string' })),
    sql: "SELECT id, b / 2 AS half, coalesce(a > 0, false) AS big, coalesce(s, 'none') || '!' AS label FROM {t}",
  },
  {
    name: 'map with an explicit schema',
    ds: (d) => d.map((r: R) => ({ id: r.id, v: r.q }), undefined, { schema: { id: 'int64', v: 'int32' } }),
    sql: 'SELECT id, q AS v FROM {t}',
  },
  {
    name: 'map, then Column filter and select on its output',
    ds: (d, s) => d.map((r: R, ctx: { k: number }) => ({ id: r.id, y: r.a === null ? null : r.a * ctx.k }), { k: 2 },
      opt(s, { id: 'int64', y: 'float64' }))
      .filter(col('y').gt(10)).select(col('id'), col('y').plus(1).as('y1')),
    sql: 'SELECT id, a * 2 + 1 AS y1 FROM {t} WHERE a * 2 > 10',
  },
  {
    name: 'flatMap with ctx (0, 1 or 2 rows per input row)',
    ds: (d, s) => d.flatMap((r: R, ctx: { m: number }) => (r.a === null ? [] : Array.from({ length: r.id % ctx.m }, (_, k) => ({ id: r.id, k }))),
      { m: 3 }, opt(s, { id: 'int64', k: 'float64' })),
    sql: 'SELECT id, unnest(range(id % 3)) AS k FROM {t} WHERE a IS NOT NULL',
  },
  {
    name: 'mapPartitions with ctx',
    ds: (d, s) => d.mapPartitions((part: R[], ctx: { tag: string }) => part.map((r) => ({ id: r.id, tag: ctx.tag + String(r.id) })),
      { tag: 'p' }, opt(s, { id: 'int64', tag: 'string' })),
    sql: "SELECT id, 'p' || id AS tag FROM {t}",
  },
  {
    name: 'Column filter, lambda filter, map, Column filter',
    ds: (d, s) => d.filter(col('q').isNotNull())
      .filter((r: R) => r.q !== 0)
      .map((r: R) => ({ id: r.id, inv: 12 / r.q }), undefined, opt(s, { id: 'int64', inv: 'float64' }))
      .filter(col('inv').lt(0)),
    sql: 'SELECT id, 12 / q AS inv FROM {t} WHERE q IS NOT NULL AND q <> 0 AND 12 / q < 0',
  },
  {
    name: 'aggregate over a map output',
    ds: (d, s) => d.map((r: R) => ({ y: r.a === null ? null : r.a * 2 }), undefined, opt(s, { y: 'float64' }))
      .agg(sum('y').as('total'), count('y').as('n'), count('*').as('rows')),
    sql: 'SELECT sum(a * 2)::DOUBLE AS total, count(a) AS n, count(*) AS rows FROM {t}',
  },
];

describe.each(INPUTS)('on $name', ({ name, table, empty }) => {
  for (const c of CASES) {
    it(c.name, async () => {
      await expectSameAsSql(c.ds(inputs.get(name)!.ds, empty), db, c.sql.replaceAll('{t}', table));
    });
  }

  it('mapPartitions runs once per partition (empty partitions too), with all of its rows', async () => {
    const { ds, partitions } = inputs.get(name)!;
    const out = (await ds.mapPartitions(
      (part: R[]) => [{ n: part.length, total: part.reduce((acc, r) => acc + (r.a ?? 0), 0) }],
      undefined, empty ? { schema: { n: 'float64', total: 'float64' } } : undefined,
    ).collect()) as R[];
    expect(out.length).toBe(partitions);
    const [expected] = (await sqlResult(db, `SELECT count(*) AS n, coalesce(sum(a), 0) AS total FROM ${table}`)).rows;
    expect(out.reduce((a, r) => a + r['n'], 0)).toBe(expected!['n']);
    expect(out.reduce((a, r) => a + r['total'], 0)).toBe(expected!['total']);
  });

  it('a lambda output schema is inferred in first-seen key order', async () => {
    if (empty) return; // nothing to infer from
    const { ds } = inputs.get(name)!;
    const m = ds.map((r: R) => ({ z: r.s, y: r.id, x: r.flag }));
    expect((await m.schema()).map((f) => [f.name, f.type])).toEqual([['z', 'string'], ['y', 'float64'], ['x', 'boolean']]);
  });
});

describe('output schema inference from sample rows', () => {
  /** The lambda's result equals the SQL, or the job fails saying to pass a schema. Never silently wrong. */
  async function rightOrAsksForSchema(ds: Dataset<any>, sql: string): Promise<'right' | 'asked'> {
    try {
      await expectSameAsSql(ds, db, sql);
      return 'right';
    } catch (err) {
      expect((err as Error).message).toMatch(/schema/);
      expect((err as Error).message).not.toMatch(/row sets differ|columns of the Dataset/);
      return 'asked';
    }
  }

  it('a flatMap that returns nothing for the first rows still gets its columns', async () => {
    const ds = spark.range(0, 200, 1, 3).flatMap((r: { id: number }) => (r.id < 150 ? [] : [{ x: r.id, y: `v${r.id}` }]));
    await expectSameAsSql(ds, db, "SELECT range AS x, 'v' || range AS y FROM range(150, 200)");
  });

  it('a mapPartitions that returns nothing for the sample still gets its columns', async () => {
    const ds = spark.range(0, 200, 1, 2).mapPartitions((rs: { id: number }[]) => rs.filter((r) => r.id % 100 > 90).map((r) => ({ x: r.id })));
    await expectSameAsSql(ds, db, 'SELECT range AS x FROM range(0, 200) WHERE range % 100 > 90');
  });

  it('a flatMap whose first output comes late is right or asks for a schema', async () => {
    const ds = spark.range(0, 5000, 1, 2).flatMap((r: { id: number }) => (r.id < 4990 ? [] : [{ x: r.id }]));
    await rightOrAsksForSchema(ds, 'SELECT range AS x FROM range(4990, 5000)');
  });

  it('a field that is NULL in every sampled row is right or asks for a schema', async () => {
    const ds = spark.range(0, 100, 1, 2).map((r: { id: number }) => ({ id: r.id, x: r.id < 90 ? null : r.id * 2 }));
    await rightOrAsksForSchema(ds, 'SELECT range AS id, CASE WHEN range < 90 THEN NULL ELSE range * 2 END AS x FROM range(0, 100)');
  });

  it('a map over an input with no rows: collect is empty, and a column reference explains the missing schema', async () => {
    const none = spark.range(0, 10).filter(col('id').lt(0)).map((r: { id: number }) => ({ z: r.id }));
    expect(await none.collect()).toEqual([]);
    const err = await none.filter(col('z').gt(1)).collect().then(() => null, (e: Error) => e);
    expect(err).not.toBeNull();
    expect(err!.message).toContain("'z'");
    expect(err!.message).toMatch(/schema/);
    // With a schema it works.
    const typed = spark.range(0, 10).filter(col('id').lt(0)).map((r: { id: number }) => ({ z: r.id }), undefined, { schema: { z: 'int64' } });
    expect(await typed.filter(col('z').gt(1)).collect()).toEqual([]);
  });
});

describe('lambdas over range', () => {
  it('map over range(0, 1000) on 7 partitions', async () => {
    const ds = spark.range(0, 1000, 1, 7).map((r: { id: number }, ctx: { off: number }) => ({ id: r.id, sq: r.id * r.id + ctx.off }), { off: 1 });
    await expectSameAsSql(ds, db, 'SELECT range AS id, range * range + 1 AS sq FROM range(0, 1000)');
  });
});
