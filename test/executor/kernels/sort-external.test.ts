// External sort: a tiny memory budget forces many spilled runs (and merge passes); the output
// must equal one in-memory stable sort, batches stay within batchRows, and the run files are
// gone afterwards — also when the consumer stops early or the caller gives up.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Schema, field } from '../../../src/planner/types.js';
import { type Batch, rowsToBatch, batchToRows, concatBatches } from '../../../src/executor/batch.js';
import { ExternalSorter } from '../../../src/executor/kernels/external-sort.js';
import { sortBatch, sortKey } from '../../../src/executor/kernels/sort.js';
import { rng, toBatches, scribble } from './join-fixtures.js';

const SCHEMA: Schema = [field('id', 'int32', false), field('i', 'int32'), field('x', 'float64'), field('s', 'string'), field('b', 'boolean'), field('t', 'timestamp')];
const WORDS = ['', 'a', 'é', '日本', '😀', 'zz', 'long-ish string value here'];

function genRows(n: number, seed: number): Record<string, unknown>[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, id) => ({
    id,
    i: r() < 0.1 ? null : Math.floor(r() * 50) - 25,
    x: r() < 0.1 ? null : r() < 0.05 ? [NaN, -0, 0, Infinity][Math.floor(r() * 4)] : Math.round(r() * 1000) / 10,
    s: r() < 0.1 ? null : WORDS[Math.floor(r() * WORDS.length)]! + (r() < 0.5 ? String(Math.floor(r() * 100)) : ''),
    b: r() < 0.1 ? null : r() < 0.5,
    t: r() < 0.1 ? null : 1.6e12 + Math.floor(r() * 1e6),
  }));
}

let tmp: string;
beforeEach(async () => { tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'sparrow-xsort-test-')); });
afterEach(async () => { await fs.rm(tmp, { recursive: true, force: true }); });

const ROWS = genRows(8_000, 3);
const KEYS = [sortKey(1), sortKey(3, false), sortKey(2, true, false)];

/** Rows as comparable strings (fast to compare; NaN and ±Infinity kept apart from NULL). */
function canon(b: Batch): string[] {
  return batchToRows(b).map((r) => JSON.stringify(Object.values(r).map((v) =>
    typeof v === 'number' && !Number.isFinite(v) ? String(v) : v instanceof Date ? v.getTime() : v)));
}

async function feed(s: ExternalSorter, batches: Batch[]): Promise<void> {
  for (const b of batches) {
    await s.add(b);
    scribble(b); // a borrowed batch is reused by its producer after the next pull
  }
}

async function drain(s: ExternalSorter): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of s.finish()) out.push(b);
  return out;
}

describe('ExternalSorter', () => {
  it('spills runs under a tiny budget, merges in passes, and matches the in-memory sort', async () => {
    const expected = canon(sortBatch(rowsToBatch(SCHEMA, ROWS), KEYS));
    const s = new ExternalSorter(SCHEMA, KEYS, { memoryBytes: 24 * 1024, tmpDir: tmp, batchRows: 1000, maxMergeWidth: 4 });
    await feed(s, toBatches(SCHEMA, ROWS, 700));
    expect(s.spilledRuns).toBeGreaterThan(4);
    const initialRuns = s.spilledRuns;
    expect((await fs.readdir(tmp)).length).toBe(1); // the sorter's private directory
    const out = await drain(s);
    expect(out.every((b) => b.length <= 1000 && b.length > 0)).toBe(true);
    expect(canon(concatBatches(SCHEMA, out))).toEqual(expected);
    expect(s.spilledBytes).toBeGreaterThan(0);
    // The last buffer spills at finish (one run); merge passes wrote more.
    expect(s.spilledRuns).toBeGreaterThan(initialRuns + 1);
    expect(await fs.readdir(tmp)).toEqual([]);
  });

  it('sorts in memory without touching the disk when the input fits', async () => {
    const s = new ExternalSorter(SCHEMA, KEYS, { memoryBytes: 64 << 20, tmpDir: tmp, batchRows: 5000 });
    await feed(s, toBatches(SCHEMA, ROWS, 3000));
    const out = await drain(s);
    expect(out.map((b) => b.length)).toEqual([5000, 3000]);
    expect(canon(concatBatches(SCHEMA, out))).toEqual(canon(sortBatch(rowsToBatch(SCHEMA, ROWS), KEYS)));
    expect(s.spilledBytes).toBe(0);
    expect(await fs.readdir(tmp)).toEqual([]);
  });

  it('is stable: equal keys keep input order across runs', async () => {
    const rows = ROWS.slice(0, 4000).map((r, id) => ({ ...r, id, i: (r['i'] as number | null) === null ? null : (r['i'] as number) % 3 }));
    const s = new ExternalSorter(SCHEMA, [sortKey(1)], { memoryBytes: 8 * 1024, tmpDir: tmp });
    await feed(s, toBatches(SCHEMA, rows, 250));
    const out = batchToRows(concatBatches(SCHEMA, await drain(s)));
    const expected = rows.slice().sort((a, b) => {
      const x = a['i'] as number | null, y = b['i'] as number | null;
      if (x === y) return (a['id'] as number) - (b['id'] as number);
      if (x === null) return -1;
      if (y === null) return 1;
      return x - y;
    });
    expect(out.map((r) => r['id'])).toEqual(expected.map((r) => r['id']));
  });

  it('removes its files when the consumer stops early', async () => {
    const s = new ExternalSorter(SCHEMA, KEYS, { memoryBytes: 16 * 1024, tmpDir: tmp, batchRows: 100 });
    await feed(s, toBatches(SCHEMA, ROWS.slice(0, 3000), 500));
    expect(s.spilledRuns).toBeGreaterThan(1);
    for await (const b of s.finish()) { expect(b.length).toBe(100); break; }
    expect(await fs.readdir(tmp)).toEqual([]);
  });

  it('removes its files on close() when the caller gives up, and refuses more input', async () => {
    const s = new ExternalSorter(SCHEMA, KEYS, { memoryBytes: 16 * 1024, tmpDir: tmp });
    await feed(s, toBatches(SCHEMA, ROWS.slice(0, 2000), 500));
    expect((await fs.readdir(tmp)).length).toBe(1);
    await s.close();
    expect(await fs.readdir(tmp)).toEqual([]);
    await expect(s.add(rowsToBatch(SCHEMA, ROWS.slice(0, 1)))).rejects.toThrow(/add\(\) after close\(\)/);
  });

  it('handles no input, and rejects a bad key or budget', async () => {
    const s = new ExternalSorter(SCHEMA, KEYS, { memoryBytes: 1024, tmpDir: tmp });
    await s.add(rowsToBatch(SCHEMA, []));
    expect(await drain(s)).toEqual([]);
    expect(() => new ExternalSorter(SCHEMA, [sortKey(9)], { memoryBytes: 1, tmpDir: tmp })).toThrow(/key column 9 is out of range/);
    expect(() => new ExternalSorter(SCHEMA, KEYS, { memoryBytes: 0, tmpDir: tmp })).toThrow(/memoryBytes must be positive/);
  });
});
