// The logistic-regression example (examples/logistic-regression.ts) on a small instance: one
// gradient step equals the same sums computed by DuckDB over the same points; training follows
// plain-JS gradient descent on the collected points step for step and lands near the true
// weights; the points are computed once (cached) however many iterations run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session, type Dataset } from '../../src/index.js';
import {
  FEATURES, FEATURE_NAMES, TRUE_WEIGHTS, distance, generatePoints, gradient, train, type Point,
} from '../../examples/logistic-regression.js';
import { openOracle, type Oracle } from '../helpers/oracle.js';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { sqlPath, tempDir } from '../helpers/e2e.js';

const N = 20_000;

let spark: Session;
let db: Oracle;
let points: Dataset<Point>;
let rows: Point[];
let dir: string;

beforeAll(async () => {
  spark = await Session.create({ parallelism: 2 });
  db = await openOracle();
  points = generatePoints(spark, N, 6).cache();
  rows = await points.collect();
  // DuckDB reads the very points Sparrow generated.
  dir = await tempDir('lr');
  await points.write.parquet(path.join(dir, 'points'));
  await db.con.run(`CREATE TABLE points AS SELECT * FROM read_parquet(${sqlPath(path.join(dir, 'points', '*.parquet'))})`);
});

afterAll(async () => {
  await spark?.stop();
  db?.close();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

/** Relative difference, against a scale of at least 1. */
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));

describe('logistic regression example', () => {
  it('generates n labelled points deterministically: features in [-1, 1), labels 0/1 near σ(w·x)', async () => {
    expect(rows.length).toBe(N);
    expect((await db.query('SELECT count(*) AS n FROM points'))[0]!['n']).toBe(N);
    expect(Object.keys(rows[0]!)).toEqual([...FEATURE_NAMES, 'y']);
    for (const r of rows.slice(0, 2000)) {
      for (const f of FEATURE_NAMES) expect(Math.abs((r as unknown as Record<string, number>)[f]!)).toBeLessThanOrEqual(1);
      expect([0, 1]).toContain(r.y);
    }
    const [stats] = await db.query(`SELECT avg(x1) AS m1, avg(x1 * x1) AS v1, avg(x1 * x2) AS c12, avg(y) AS p FROM points`);
    expect(Math.abs(stats!['m1'] as number)).toBeLessThan(0.02);
    expect(stats!['v1'] as number).toBeCloseTo(1 / 3, 1);
    expect(Math.abs(stats!['c12'] as number)).toBeLessThan(0.02);
    expect(stats!['p'] as number).toBeGreaterThan(0.3);
    expect(stats!['p'] as number).toBeLessThan(0.8);
    const again = await generatePoints(spark, N, 3).limit(5).collect();
    expect(again).toEqual(rows.slice(0, 5));
  });

  it('one gradient step equals the same sums computed by DuckDB SQL', async () => {
    const w = [0.3, -0.2, 0.5, 0.1, -0.7, 0.25, 0.9, -0.4, 0.05];
    const step = await gradient(points, w);
    const z = `(${w[0]} + ${FEATURE_NAMES.map((f, j) => `${w[j + 1]} * ${f}`).join(' + ')})`;
    const err = `(1.0 / (1.0 + exp(-${z})) - y)`;
    const [want] = await db.query(`SELECT sum(${err}) AS g0, ${FEATURE_NAMES.map((f, j) => `sum(${err} * ${f}) AS g${j + 1}`).join(', ')},
      avg(ln(1 + exp(${z} * (1 - 2 * y)))) AS loss, avg(CASE WHEN (${z} > 0) = (y = 1) THEN 1.0 ELSE 0.0 END) AS acc, count(*) AS n FROM points`);
    expect(step.n).toBe(N);
    expect(step.gradient).toHaveLength(FEATURES + 1);
    step.gradient.forEach((g, j) => expect(rel(g, want![`g${j}`] as number), `g${j}: ${g} vs ${want![`g${j}`]}`).toBeLessThan(1e-9));
    expect(rel(step.loss, want!['loss'] as number)).toBeLessThan(1e-9);
    expect(step.accuracy).toBeCloseTo(want!['acc'] as number, 12);
  });

  it('training matches plain-JS gradient descent on the same points and converges to the true weights', async () => {
    const iterations = 30;
    const before = spark.cacheStats();
    const seen: number[][] = [];
    const { weights, history } = await train(points, { iterations, learningRate: 10, onIteration: (_, w) => seen.push([...w]) });
    // The points were computed once, before training: every iteration read the cache.
    const after = spark.cacheStats();
    expect(after.misses).toBe(before.misses);
    expect(after.hits - before.hits).toBe(iterations);

    // The same algorithm in plain JS over the collected points.
    const X = rows.map((r) => [1, ...FEATURE_NAMES.map((f) => (r as unknown as Record<string, number>)[f]!)]);
    const w = new Array<number>(FEATURES + 1).fill(0);
    for (let it = 0; it < iterations; it++) {
      const g = new Array<number>(FEATURES + 1).fill(0);
      X.forEach((x, i) => {
        const e = 1 / (1 + Math.exp(-x.reduce((s, v, j) => s + v * w[j]!, 0))) - rows[i]!.y;
        x.forEach((v, j) => { g[j]! += e * v; });
      });
      for (let j = 0; j <= FEATURES; j++) w[j]! -= (10 * g[j]!) / N;
      seen[it]!.forEach((v, j) => expect(rel(v, w[j]!), `iteration ${it + 1}, w${j}`).toBeLessThan(1e-8));
    }

    expect(history.map((h) => h.iteration)).toEqual(Array.from({ length: iterations }, (_, i) => i + 1));
    for (let i = 1; i < history.length; i++) expect(history[i]!.loss).toBeLessThanOrEqual(history[i - 1]!.loss + 1e-12);
    expect(history[0]!.loss).toBeCloseTo(Math.log(2), 12); // w = 0: σ = ½ everywhere
    expect(history[history.length - 1]!.accuracy).toBeGreaterThan(0.75);
    // 20,000 noisy labels: the estimate is within sampling error of the truth (~0.04 a weight).
    expect(distance(weights, TRUE_WEIGHTS)).toBeLessThan(0.35);
    weights.forEach((v, j) => expect(Math.abs(v - TRUE_WEIGHTS[j]!), `w${j}`).toBeLessThan(0.2));
  });
});
