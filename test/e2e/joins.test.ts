// End to end: join(other, on, how) with USING semantics, compared with DuckDB SQL that spells
// out Spark's rules (helpers/join-sql.ts): every join type × every strategy a hint can force
// (broadcast of each side the join type can build, shuffled hash of each buildable side,
// sort-merge) × key data (NULL keys, duplicates on both sides, an empty side, a skewed key;
// int32, int64, string, float64 with -0.0 and NaN, two-column and widened keys) × partition
// layouts (1, 7, 7 against 1). explain() and session.lastJob() must both show the forced
// strategy. Then joins over Parquet files, chained and co-partitioned joins, and a sort-merge
// join larger than the memory budget, which has to spill.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Session, broadcast, col, count, sum, type Dataset } from '../../src/index.js';
import { openOracle, type Oracle } from '../helpers/oracle.js';
import { loadRows, sqlPath, sqlResult, tempDir, type Row, type TypeName } from '../helpers/e2e.js';
import { STRINGS } from '../helpers/e2e-data.js';
import { expectSameMultiset } from '../helpers/compare.js';
import { JOIN_HOWS, type JoinHow, type Strategy, forcedStrategies, joinLine, usingJoinSql } from '../helpers/join-sql.js';
import { joinsRan, lastJob, occurrences, stageWith } from '../helpers/job.js';

let spark: Session;
let db: Oracle;
let root: string;

beforeAll(async () => {
  spark = await Session.create({ parallelism: 2, shufflePartitions: 3 });
  db = await openOracle();
  root = await tempDir('joins');
});

afterAll(async () => {
  await spark?.stop();
  db?.close();
  if (root) await fs.rm(root, { recursive: true, force: true });
});

// ---------------------------------------------------------------- data

interface Scenario {
  readonly name: string;
  readonly table: string;
  readonly keys: readonly string[];
  readonly leftSchema: Readonly<Record<string, TypeName>>;
  readonly rightSchema: Readonly<Record<string, TypeName>>;
  readonly left: readonly Row[];
  readonly right: readonly Row[];
}

const nonKeys = (schema: Readonly<Record<string, TypeName>>, keys: readonly string[]) => Object.keys(schema).filter((c) => !keys.includes(c));

/** Left rows: keys from `key(i)`, then an id and a string; right rows: keys, an id and a double. */
function sides(nl: number, nr: number, lkey: (i: number) => Row, rkey: (i: number) => Row): { left: Row[]; right: Row[] } {
  const left = Array.from({ length: nl }, (_, i) => ({ ...lkey(i), lid: i, lv: i % 5 === 0 ? null : `l${i}` }));
  const right = Array.from({ length: nr }, (_, i) => ({ ...rkey(i), rid: 1000 + i, rv: i % 4 === 1 ? null : i / 4 }));
  return { left, right };
}
const L_COLS = { lid: 'int64', lv: 'string' } as const;
const R_COLS = { rid: 'int64', rv: 'float64' } as const;

const intLeft = (i: number) => ({ k: i % 9 === 4 ? null : ((i * 5) % 13) - 3 });
const intRight = (i: number) => ({ k: i % 7 === 2 ? null : ((i * 3) % 17) - 5 });
const FLOATS = [0, -0, 1.5, NaN, -Infinity, Infinity, null, 2.25, -3, NaN, -0];
const EXTRA_STRINGS = ['zz', 'apple ', 'Ä'];

function scenarios(): Scenario[] {
  const out: Scenario[] = [];
  const add = (name: string, table: string, keys: string[], lk: Record<string, TypeName>, rk: Record<string, TypeName>, d: { left: Row[]; right: Row[] }) =>
    out.push({ name, table, keys, leftSchema: { ...lk, ...L_COLS }, rightSchema: { ...rk, ...R_COLS }, ...d });

  add('int64 keys with NULLs and duplicates on both sides', 'i64', ['k'], { k: 'int64' }, { k: 'int64' }, sides(48, 40, intLeft, intRight));
  add('int32 keys', 'i32', ['k'], { k: 'int32' }, { k: 'int32' }, sides(48, 40, intLeft, intRight));
  add('int32 keys on the left, int64 on the right (widened to int64)', 'iw', ['k'], { k: 'int32' }, { k: 'int64' }, sides(48, 40, intLeft, intRight));
  add('string keys (empty, case variants, non-ASCII)', 'str', ['k'], { k: 'string' }, { k: 'string' }, sides(
    45, 36,
    (i) => ({ k: i % 8 === 3 ? null : STRINGS[(i * 7) % STRINGS.length] }),
    (i) => ({ k: i % 6 === 0 ? null : i % 5 === 4 ? EXTRA_STRINGS[i % 3] : STRINGS[(i * 4) % STRINGS.length] }),
  ));
  add('two-column keys (int64, string), each sometimes NULL', 'multi', ['k1', 'k2'], { k1: 'int64', k2: 'string' }, { k1: 'int64', k2: 'string' }, sides(
    50, 44,
    (i) => ({ k1: i % 10 === 7 ? null : i % 4, k2: i % 9 === 5 ? null : ['a', 'b', '日本', ''][(i * 3) % 4] }),
    (i) => ({ k1: i % 8 === 1 ? null : (i * 3) % 5, k2: i % 11 === 2 ? null : ['b', '', '日本', 'a', 'c'][i % 5] }),
  ));
  add('float64 keys: -0.0 matches 0.0, NaN matches NaN', 'flt', ['k'], { k: 'float64' }, { k: 'float64' }, sides(
    33, 27, (i) => ({ k: FLOATS[i % FLOATS.length] }), (i) => ({ k: FLOATS[(i * 4 + 1) % FLOATS.length] }),
  ));
  const ints = sides(48, 40, intLeft, intRight);
  add('an empty left side', 'el', ['k'], { k: 'int64' }, { k: 'int64' }, { left: [], right: ints.right });
  add('an empty right side', 'er', ['k'], { k: 'int64' }, { k: 'int64' }, { left: ints.left, right: [] });
  add('a skewed key (90% of the left rows, half of the right)', 'skew', ['k'], { k: 'int64' }, { k: 'int64' }, sides(
    300, 120,
    (i) => ({ k: i % 37 === 0 ? null : i % 10 === 0 ? i % 7 : 1 }),
    (i) => ({ k: i % 29 === 0 ? null : i % 2 === 0 ? 1 : i % 11 }),
  ));
  return out;
}

const SCENARIOS = scenarios();

const LAYOUTS = [
  { name: '1 partition each', l: 1, r: 1 },
  { name: '7 partitions each', l: 7, r: 7 },
  { name: '7 partitions on the left, 1 on the right', l: 7, r: 1 },
] as const;
/** Scenarios that also run with unequal partition counts (the others: 1 and 7 on both sides). */
const UNEQUAL_LAYOUT = new Set(['i64', 'str', 'skew', 'el']);
const layoutsOf = (sc: Scenario) => LAYOUTS.filter((lay) => lay.l === lay.r || UNEQUAL_LAYOUT.has(sc.table));

// ---------------------------------------------------------------- checking one join

/** Expected rows per SQL text (the same join runs under several strategies and layouts). */
const expectedCache = new Map<string, Promise<{ columns: string[]; rows: Row[] }>>();
function expected(sql: string): Promise<{ columns: string[]; rows: Row[] }> {
  let e = expectedCache.get(sql);
  if (!e) { e = sqlResult(db, sql); expectedCache.set(sql, e); }
  return e;
}

function hinted(left: Dataset, right: Dataset, s: Strategy): [Dataset, Dataset] {
  let l = left, r = right;
  for (const h of s.hints) {
    if (h.side === 'left') l = l.hint(h.hint);
    else r = r.hint(h.hint);
  }
  return [l, r];
}

/**
 * Runs `left.join(right, keys, how)` under strategy `s`, checks explain() names the forced
 * operator, that the job ran exactly that join operator, and the rows against the SQL.
 */
async function checkJoin(left: Dataset, right: Dataset, keys: readonly string[], how: JoinHow, s: Strategy, sql: string): Promise<Row[]> {
  const [l, r] = hinted(left, right, s);
  const ds = l.join(r, keys, how);
  const plan = await ds.explain();
  expect(plan, `explain() of a ${how} join with ${s.name}`).toContain(joinLine(s, keys, how));
  const want = await expected(sql);
  expect(await ds.columns()).toEqual(want.columns);
  const got = (await ds.collect()) as Row[];
  expect(joinsRan(lastJob(spark)), 'join operators that ran').toEqual([s.op]);
  expectSameMultiset(got, want.rows, want.columns, `${how} join, ${s.name}\n  SQL: ${sql}`);
  for (const row of got.slice(0, 20)) expect(Object.keys(row)).toEqual(want.columns);
  return got;
}

// ---------------------------------------------------------------- the matrix

describe.each(SCENARIOS)('$name', (sc) => {
  const ds = new Map<string, [Dataset, Dataset]>();
  beforeAll(async () => {
    await loadRows(db, `l_${sc.table}`, sc.left, sc.leftSchema);
    await loadRows(db, `r_${sc.table}`, sc.right, sc.rightSchema);
    for (const lay of layoutsOf(sc)) {
      ds.set(lay.name, [
        spark.createDataset(sc.left, { schema: sc.leftSchema, partitions: lay.l }),
        spark.createDataset(sc.right, { schema: sc.rightSchema, partitions: lay.r }),
      ]);
    }
  });

  describe.each(layoutsOf(sc))('$name', (lay) => {
    for (const how of JOIN_HOWS) {
      const sql = usingJoinSql(`l_${sc.table}`, `r_${sc.table}`, sc.keys, nonKeys(sc.leftSchema, sc.keys), nonKeys(sc.rightSchema, sc.keys), how);
      for (const s of forcedStrategies(how)) {
        it(`${how} join, ${s.name} → ${s.op}`, async () => {
          const [l, r] = ds.get(lay.name)!;
          await checkJoin(l, r, sc.keys, how, s, sql);
        });
      }
    }
  });
});

describe('join semantics spelled out (int64 keys, 7 partitions)', () => {
  const sc = SCENARIOS[0]!;
  let l: Dataset, r: Dataset;
  beforeAll(async () => {
    for (const t of [sc, SCENARIOS.find((x) => x.table === 'multi')!]) {
      await loadRows(db, `l_${t.table}`, t.left, t.leftSchema);
      await loadRows(db, `r_${t.table}`, t.right, t.rightSchema);
    }
    l = spark.createDataset(sc.left, { schema: sc.leftSchema, partitions: 7 });
    r = spark.createDataset(sc.right, { schema: sc.rightSchema, partitions: 7 });
  });

  it("the oracle's spelled-out SQL agrees with DuckDB's own USING / SEMI / ANTI joins (checked, not assumed)", async () => {
    // DuckDB's ANTI JOIN also keeps NULL-key left rows (NOT EXISTS semantics), as Spark does.
    for (const [table, keys] of [['i64', 'k'], ['multi', 'k1, k2']] as const) {
      const cols = table === 'i64' ? ['k', 'lid', 'lv'] : ['k1', 'k2', 'lid', 'lv'];
      const on = keys.split(', ');
      for (const how of ['semi', 'anti'] as const) {
        const ours = await db.query(usingJoinSql(`l_${table}`, `r_${table}`, on, ['lid', 'lv'], ['rid', 'rv'], how));
        const theirs = await db.query(`SELECT * FROM l_${table} ${how.toUpperCase()} JOIN r_${table} USING (${keys})`);
        expectSameMultiset(ours, theirs, cols, `${how} on ${table}`);
      }
      for (const how of ['inner', 'left', 'right', 'full'] as const) {
        const ours = await db.query(usingJoinSql(`l_${table}`, `r_${table}`, on, ['lid', 'lv'], ['rid', 'rv'], how));
        const theirs = await db.query(`SELECT * FROM l_${table} ${how.toUpperCase()} JOIN r_${table} USING (${keys})`);
        expectSameMultiset(ours, theirs, [...cols, 'rid', 'rv'], `${how} on ${table}`);
      }
    }
  });

  it('an anti join keeps the left rows whose key is NULL, under every strategy', async () => {
    const nullLeft = sc.left.filter((x) => x['k'] === null).map((x) => x['lid']).sort();
    expect(nullLeft.length).toBeGreaterThan(0);
    for (const s of forcedStrategies('anti')) {
      const [lh, rh] = hinted(l, r, s);
      const got = await lh.join(rh, 'k', 'anti').filter(col('k').isNull()).collect();
      expect(got.map((x) => x['lid']).sort(), s.name).toEqual(nullLeft);
    }
  });

  it('NULL keys never match: no inner join row has a NULL key, under every strategy', async () => {
    for (const s of forcedStrategies('inner')) {
      const [lh, rh] = hinted(l, r, s);
      expect(await lh.join(rh, 'k').filter(col('k').isNull()).count(), s.name).toBe(0);
    }
  });

  it("a full join's key is the right's where the left has none", async () => {
    for (const s of forcedStrategies('full')) {
      const [lh, rh] = hinted(l, r, s);
      const got = await lh.join(rh, 'k', 'full').filter(col('lid').isNull().and(col('rid').isNotNull())).select('k', 'rid').collect();
      const want = await db.query(`SELECT r.k, r.rid FROM r_i64 r WHERE NOT EXISTS (SELECT 1 FROM l_i64 l WHERE l.k = r.k)`);
      expectSameMultiset(got as Row[], want, ['k', 'rid'], s.name);
    }
  });

  it("Spark's aliases for join types (left_outer, outer, left_semi, leftanti, ...)", async () => {
    const pairs: [string, JoinHow][] = [['left_outer', 'left'], ['rightouter', 'right'], ['outer', 'full'], ['full_outer', 'full'], ['left_semi', 'semi'], ['leftanti', 'anti']];
    for (const [alias, how] of pairs) {
      const sql = usingJoinSql('l_i64', 'r_i64', ['k'], ['lid', 'lv'], ['rid', 'rv'], how);
      const got = (await l.join(r, 'k', alias as JoinHow).collect()) as Row[];
      const want = await expected(sql);
      expectSameMultiset(got, want.rows, want.columns, alias);
    }
  });

  it('broadcast(ds) is the broadcast hint', async () => {
    const s: Strategy = { name: 'broadcast(ds) on the left', hints: [], op: 'BroadcastHashJoin', build: 'left' };
    const sql = usingJoinSql('l_i64', 'r_i64', ['k'], ['lid', 'lv'], ['rid', 'rv'], 'right');
    await checkJoin(broadcast(l), r, ['k'], 'right', s, sql);
  });

  it('a hint the join type cannot honour is ignored, and the join still right', async () => {
    // A left join cannot build (or broadcast) its left side; a full join cannot be broadcast.
    for (const how of ['left', 'semi', 'anti', 'full'] as const) {
      const ignored: Strategy = { name: 'broadcast hint on the left (ignored)', hints: [{ side: 'left', hint: 'broadcast' }], op: 'BroadcastHashJoin' };
      const [lh] = hinted(l, r, ignored);
      const ds = lh.join(r, 'k', how);
      expect(await ds.explain()).not.toContain('BuildLeft');
      const want = await expected(usingJoinSql('l_i64', 'r_i64', ['k'], ['lid', 'lv'], ['rid', 'rv'], how));
      expectSameMultiset((await ds.collect()) as Row[], want.rows, want.columns, how);
    }
  });

  it('a join of a dataset with itself (the same plan on both sides)', async () => {
    const small = l.select('k', 'lid');
    const other = small.withColumnRenamed('lid', 'lid2');
    for (const hint of ['shuffle_hash', 'merge', 'broadcast'] as const) {
      const got = (await small.join(other.hint(hint), 'k').collect()) as Row[];
      const want = await db.query('SELECT a.k, a.lid, b.lid AS lid2 FROM l_i64 a JOIN l_i64 b ON a.k = b.k');
      expectSameMultiset(got, want, ['k', 'lid', 'lid2'], hint);
    }
  });
});

describe('joins in bigger plans', () => {
  const sc = SCENARIOS[0]!;
  let l: Dataset, r: Dataset;
  beforeAll(async () => {
    l = spark.createDataset(sc.left, { schema: sc.leftSchema, partitions: 7 });
    r = spark.createDataset(sc.right, { schema: sc.rightSchema, partitions: 5 });
    await loadRows(db, 'l_i64', sc.left, sc.leftSchema);
    await loadRows(db, 'r_i64', sc.right, sc.rightSchema);
  });

  it('three joins in a chain, each with another strategy', async () => {
    const t = spark.createDataset(Array.from({ length: 30 }, (_, i) => ({ k: i % 15 - 4, tv: `t${i}` })), { schema: { k: 'int64', tv: 'string' }, partitions: 3 });
    await loadRows(db, 't3', Array.from({ length: 30 }, (_, i) => ({ k: i % 15 - 4, tv: `t${i}` })), { k: 'int64', tv: 'string' });
    const ds = l.join(r.hint('shuffle_hash'), 'k', 'left').join(t.hint('merge'), 'k', 'full').join(broadcast(t.withColumnRenamed('tv', 'tw')), 'k', 'semi');
    const plan = await ds.explain();
    for (const op of ['ShuffledHashJoin [k], LeftOuter, BuildRight', 'SortMergeJoin [k], FullOuter', 'BroadcastHashJoin [k], LeftSemi, BuildRight']) expect(plan).toContain(op);
    const want = await db.query(`
      WITH a AS (SELECT l.k, l.lid, l.lv, r.rid, r.rv FROM l_i64 l LEFT JOIN r_i64 r ON l.k = r.k),
           b AS (SELECT COALESCE(a.k, t.k) AS k, a.lid, a.lv, a.rid, a.rv, t.tv FROM a FULL JOIN t3 t ON a.k = t.k)
      SELECT * FROM b WHERE EXISTS (SELECT 1 FROM t3 WHERE t3.k = b.k)`);
    expectSameMultiset((await ds.collect()) as Row[], want, ['k', 'lid', 'lv', 'rid', 'rv', 'tv']);
    expect(joinsRan(lastJob(spark))).toEqual(['BroadcastHashJoin', 'ShuffledHashJoin', 'SortMergeJoin']);
  });

  it('sides repartitioned on the key into shufflePartitions join without another Exchange', async () => {
    for (const hint of ['shuffle_hash', 'merge'] as const) {
      const ds = l.repartition(3, 'k').join(r.repartition(3, 'k').hint(hint), 'k', 'full');
      const plan = await ds.explain();
      expect(occurrences(plan, 'Exchange hashpartitioning(k, 3)'), plan).toBe(2);
      const want = await db.query(usingJoinSql('l_i64', 'r_i64', ['k'], ['lid', 'lv'], ['rid', 'rv'], 'full'));
      expectSameMultiset((await ds.collect()) as Row[], want, ['k', 'lid', 'lv', 'rid', 'rv'], hint);
    }
  });

  it('a join of two aggregates grouped by the key, then an aggregate of the join', async () => {
    const a = l.groupBy('k').agg(count('*').as('n'), sum('lid').as('sl'));
    const b = r.groupBy('k').agg(sum('rid').as('sr'));
    for (const hint of ['shuffle_hash', 'merge', 'broadcast'] as const) {
      const ds = a.join(b.hint(hint), 'k', 'inner').groupBy('n').agg(count('*').as('keys'), sum('sr').as('sr'));
      const want = await db.query(`
        WITH a AS (SELECT k, count(*) AS n, sum(lid) AS sl FROM l_i64 GROUP BY k),
             b AS (SELECT k, sum(rid) AS sr FROM r_i64 GROUP BY k)
        SELECT a.n, count(*) AS keys, sum(b.sr) AS sr FROM a JOIN b ON a.k = b.k GROUP BY a.n`);
      expectSameMultiset((await ds.collect()) as Row[], want, ['n', 'keys', 'sr'], hint);
    }
  });

  it('a filter on the join output, and on each side before it', async () => {
    const ds = l.filter(col('lid').gt(5)).join(r.hint('merge'), 'k', 'left').filter(col('rv').isNull().or(col('k').lt(3)));
    const want = await db.query(`SELECT l.k, l.lid, l.lv, r.rid, r.rv FROM l_i64 l LEFT JOIN r_i64 r ON l.k = r.k
      WHERE l.lid > 5 AND (r.rv IS NULL OR l.k < 3)`);
    expectSameMultiset((await ds.collect()) as Row[], want, ['k', 'lid', 'lv', 'rid', 'rv']);
  });
});

describe('joins of Parquet files (a 3-file directory against one file)', () => {
  const sc = SCENARIOS.find((s) => s.table === 'multi')!;
  let l: Dataset, r: Dataset;
  beforeAll(async () => {
    await loadRows(db, 'l_multi', sc.left, sc.leftSchema);
    await loadRows(db, 'r_multi', sc.right, sc.rightSchema);
    const dir = path.join(root, 'left');
    await fs.mkdir(dir, { recursive: true });
    for (let f = 0; f < 3; f++) {
      await db.con.run(`COPY (SELECT * FROM l_multi WHERE lid % 3 = ${f} ORDER BY lid) TO ${sqlPath(path.join(dir, `part-${f}.parquet`))} (FORMAT parquet)`);
    }
    const file = path.join(root, 'right.parquet');
    await db.con.run(`COPY (SELECT * FROM r_multi ORDER BY rid) TO ${sqlPath(file)} (FORMAT parquet, ROW_GROUP_SIZE 10)`);
    // The oracle reads the same files (into tables: see transformations.test.ts on DuckDB's Parquet traps).
    await db.con.run(`CREATE OR REPLACE TABLE l_pq AS SELECT * FROM read_parquet(${sqlPath(path.join(dir, '*.parquet'))})`);
    await db.con.run(`CREATE OR REPLACE TABLE r_pq AS SELECT * FROM read_parquet(${sqlPath(file)})`);
    l = spark.read.parquet(dir);
    r = spark.read.parquet(file);
  });

  for (const how of JOIN_HOWS) {
    for (const s of forcedStrategies(how)) {
      it(`${how} join, ${s.name} → ${s.op}`, async () => {
        const sql = usingJoinSql('l_pq', 'r_pq', sc.keys, ['lid', 'lv'], ['rid', 'rv'], how);
        await checkJoin(l, r, sc.keys, how, s, sql);
      });
    }
  }

  it('a Parquet file joined with in-memory rows, after filters pushed into the scan', async () => {
    const mem = spark.createDataset(sc.right, { schema: sc.rightSchema, partitions: 2 });
    for (const hint of ['shuffle_hash', 'merge', 'broadcast'] as const) {
      const ds = l.filter(col('k1').gte(1)).join(mem.filter(col('rid').lt(1030)).hint(hint), ['k1', 'k2'], 'left');
      const want = await db.query(`SELECT l.k1, l.k2, l.lid, l.lv, r.rid, r.rv FROM l_pq l LEFT JOIN (SELECT * FROM r_multi WHERE rid < 1030) r
        ON l.k1 = r.k1 AND l.k2 = r.k2 WHERE l.k1 >= 1`);
      expectSameMultiset((await ds.collect()) as Row[], want, ['k1', 'k2', 'lid', 'lv', 'rid', 'rv'], hint);
    }
  });
});

describe('a sort-merge join larger than the memory budget', () => {
  const N = 200_000;
  let small: Session;
  beforeAll(async () => {
    small = await Session.create({ parallelism: 2, shufflePartitions: 3, memoryBudgetMb: 1, autoBroadcastJoinThreshold: -1 });
  });
  afterAll(async () => {
    await small?.stop();
  });

  it(`joins ${N} × ${N} rows through spilling sorts, matching DuckDB`, async () => {
    // Left: k = id·7 mod 150000 (50000 keys twice); right: k = id·11 mod 170000 (30000 keys twice).
    const left = small.range(N).select(col('id').mul(7).mod(150_000).as('k'), col('id').as('a'));
    const right = small.range(N).select(col('id').mul(11).mod(170_000).as('k'), col('id').mul(2).as('b'));
    const ds = left.join(right, 'k', 'inner');
    const text = await ds.explain('cost');
    expect(text).toContain('SortMergeJoin [k], Inner');
    expect(text).toMatch(/== Planning decisions ==\nJoin inner using \[k\]: SortMergeJoin: build side per partition .* > .* per task; broadcast disabled \(threshold -1\)/);
    const got = (await ds.collect()) as Row[];
    const job = lastJob(small);
    const joinStage = stageWith(job, 'SortMergeJoin');
    expect(joinStage, job.stages.map((s) => s.name).join(' | ')).toBeDefined();
    // Each side is N rows × 16 bytes, in 3 partitions of ~1 MiB against a 256 KiB sort buffer per
    // task: both sides' sorts spill nearly all of it, and both must be counted (regression: the
    // second Sort of a task overwrote the first one's spill count).
    expect(joinStage!.spillBytes, 'bytes the join stage spilled').toBeGreaterThan(1.5 * N * 16);
    expect(job.stages.some((s) => s.spillBytes > 0)).toBe(true);
    const want = await db.query(`
      WITH l AS (SELECT (i * 7) % 150000 AS k, i AS a FROM range(${N}) t(i)),
           r AS (SELECT (i * 11) % 170000 AS k, i * 2 AS b FROM range(${N}) t(i))
      SELECT l.k, l.a, r.b FROM l JOIN r ON l.k = r.k`);
    expect(got.length).toBe(want.length);
    expectSameMultiset(got, want, ['k', 'a', 'b']);
  });
});
