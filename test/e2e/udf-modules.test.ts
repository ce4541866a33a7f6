// UDF modules: helper functions registered with a session (session.registerModule) and called
// from lambdas through ctx. Checked with 1 and 2 workers: map, filter, mapPartitions and
// groupByKey results against DuckDB or plain JS; each module imported once per worker; a .js
// module and a .ts one (examples/kmeans-udfs.ts, and one written at test time); a module of
// another session, a missing export and a failing import rejected with the file named.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaError, Session, TaskFailedError, type LambdaCtx, type UdfModule } from '../../src/index.js';
import * as KmeansUdfs from '../../examples/kmeans-udfs.js';
import { openOracle, type Oracle } from '../helpers/oracle.js';
import { expectSameAsSql, loadRows, rejection, tempDir } from '../helpers/e2e.js';

type P = { id: number; x: number; y: number };

const N = 3000;
const points: P[] = Array.from({ length: N }, (_, i) => ({ id: i, x: ((i * 7919) % 1000) / 37, y: ((i * 104729) % 997) / 41 }));
const CENTERS = [{ x: 3.3, y: 4.1 }, { x: 20.7, y: 9.9 }, { x: 11.1, y: 20.3 }, { x: 25.5, y: 22.2 }];
const BOX = { x0: 5, x1: 18.5, y0: 2, y1: 15 };

// The .js module (ESM: its directory's package.json says "type": "module").
const GEO_JS = `
export function inBox(p, b) { return p.x >= b.x0 && p.x < b.x1 && p.y >= b.y0 && p.y < b.y1; }
export function cell(p) { return Math.floor(p.x / 10) * 10 + Math.floor(p.y / 10); }
export function explode(p) { if (p.id === 2500) throw new Error('geo.explode: bad point ' + p.id); return p.id; }
`;
// A .ts module that counts its own evaluations in this thread's global object.
const COUNTER_TS = `
import { threadId } from 'node:worker_threads';
const g = globalThis as { __sparrowUdfCounter?: number };
g.__sparrowUdfCounter = (g.__sparrowUdfCounter ?? 0) + 1;
export function imports(): number { return g.__sparrowUdfCounter ?? 0; }
export function thread(): number { return threadId; }
`;
// Imports on the driver; refuses to load once the flag file exists (as in the workers below).
const LATE_JS = `
import { existsSync } from 'node:fs';
if (existsSync(new URL('./late.flag', import.meta.url))) throw new Error('late.js refuses to load: the flag is set');
export const id = (x) => x;
`;

let dir: string;
let db: Oracle;

beforeAll(async () => {
  dir = await tempDir('udf-modules');
  await fs.writeFile(path.join(dir, 'package.json'), '{ "type": "module" }');
  await fs.writeFile(path.join(dir, 'geo.js'), GEO_JS);
  await fs.writeFile(path.join(dir, 'counter.ts'), COUNTER_TS);
  await fs.writeFile(path.join(dir, 'late.js'), LATE_JS);
  await fs.writeFile(path.join(dir, 'broken.js'), 'export const a = 1;\nthrow new Error("broken.js: cannot start");\n');
  await fs.writeFile(path.join(dir, 'tag-a.js'), 'export const tag = () => "a";\n');
  await fs.writeFile(path.join(dir, 'tag-b.js'), 'export const tag = () => "b";\n');
  db = await openOracle();
  await loadRows(db, 'pts', points, { id: 'int64', x: 'float64', y: 'float64' });
  await db.con.run(`CREATE TABLE centers AS SELECT * FROM (VALUES ${CENTERS.map((c, i) => `(${i}, ${c.x}, ${c.y})`).join(', ')}) t(i, cx, cy)`);
});

afterAll(async () => {
  db?.close();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

describe.each([1, 2])('UDF modules with %i worker(s)', (workers) => {
  let spark: Session;
  let geo: UdfModule<{ inBox(p: P, b: typeof BOX): boolean; cell(p: P): number; explode(p: P): number }>;
  let km: UdfModule<typeof KmeansUdfs>;
  let counter: UdfModule<{ imports(): number; thread(): number }>;

  beforeAll(async () => {
    spark = await Session.create({ parallelism: workers });
    geo = await spark.registerModule('geo', path.join(dir, 'geo.js'));
    km = await spark.registerModule<typeof KmeansUdfs>('kmeans', new URL('../../examples/kmeans-udfs.js', import.meta.url));
    counter = await spark.registerModule('counter', path.join(dir, 'counter.ts'));
  });

  afterAll(async () => {
    await spark?.stop();
  });

  const pts = () => spark.createDataset(points, { partitions: 6 });

  it('map calls a .ts module function (matches DuckDB)', async () => {
    expect(km.file).toBe(path.resolve('examples/kmeans-udfs.ts'));
    const ctx = { km, centers: spark.broadcast(CENTERS) };
    const ds = pts().map((p, c: LambdaCtx<typeof ctx>) => ({ id: p.id, center: c.km.nearest(p, c.centers) }), ctx);
    await expectSameAsSql(ds, db,
      'SELECT id, arg_min(i, (x - cx) * (x - cx) + (y - cy) * (y - cy))::BIGINT AS center FROM pts, centers GROUP BY id');
  });

  it('filter and mapPartitions call a .js module function (DuckDB; plain JS)', async () => {
    const inside = pts().filter((p, c: { geo: { inBox(p: P, b: typeof BOX): boolean }; box: typeof BOX }) => c.geo.inBox(p, c.box), { geo, box: BOX });
    await expectSameAsSql(inside, db, `SELECT * FROM pts WHERE x >= ${BOX.x0} AND x < ${BOX.x1} AND y >= ${BOX.y0} AND y < ${BOX.y1}`);

    const perPartition = await pts().mapPartitions((rows, c: LambdaCtx<{ geo: typeof geo }>) => {
      let s = 0;
      for (const p of rows) s += c.geo.cell(p);
      return [{ rows: rows.length, cells: s }];
    }, { geo }).collect();
    expect(perPartition).toHaveLength(6);
    const cellOf = (p: P) => Math.floor(p.x / 10) * 10 + Math.floor(p.y / 10);
    expect(perPartition.reduce((s, r) => s + r.rows, 0)).toBe(N);
    expect(perPartition.reduce((s, r) => s + r.cells, 0)).toBe(points.reduce((s, p) => s + cellOf(p), 0));
  });

  it('groupByKey reaches a module nested in its ctx', async () => {
    const ctx = { km, centers: CENTERS };
    const sizes = await pts().groupByKey((p, c: LambdaCtx<typeof ctx>) => c.km.nearest(p, c.centers), ctx)
      .mapGroups((k: number, rows) => ({ center: k, n: rows.length }))
      .collect();
    const expected = new Map<number, number>();
    for (const p of points) { const k = KmeansUdfs.nearest(p, CENTERS); expected.set(k, (expected.get(k) ?? 0) + 1); }
    expect(new Map(sizes.map((r) => [r.center, r.n]))).toEqual(expected);
  });

  it('a module is imported once per worker, not per task or job', async () => {
    const seen = () => pts().mapPartitions((rows, c: LambdaCtx<{ counter: typeof counter }>) =>
      [{ thread: c.counter.thread(), imports: c.counter.imports(), rows: rows.length }], { counter }).collect();
    const runs = [...await seen(), ...await seen(), ...await seen()];
    expect(runs).toHaveLength(18);
    // Every task saw one evaluation of the module in its thread, on at most `workers` threads.
    expect(runs.every((r) => r.imports === 1)).toBe(true);
    expect(new Set(runs.map((r) => r.thread)).size).toBeLessThanOrEqual(workers);
    expect(counter.exports.imports()).toBe(1); // the driver's own import
  });

  it('the same lambda source with two different modules gives each its own', async () => {
    const a = await spark.registerModule<{ tag(): string }>('tagA', path.join(dir, 'tag-a.js'));
    const b = await spark.registerModule<{ tag(): string }>('tagB', path.join(dir, 'tag-b.js'));
    const tagged = (m: typeof a) => spark.range(4, undefined, 1, 2).map((r, c: LambdaCtx<{ m: typeof a }>) => ({ id: r.id, t: c.m.tag() }), { m });
    const rows = await tagged(a).union(tagged(b)).collect();
    expect(rows.map((r) => `${r.id}${r.t}`).sort()).toEqual(['0a', '0b', '1a', '1b', '2a', '2b', '3a', '3b']);
  });

  it('a function that throws fails the task as usual', async () => {
    const err = await rejection(pts().map((p, c: LambdaCtx<{ geo: typeof geo }>) => ({ v: c.geo.explode(p) }), { geo }).collect());
    expect(err).toBeInstanceOf(TaskFailedError);
    expect(err.message).toMatch(/task for partition 5 of stage \d+ failed.*: geo\.explode: bad point 2500$/);
  });

  it('a missing export fails the lambda check, listing the module\'s exports', async () => {
    const err = await rejection(pts().map((p, c: any) => ({ v: c.geo.celll(p) }), { geo }).collect());
    expect(err).toBeInstanceOf(LambdaError);
    expect(err.message).toContain(`UDF module 'geo' (${path.join(dir, 'geo.js')}) has no export 'celll'; it exports: cell, explode, inBox`);
    expect(spark.lastJob()?.description).toBe('sample for lambda check');
  });
});

describe('registration', () => {
  let spark: Session;
  let other: Session;

  beforeAll(async () => {
    spark = await Session.create({ parallelism: 1 });
    other = await Session.create({ parallelism: 1 });
  });

  afterAll(async () => {
    await spark?.stop();
    await other?.stop();
  });

  it('a module of another session is rejected before any task runs, naming it and listing this session\'s', async () => {
    const geo = await spark.registerModule('geo', path.join(dir, 'geo.js'));
    const ds = other.range(10).map((r, c: any) => ({ b: c.geo.inBox({ x: r.id, y: r.id }, { x0: 0, x1: 5, y0: 0, y1: 5 }) }), { geo });
    let err = await rejection(ds.collect());
    expect(err).toBeInstanceOf(LambdaError);
    expect(err.message).toContain(`map(): ctx.geo is UDF module 'geo' (${path.join(dir, 'geo.js')}), which is not registered with this session; registered modules: none`);
    expect(other.lastJob()).toBeNull();

    await other.registerModule('tags', path.join(dir, 'tag-a.js'));
    err = await rejection(other.range(10).filter((r, c: any) => c.inner.geo.inBox(r, r), { inner: { geo } }).count());
    expect(err.message).toContain(`filter(): ctx.inner.geo is UDF module 'geo'`);
    expect(err.message).toContain(`registered modules: 'tags' (${path.join(dir, 'tag-a.js')})`);
    expect(other.lastJob()).toBeNull();
  });

  it('a name is registered once per session: the same file gives the same handle, another file is an error', async () => {
    const a = await spark.registerModule('tags', path.join(dir, 'tag-a.js'));
    expect(await spark.registerModule('tags', path.join(dir, 'tag-a.js'))).toBe(a);
    await expect(spark.registerModule('tags', path.join(dir, 'tag-b.js')))
      .rejects.toThrow(`registerModule('tags'): this session already has a module named 'tags' (${path.join(dir, 'tag-a.js')})`);
    await expect(spark.registerModule('', path.join(dir, 'tag-b.js'))).rejects.toThrow(/must be a non-empty string/);
  });

  it('a module that fails to import on the driver fails registration, naming the file and the error', async () => {
    await expect(spark.registerModule('broken', path.join(dir, 'broken.js')))
      .rejects.toThrow(`registerModule('broken'): cannot import ${path.join(dir, 'broken.js')}: broken.js: cannot start`);
    await expect(spark.registerModule('gone', path.join(dir, 'gone.js')))
      .rejects.toThrow(`registerModule('gone'): no such file ${path.join(dir, 'gone.js')}`);
  });

  it('a module that fails to import in a worker fails the job, naming the file and the error', async () => {
    const late = await spark.registerModule<{ id<T>(x: T): T }>('late', path.join(dir, 'late.js'));
    await fs.writeFile(path.join(dir, 'late.flag'), '');
    try {
      const err = await rejection(spark.range(100, undefined, 1, 3).map((r, c: LambdaCtx<{ late: typeof late }>) => c.late.id(r), { late }).collect());
      expect(err).toBeInstanceOf(TaskFailedError);
      expect(err.message).toContain(`UDF module 'late' (${path.join(dir, 'late.js')}) failed to import in a worker: late.js refuses to load: the flag is set`);
    } finally {
      await fs.rm(path.join(dir, 'late.flag'));
    }
  });
});
