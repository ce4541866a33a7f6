// Property-based test: random tables (NULLs, empty strings, NaN with any bits, ±Infinity, -0.0,
// int32 boundaries, 10k-character and non-ASCII strings, skewed and duplicate keys, 0 and 1 rows)
// loaded through createDataset, fromArrow and DuckDB-written Parquet, and random pipelines over
// them (filter, select/withColumn with arithmetic and casts, drop, rename, groupBy/agg, every
// join type with 1–2 keys and strategies forced by hints, distinct, orderBy + limit, union,
// repartition/coalesce, persist), each run in one of three sessions (broadcast joins; adaptive
// execution with tiny thresholds; no broadcast with a memory budget small enough to spill). The
// generator writes each pipeline as DuckDB SQL with Spark's semantics (helpers/gen-spark-sql.ts
// lists where the engines differ) and every result is compared with DuckDB's: column names,
// Sparrow's column types against the generator's model of them, and the rows (as a multiset,
// or in order when the pipeline ends in an orderBy on every column).
//
//   SPARROW_PROPERTY_SEEDS=2000 npx vitest run test/e2e/property.test.ts   more seeds (default 120)
//   SPARROW_PROPERTY_FIRST=5000                                            first seed (default 1)
//   SPARROW_PROPERTY_SEED=1234 (or 12,34,56)                               just those seeds
//   SPARROW_PROPERTY_STATS=1                                               print how often each feature ran
//
// A failure prints the seed, the tables and how each was loaded, the pipeline as code and as
// SQL, and the first differing rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Session, col, lit } from '../../src/index.js';
import { openOracle, type Oracle } from '../helpers/oracle.js';
import { sqlPath, sqlResult, tempDir, type Row } from '../helpers/e2e.js';
import { Rand } from '../helpers/gen-random.js';
import { genWorld } from '../helpers/gen-table.js';
import { loadWorld } from '../helpers/gen-sources.js';
import { type Pipeline, PipelineGen, type Source } from '../helpers/gen-pipeline.js';
import { abbreviateSql, diffRows } from '../helpers/gen-report.js';
import { operatorsRan } from '../helpers/job.js';

const env = process.env;
const FIRST = Number(env['SPARROW_PROPERTY_FIRST'] ?? 1);
const COUNT = Number(env['SPARROW_PROPERTY_SEEDS'] ?? 120);
const SEEDS = env['SPARROW_PROPERTY_SEED'] !== undefined
  ? env['SPARROW_PROPERTY_SEED'].split(',').map(Number)
  : Array.from({ length: COUNT }, (_, i) => FIRST + i);
/** Sessions are recreated every so many seeds: registered in-memory tables live as long as their session. */
const SESSION_SEEDS = 250;

/**
 * Known Sparrow bugs the generator can produce but that cannot be fixed here; each names its
 * repro. A matching pipeline is skipped (reported as skipped), never compared loosely.
 */
const KNOWN_BUGS: readonly { readonly name: string; readonly applies: (p: Pipeline, sources: readonly Source[]) => boolean }[] = [];

/** The sessions a seed runs in (one per seed, picked at random): each drives other planner paths. */
const SESSION_KINDS = {
  // Small tables: every join without a hint is a broadcast join.
  plain: { parallelism: 2, shufflePartitions: 3 },
  // Joins of more than 2 KiB shuffle; adaptive execution then re-plans with the measured sizes:
  // demotes to broadcast, splits skewed buckets over 2 KiB, coalesces buckets under 1 KiB.
  adaptive: { parallelism: 2, shufflePartitions: 8, autoBroadcastJoinThreshold: 2048, advisoryPartitionSizeMb: 1 / 1024, skewedPartitionThresholdMb: 2 / 1024 },
  // No broadcast and no re-planning (the planned strategy runs); a 64 KiB memory budget makes
  // shuffles and sorts of the 10k-character strings spill to disk.
  tight: { parallelism: 2, shufflePartitions: 5, autoBroadcastJoinThreshold: -1, adaptive: false, memoryBudgetMb: 0.0625 },
} as const;
type SessionKind = keyof typeof SESSION_KINDS;
type Sessions = Record<SessionKind, Session>;
let sessions: Sessions | null = null;
let sessionSeeds = 0;
let db: Oracle;
let root: string;
/** How many compared pipelines used each feature (steps, expressions, and what the job did: 'ran:…', 'adaptive:…'). */
const featuresSeen = new Map<string, number>();
const sourceKindsSeen = new Set<string>();
let compared = 0;

async function openSessions(): Promise<Sessions> {
  return {
    plain: await Session.create(SESSION_KINDS.plain),
    adaptive: await Session.create(SESSION_KINDS.adaptive),
    tight: await Session.create(SESSION_KINDS.tight),
  };
}

async function closeSessions(): Promise<void> {
  if (!sessions) return;
  for (const s of Object.values(sessions)) await s.stop();
  sessions = null;
}

beforeAll(async () => {
  db = await openOracle();
  root = await tempDir('property');
});

afterAll(async () => {
  if (env['SPARROW_PROPERTY_STATS']) {
    console.log(`${compared} pipelines compared; features used:\n${[...featuresSeen].sort((a, b) => b[1] - a[1]).map(([f, n]) => `${f}: ${n}`).join('\n')}`);
  }
  await closeSessions();
  db?.close();
  if (root) await fs.rm(root, { recursive: true, force: true });
});

/** The failure report: everything needed to reproduce and read the case. */
function report(seed: number, sessionName: string, sources: readonly Source[], p: Pipeline | null, problem: string): string {
  return [
    `seed ${seed} failed — rerun with: SPARROW_PROPERTY_SEED=${seed} npx vitest run test/e2e/property.test.ts`,
    `session: ${sessionName}`,
    'tables:',
    ...sources.map((s) => `  ${s.describe}`),
    ...(p ? ['pipeline (Sparrow):', `  ${p.code}`, 'pipeline (DuckDB SQL with Spark semantics):', `  ${abbreviateSql(p.sql)}`] : []),
    problem,
  ].join('\n');
}

async function ensureSessions(): Promise<Sessions> {
  if (!sessions || sessionSeeds >= SESSION_SEEDS) {
    await closeSessions();
    sessions = await openSessions();
    sessionSeeds = 0;
  }
  return sessions;
}

/** What the last job did: the join operators that ran, spills, adaptive decisions. */
function observed(spark: Session): string[] {
  const job = spark.lastJob();
  if (!job) return [];
  const out = [...operatorsRan(job)].filter((op) => op.endsWith('Join')).map((op) => `ran:${op}`);
  if (job.stages.some((st) => st.spillBytes > 0)) out.push('ran:spill');
  for (const d of job.decisions) {
    if (d.includes('→ BroadcastHashJoin')) out.push('adaptive:demote-to-broadcast');
    if (d.includes('skewed partition')) out.push('adaptive:split-skewed');
    if (d.includes('coalesced')) out.push('adaptive:coalesce');
  }
  return out;
}

async function runSeed(seed: number): Promise<'compared' | string> {
  const sessions = await ensureSessions();
  sessionSeeds++;
  const r = new Rand(seed);
  const world = genWorld(r);
  const kind = r.weighted<SessionKind>([['plain', 0.35], ['adaptive', 0.35], ['tight', 0.3]]);
  const spark = sessions[kind];
  const sessionName = `${kind}: ${JSON.stringify(SESSION_KINDS[kind])}`;
  const dir = path.join(root, `seed-${seed}`);
  await fs.mkdir(dir, { recursive: true });
  let sources: Source[] = [];
  let p: Pipeline | null = null;
  try {
    sources = await loadWorld(r, world, spark, db, dir);
    for (const s of sources) sourceKindsSeen.add(s.kind);
    p = new PipelineGen(r, sources).pipeline();
    const bug = KNOWN_BUGS.find((b) => b.applies(p!, sources));
    if (bug) return bug.name;

    let expected: { columns: string[]; rows: Row[] };
    try {
      expected = await sqlResult(db, p.sql);
    } catch (err) {
      throw new Error(`the oracle's SQL failed (a generator bug): ${(err as Error).message}`);
    }
    const cols = p.schema.map((c) => c.name);
    if (JSON.stringify(expected.columns) !== JSON.stringify(cols)) {
      throw new Error(`the generator's columns ${JSON.stringify(cols)} differ from its SQL's ${JSON.stringify(expected.columns)} (a generator bug)`);
    }
    let schema, actual: Row[];
    try {
      schema = await p.ds.schema();
      actual = (await p.ds.collect()) as Row[];
    } catch (err) {
      throw new Error(`Sparrow failed: ${(err as Error).stack ?? String(err)}`);
    }
    const got = schema.map((f) => `${f.name}: ${f.type}`);
    const want = p.schema.map((c) => `${c.name}: ${c.type}`);
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      throw new Error(`schemas differ:\n  Sparrow:   ${got.join(', ')}\n  generator: ${want.join(', ')}`);
    }
    const diff = diffRows(actual, expected.rows, cols, p.ordered);
    if (diff) throw new Error(diff);
    compared++;
    for (const f of [...p.features, ...observed(spark)]) featuresSeen.set(f, (featuresSeen.get(f) ?? 0) + 1);
    return 'compared';
  } catch (err) {
    throw new Error(report(seed, sessionName, sources, p, env['SPARROW_PROPERTY_STACK'] ? (err as Error).stack ?? '' : (err as Error).message));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

describe('random pipelines over random tables agree with DuckDB', () => {
  it.for(SEEDS)('seed %i', { timeout: 120_000 }, async (seed, ctx) => {
    const outcome = await runSeed(seed);
    if (outcome !== 'compared') ctx.skip(`excluded as a known bug: ${outcome}`);
  });

  it.runIf(env['SPARROW_PROPERTY_SEED'] === undefined)('the generated pipelines covered every kind of step and source', () => {
    // Seeds skipped as known bugs (KNOWN_BUGS, empty at present) must stay a small share.
    expect(compared, 'pipelines compared').toBeGreaterThan(SEEDS.length * 0.7);
    const needed = [
      'filter', 'select', 'withColumn:add', 'withColumn:replace', 'groupBy.agg', 'agg', 'distinct', 'orderBy+limit',
      'join:inner', 'join:left', 'join:right', 'join:full', 'join:semi', 'join:anti', 'join:keys2',
      'hint:broadcast:right', 'hint:shuffle_hash:right', 'hint:merge:right', 'union:widen', 'repartition:keys',
      'agg:sum:float64', 'agg:sum:int64', 'agg:avg:float64', 'agg:countDistinct:int64', 'drop', 'select:*', 'orderBy:expression',
      'persist:cache', 'persist:DISK_ONLY', 'cast:string->int32', 'cast:float64->int32', 'roundtrip:float64->string->float64',
      // what the jobs did
      'ran:BroadcastHashJoin', 'ran:ShuffledHashJoin', 'ran:SortMergeJoin', 'ran:spill', 'adaptive:split-skewed', 'adaptive:coalesce',
    ];
    expect(needed.filter((f) => !featuresSeen.has(f)), 'features no compared pipeline used (the generator or the engine changed: widen the generator)').toEqual([]);
    expect([...sourceKindsSeen].sort()).toEqual(['createDataset', 'fromArrow', 'parquet-dir', 'parquet-file']);
  });
});

// Minimal repros of the Sparrow bugs the generator found: fixed ones as plain tests, unfixed ones
// as it.fails (which fails once the bug is fixed: then make it a plain test and drop its
// KNOWN_BUGS entry). The generator has changed since, so the seeds that found them do not.
describe('bugs the property test found, as minimal repros', () => {
  it('a join of int64 keys (left) with int32 keys (right) compares as int64 (keys were narrowed to int32, so 2^32 matched 0)', async () => {
    const spark = (await ensureSessions()).plain;
    const l = spark.createDataset([{ k: 2 ** 32, a: 'big' }, { k: 0, a: 'zero' }], { schema: { k: 'int64', a: 'string' } });
    const r = spark.createDataset([{ k: 0, b: 'p' }], { schema: { k: 'int32', b: 'string' } });
    const inner = l.join(r, 'k');
    expect((await inner.schema()).map((f) => f.type)).toEqual(['int64', 'string', 'string']);
    expect(await inner.collect()).toEqual([{ k: 0, a: 'zero', b: 'p' }]);
    expect(await l.join(r, 'k', 'anti').collect()).toEqual([{ k: 2 ** 32, a: 'big' }]);
  });

  it('orderBy().limit() over a union of empty Parquet files (failed: "internal: union has no partition 0")', async () => {
    const dir = path.join(root, 'empty-union');
    await fs.mkdir(dir, { recursive: true });
    await db.con.run('CREATE OR REPLACE TABLE empty_t AS SELECT 1::BIGINT AS k WHERE false');
    for (const f of ['a', 'b']) await db.con.run(`COPY empty_t TO ${sqlPath(path.join(dir, `${f}.parquet`))} (FORMAT parquet)`);
    const t = (await ensureSessions()).plain.read.parquet(dir);
    expect(await t.union(t).orderBy('k').limit(3).collect()).toEqual([]);
    expect(await t.union(t).limit(3).collect()).toEqual([]);
  });

  it('an aggregate whose hash table spills first in a session (failed: ENOENT, its tmpDir was never made)', async () => {
    const spark = await Session.create({ parallelism: 1, shufflePartitions: 2, memoryBudgetMb: 1, tmpDir: path.join(root, 'fresh-tmp') });
    try {
      const rows = Array.from({ length: 20_000 }, (_, i) => ({ a: `value-${i}` }));
      expect(await spark.createDataset(rows, { partitions: 2 }).distinct().count()).toBe(20_000);
      expect(spark.lastJob()!.stages.some((st) => st.spillBytes > 0), 'the aggregate spilled').toBe(true);
    } finally {
      await spark.stop();
    }
  });

  it('a kernel compiled for lit(NaN) is not reused for lit(Infinity) (the expression fingerprint was JSON, which writes both as null)', async () => {
    const spark = await Session.create({ parallelism: 1 }); // one worker: both queries compile there
    try {
      const t = spark.createDataset([{ x: 1.5 }], { schema: { x: 'float64' } });
      await t.select(col('x').plus(lit(NaN)).as('a')).collect();
      expect(await t.select(col('x').plus(lit(Infinity)).as('a')).collect()).toEqual([{ a: Infinity }]);
    } finally {
      await spark.stop();
    }
  });

  it('combine-filters keeps both x > -Infinity and x > NaN (the fingerprint called them equal)', async () => {
    const t = (await ensureSessions()).plain.createDataset([{ x: 1.5 }], { schema: { x: 'float64' } });
    // x > NaN is false (NaN is the largest double): no row passes both filters.
    expect(await t.filter(col('x').gt(lit(-Infinity))).filter(col('x').gt(lit(NaN))).count()).toBe(0);
  });

  it('a typed NULL widens arithmetic as Spark does (lit(null).cast(int64) - int32 column is int64; was int32)', async () => {
    const ds = (await ensureSessions()).plain.createDataset([{ a: 1 }], { schema: { a: 'int32' } })
      .select(lit(null).cast('int64').minus(col('a')).as('x'));
    expect((await ds.schema())[0]!.type).toBe('int64');
  });
});
