// Sorting more rows than fit in memory: buffer batches up to a byte budget, sort each full
// buffer and spill it to a run file (sort-spill.ts), then k-way merge the runs back
// (sort-merge.ts), reading every run one chunk at a time so merge memory stays bounded.
//
//   const s = new ExternalSorter(schema, keys, { memoryBytes: 64 << 20, tmpDir });
//   try { for await (const b of input) await s.add(b); } catch (e) { await s.close(); throw e; }
//   for await (const out of s.finish()) emit(out);     // batches of <= batchRows rows
//
// Nothing spills when the input fits the budget: finish() then sorts in memory. More runs
// than maxMergeWidth are merged in passes (each pass merges consecutive groups of `width`).
// Equal keys keep their input order (runs hold consecutive input, ties go to earlier runs).
//
// Files live in a private directory under tmpDir, removed when finish() completes or is
// abandoned (a `for await` that breaks or throws), when add() fails, and by close() (which
// the caller must call when it gives up before finishing). Memory: the buffered batches,
// plus about as much again while a buffer is sorted and written; merging holds one chunk
// per run being merged plus the output batch.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Schema } from '../../planner/types.js';
import { type Batch, batchBytes, concatBatches, numRows, own } from '../batch.js';
import { type SortKey } from './sort-compare.js';
import { KWayMerger } from './sort-merge.js';
import { RunReader, RunWriter, type RunFile } from './sort-spill.js';
import { gatherBatch, sortIndices } from './sort.js';

export interface ExternalSortOptions {
  /** Bytes of input buffered before a run is sorted and spilled. */
  readonly memoryBytes: number;
  /** Directory for run files (a private subdirectory is created inside). */
  readonly tmpDir: string;
  /** Largest output batch, in rows (default 65536). */
  readonly batchRows?: number;
  /** Most runs merged at once (default 64). */
  readonly maxMergeWidth?: number;
  /**
   * Called after each add with the bytes now buffered; returning true spills a run even below
   * memoryBytes (the task as a whole is over its share: task-memory.ts).
   */
  readonly onBuffered?: (bytes: number) => boolean;
}

export class ExternalSorter {
  /** Bytes written to run files so far (intermediate merge passes included). */
  spilledBytes = 0;
  /** Run files written so far (intermediate merge passes included). */
  spilledRuns = 0;
  /** Most bytes held in the input buffer at once. */
  peakBufferedBytes = 0;
  private readonly schema: Schema;
  private readonly keys: readonly SortKey[];
  private readonly memoryBytes: number;
  private readonly tmpDir: string;
  private readonly batchRows: number;
  private readonly width: number;
  private readonly onBuffered: ((bytes: number) => boolean) | null;
  private buffered: Batch[] = [];
  private bufferedBytes = 0;
  private bufferedRows = 0;
  private runs: RunFile[] = [];
  private dir: string | null = null;
  private fileSeq = 0;
  private state: 'adding' | 'finishing' | 'closed' = 'adding';

  constructor(schema: Schema, keys: readonly SortKey[], opts: ExternalSortOptions) {
    for (const k of keys) {
      if (!schema[k.col]) throw new Error(`external sort: key column ${k.col} is out of range (${schema.length} columns)`);
    }
    if (!(opts.memoryBytes > 0)) throw new Error(`external sort: memoryBytes must be positive, got ${opts.memoryBytes}`);
    this.schema = schema;
    this.keys = keys;
    this.memoryBytes = opts.memoryBytes;
    this.tmpDir = opts.tmpDir;
    this.batchRows = Math.max(1, opts.batchRows ?? 65536);
    this.width = Math.max(2, opts.maxMergeWidth ?? 64);
    this.onBuffered = opts.onBuffered ?? null;
  }

  /** Buffers the live rows of `b` (copied if borrowed); spills a sorted run past the budget. */
  async add(b: Batch): Promise<void> {
    if (this.state !== 'adding') throw new Error(`external sort: add() after ${this.state === 'closed' ? 'close()' : 'finish()'}`);
    if (numRows(b) === 0) return;
    const o = own(b);
    this.buffered.push(o);
    this.bufferedBytes += batchBytes(o);
    this.bufferedRows += o.length;
    if (this.bufferedBytes > this.peakBufferedBytes) this.peakBufferedBytes = this.bufferedBytes;
    const pressed = this.onBuffered !== null && this.onBuffered(this.bufferedBytes);
    if (this.bufferedBytes >= this.memoryBytes || pressed) {
      try {
        await this.spill();
      } catch (err) {
        await this.close();
        throw err;
      }
    }
  }

  /** The sorted rows. Cleans up its files when done or abandoned. */
  async *finish(): AsyncGenerator<Batch, void, undefined> {
    if (this.state !== 'adding') throw new Error(`external sort: finish() called twice or after close()`);
    this.state = 'finishing';
    try {
      if (this.runs.length === 0) {
        yield* this.sortedBuffer();
        return;
      }
      await this.spill();
      // Merge passes: consecutive groups of `width` runs each become one run, in order (so
      // ties still resolve to the earlier input), until one final merge can take them all.
      while (this.runs.length > this.width) {
        const next: RunFile[] = [];
        for (let at = 0; at < this.runs.length; at += this.width) {
          const group = this.runs.slice(at, at + this.width);
          if (group.length === 1) { next.push(group[0]!); continue; }
          const writer = await this.newRunFile();
          try {
            for await (const b of this.merge(group)) await writer.write(b);
          } finally {
            const run = await writer.close();
            next.push(run);
            this.spilledBytes += run.bytes;
            this.spilledRuns++;
          }
          await Promise.all(group.map((r) => fs.rm(r.path, { force: true })));
        }
        this.runs = next;
      }
      yield* this.merge(this.runs);
    } finally {
      await this.close();
    }
  }

  /** Removes the run files and the sorter's directory; safe to call more than once. */
  async close(): Promise<void> {
    this.state = 'closed';
    this.buffered = [];
    this.runs = [];
    const dir = this.dir;
    this.dir = null;
    if (dir !== null) await fs.rm(dir, { recursive: true, force: true });
  }

  /** The buffered rows in order, in output-sized batches (no disk). */
  private *sortedBuffer(): Generator<Batch, void, undefined> {
    if (this.bufferedRows === 0) return;
    const all = concatBatches(this.schema, this.buffered);
    this.buffered = [];
    const idx = sortIndices(all, this.keys);
    for (let at = 0; at < idx.length; at += this.batchRows) {
      yield gatherBatch(all, idx.subarray(at, Math.min(idx.length, at + this.batchRows)));
    }
  }

  /** Sorts the buffer and writes it as one run, gathering a chunk at a time. */
  private async spill(): Promise<void> {
    if (this.bufferedRows === 0) return;
    const rowBytes = Math.max(1, this.bufferedBytes / this.bufferedRows);
    // Chunks small enough that `width` of them (one per merged run) fit half the budget.
    const chunkRows = Math.min(65536, Math.max(64, Math.floor(this.memoryBytes / 2 / this.width / rowBytes)));
    const writer = await this.newRunFile();
    try {
      for (const b of this.sortedChunks(chunkRows)) await writer.write(b);
    } finally {
      const run = await writer.close();
      this.runs.push(run);
      this.spilledBytes += run.bytes;
      this.spilledRuns++;
    }
  }

  private *sortedChunks(chunkRows: number): Generator<Batch, void, undefined> {
    const all = concatBatches(this.schema, this.buffered);
    this.buffered = [];
    this.bufferedBytes = 0;
    this.onBuffered?.(0);
    this.bufferedRows = 0;
    const idx = sortIndices(all, this.keys);
    for (let at = 0; at < idx.length; at += chunkRows) {
      yield gatherBatch(all, idx.subarray(at, Math.min(idx.length, at + chunkRows)));
    }
  }

  private async newRunFile(): Promise<RunWriter> {
    if (this.state === 'closed') throw new Error('external sort: closed');
    if (this.dir === null) {
      await fs.mkdir(this.tmpDir, { recursive: true });
      this.dir = await fs.mkdtemp(path.join(this.tmpDir, 'sparrow-sort-'));
    }
    return RunWriter.create(path.join(this.dir, `run-${this.fileSeq++}.bin`), this.schema);
  }

  /** Streams the k-way merge of `runs` in output batches. */
  private async *merge(runs: readonly RunFile[]): AsyncGenerator<Batch, void, undefined> {
    const readers: RunReader[] = [];
    try {
      for (const r of runs) readers.push(await RunReader.open(r, this.schema));
      const merger = new KWayMerger(this.schema, this.keys, readers.length, this.batchRows);
      for (;;) {
        const s = merger.step();
        if (s === null) break;
        if (typeof s === 'number') merger.setSource(s, await readers[s]!.next());
        else yield s;
      }
    } finally {
      await Promise.all(readers.map((r) => r.close()));
    }
  }
}
