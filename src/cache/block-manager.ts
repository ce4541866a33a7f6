// The block manager: holds the outputs of shuffle-map tasks (Arrow buffers, one block per map
// task and reduce bucket) until the stages that read them are done. It counts the bytes it
// holds itself — ArrayBuffers are outside V8's heap limits — and past the memory budget it
// spills whole map outputs to files under tmpDir, reading a bucket back when a reducer asks.
// Blocks live here, on the driver, never in a worker: a worker that dies loses no block. A map
// output can still be lost (dropped by fault injection, or its spill file gone): reading it
// then throws FetchFailedError naming the map tasks to rerun (shuffle-recovery.ts).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { WireBatch } from '../executor/wire.js';
import { wireBytes } from '../executor/wire.js';
import { decodeBlock, encodeBlock } from './block-codec.js';

/** A map task's output: in memory, or in a file with each bucket's byte range. */
type MapOutput = (
  | { readonly where: 'memory'; readonly buckets: readonly (readonly WireBatch[])[]; readonly bytes: number }
  | { readonly where: 'disk'; readonly file: string; readonly ranges: readonly (readonly [number, number])[] }
) & { readonly bucketBytes: readonly number[] };

/** A reducer's input is gone: the listed map tasks of shuffle `stageId` must run again. */
export class FetchFailedError extends Error {
  override name = 'FetchFailedError';
  constructor(readonly stageId: number, readonly mapTasks: readonly number[], why: string) {
    super(`shuffle output of stage ${stageId}, map task${mapTasks.length === 1 ? '' : 's'} ${mapTasks.join(', ')}, is lost (${why})`);
  }
}

export class BlockManager {
  /** shuffle stage id → map task → output */
  private readonly shuffles = new Map<number, MapOutput[]>();
  /** shuffle stage id → map tasks whose output was lost (until they are put again). */
  private readonly lost = new Map<number, Set<number>>();
  private memory = 0;
  private spilled = 0;
  private dirMade = false;
  private files = 0;

  constructor(private readonly budgetBytes: number, private readonly tmpDir: string, private readonly jobId: number) {}

  /** Stores a map task's buckets; returns the bytes spilled to disk for them (0 if kept in memory). */
  async putMapOutput(stageId: number, mapTask: number, buckets: readonly (readonly WireBatch[])[]): Promise<number> {
    let s = this.shuffles.get(stageId);
    if (!s) { s = []; this.shuffles.set(stageId, s); }
    this.lost.get(stageId)?.delete(mapTask);
    const previous = s[mapTask];
    if (previous?.where === 'memory') this.memory -= previous.bytes;
    const bucketBytes = buckets.map((bucket) => bucket.reduce((t, w) => t + wireBytes(w), 0));
    const bytes = bucketBytes.reduce((t, b) => t + b, 0);
    if (this.memory + bytes <= this.budgetBytes || bytes === 0) {
      s[mapTask] = { where: 'memory', buckets, bytes, bucketBytes };
      this.memory += bytes;
      return 0;
    }
    const dir = path.join(this.tmpDir, `job-${this.jobId}`);
    if (!this.dirMade) { await fs.mkdir(dir, { recursive: true }); this.dirMade = true; }
    // Numbered: a recomputed map output never shares a name with the lost file being removed.
    const file = path.join(dir, `shuffle-${stageId}-map-${mapTask}-${++this.files}.blk`);
    const parts = buckets.map((b) => encodeBlock(b));
    const ranges: [number, number][] = [];
    let at = 0;
    for (const p of parts) { ranges.push([at, p.length]); at += p.length; }
    await fs.writeFile(file, Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
    s[mapTask] = { where: 'disk', file, ranges, bucketBytes };
    this.spilled += at;
    return at;
  }

  /** Measured bytes of a finished shuffle, per map task and bucket (for adaptive execution). */
  stats(stageId: number): { mapBucketBytes: number[][] } | null {
    const s = this.shuffles.get(stageId);
    if (!s) return null;
    return { mapBucketBytes: s.map((m) => (m ? [...m.bucketBytes] : [])) };
  }

  /** Every map task's batches for one reduce bucket, in map-task order; `maps` = [from, to) restricts the map tasks. */
  async bucket(stageId: number, reducePartition: number, maps: readonly [number, number] | null = null): Promise<WireBatch[]> {
    const s = this.shuffles.get(stageId);
    if (!s) throw new Error(`internal: no map output for stage ${stageId}`);
    const lost = [...(this.lost.get(stageId) ?? [])].filter((i) => !maps || (i >= maps[0] && i < maps[1])).sort((a, b) => a - b);
    if (lost.length > 0) throw new FetchFailedError(stageId, lost, 'dropped from the block manager');
    const out: WireBatch[] = [];
    for (const [i, m] of s.entries()) {
      if (!m) continue;
      if (maps && (i < maps[0] || i >= maps[1])) continue;
      if (m.where === 'memory') {
        for (const w of m.buckets[reducePartition] ?? []) out.push(w);
        continue;
      }
      const range = m.ranges[reducePartition];
      if (!range || range[1] === 0) continue;
      let fh: fs.FileHandle;
      try {
        fh = await fs.open(m.file, 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        this.dropMapOutput(stageId, i);
        throw new FetchFailedError(stageId, [i], `its spill file ${m.file} is gone`);
      }
      try {
        const buf = new Uint8Array(new ArrayBuffer(range[1]));
        await fh.read(buf, 0, range[1], range[0]);
        for (const w of decodeBlock(buf)) out.push(w);
      } finally {
        await fh.close();
      }
    }
    return out;
  }

  /** Map tasks that wrote output for shuffle `stageId` (0 when it is unknown). */
  mapTaskCount(stageId: number): number {
    return this.shuffles.get(stageId)?.length ?? 0;
  }

  /**
   * Loses one map task's output (fault injection; a vanished spill file): its bytes go, its
   * measured sizes stay for adaptive execution, and reading it throws FetchFailedError until the
   * map task's output is put again. False when there was no such output.
   */
  dropMapOutput(stageId: number, mapTask: number): boolean {
    const m = this.shuffles.get(stageId)?.[mapTask];
    if (!m) return false;
    if (m.where === 'memory') this.memory -= m.bytes;
    else void fs.rm(m.file, { force: true });
    this.shuffles.get(stageId)![mapTask] = { where: 'memory', buckets: [], bytes: 0, bucketBytes: m.bucketBytes };
    let l = this.lost.get(stageId);
    if (!l) { l = new Set(); this.lost.set(stageId, l); }
    l.add(mapTask);
    return true;
  }

  dropShuffle(stageId: number): void {
    this.lost.delete(stageId);
    const s = this.shuffles.get(stageId);
    if (!s) return;
    for (const m of s) {
      if (!m) continue;
      if (m.where === 'memory') this.memory -= m.bytes;
      else void fs.rm(m.file, { force: true });
    }
    this.shuffles.delete(stageId);
  }

  get memoryBytes(): number { return this.memory; }
  get spilledBytes(): number { return this.spilled; }

  /** Forgets every block and removes this job's spill files. */
  async close(): Promise<void> {
    for (const id of [...this.shuffles.keys()]) this.dropShuffle(id);
    if (this.dirMade) await fs.rm(path.join(this.tmpDir, `job-${this.jobId}`), { recursive: true, force: true });
  }
}
