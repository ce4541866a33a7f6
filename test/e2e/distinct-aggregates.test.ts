// End to end: countDistinct with other aggregates, with the rewrite-distinct-aggregates rule
// (two aggregates: by keys and the distinct argument, then by keys) and without it (one
// aggregate holding the distinct sets), both compared with DuckDB — grouped and whole-dataset,
// NULL distinct values and keys, an expression argument, avg and counts, empty inputs — and
// the plan each gives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session, col, sum, count, avg, min, max, countDistinct, type Dataset } from '../../src/index.js';
import { openOracle, type Oracle } from '../helpers/oracle.js';
import { expectSameAsSql } from '../helpers/e2e.js';
import { MIXED_SCHEMA, mixedRows } from '../helpers/e2e-data.js';
import { loadRows } from '../helpers/e2e.js';
import { occurrences } from '../helpers/job.js';

const rows = mixedRows(600);
const schema = MIXED_SCHEMA as Record<string, string>;
let on: Session;
let off: Session;
let db: Oracle;

beforeAll(async () => {
  on = await Session.create({ parallelism: 2, shufflePartitions: 3 });
  off = await Session.create({ parallelism: 2, shufflePartitions: 3, disabledRules: ['rewrite-distinct-aggregates'] });
  db = await openOracle();
  await loadRows(db, 't', rows, MIXED_SCHEMA);
});

afterAll(async () => {
  await on?.stop();
  await off?.stop();
  db?.close();
});

const CASES: readonly { name: string; ds: (d: Dataset) => Dataset; sql: string }[] = [
  {
    name: 'grouped: countDistinct with count(*), sums, min/max, avg and count(x)',
    ds: (d) => d.groupBy('q').agg(count('*').as('n'), countDistinct('s').as('ds'), sum('a').as('sa'), sum('b').as('sb'),
      min('d').as('mn'), max('s').as('mx'), avg('a').as('av'), count('b').as('cb')),
    sql: 'SELECT q, count(*) AS n, count(DISTINCT s) AS ds, sum(a) AS sa, sum(b) AS sb, min(d) AS mn, max(s) AS mx, avg(a) AS av, count(b) AS cb FROM {t} GROUP BY q',
  },
  {
    name: 'two keys, a distinct expression counted twice',
    ds: (d) => d.groupBy('flag', 'd').agg(countDistinct(col('a').mod(3)).as('m'), sum('q').as('sq'), countDistinct(col('a').mod(3)).as('m2')),
    sql: 'SELECT flag, d, count(DISTINCT a % 3) AS m, sum(q) AS sq, count(DISTINCT a % 3) AS m2 FROM {t} GROUP BY flag, d',
  },
  {
    name: 'whole dataset: count(*), countDistinct, sum (the README query shape)',
    ds: (d) => d.agg(count('*').as('n'), countDistinct('a').as('da'), sum('b').as('sb'), avg('q').as('aq')),
    sql: 'SELECT count(*) AS n, count(DISTINCT a) AS da, sum(b) AS sb, avg(q) AS aq FROM {t}',
  },
  {
    name: 'countDistinct alone, grouped by a string key with NULLs',
    ds: (d) => d.groupBy('s').agg(countDistinct('b').as('db')),
    sql: 'SELECT s, count(DISTINCT b) AS db FROM {t} GROUP BY s',
  },
];

describe.each([['on', () => on], ['off', () => off]] as const)('rewrite-distinct-aggregates %s', (label, session) => {
  for (const c of CASES) {
    it(c.name, async () => {
      const d = session().createDataset(rows, { schema, partitions: 5 });
      await expectSameAsSql(c.ds(d), db, c.sql.replaceAll('{t}', 't'));
    });
  }

  it('empty input: grouped gives no rows, whole-dataset gives zeros and NULLs', async () => {
    const e = session().createDataset(rows, { schema, partitions: 3 }).filter(col('id').lt(0));
    expect(await e.groupBy('q').agg(countDistinct('s').as('ds'), count('*').as('n')).collect()).toEqual([]);
    expect(await e.agg(count('*').as('n'), countDistinct('a').as('da'), sum('b').as('sb'), avg('q').as('aq'), count('q').as('cq')).collect())
      .toEqual([{ n: 0, da: 0, sb: null, aq: null, cq: 0 }]);
  });

  it(`plans ${label === 'on' ? 'two aggregations (four HashAggregates)' : 'one aggregation'}`, async () => {
    const d = session().createDataset(rows, { schema, partitions: 5 });
    const plan = await d.groupBy('q').agg(countDistinct('s').as('ds'), sum('a').as('sa')).explain();
    expect(occurrences(plan, 'HashAggregate'), plan).toBe(label === 'on' ? 4 : 2);
    expect(occurrences(plan, 'Exchange hashpartitioning'), plan).toBe(label === 'on' ? 2 : 1);
  });
});
