// The block manager: holds the outputs of shuffle-map tasks (Arrow buffers, one block per map
// task and reduce bucket) until the stages that read them are done. It counts the bytes it
// holds itself — ArrayBuffers are outside V8's heap limits — and past the memory budget it
// spills whole map outputs to files under tmpDir, reading a bucket back when a reducer asks.
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

export class BlockManager {
  /** shuffle stage id → map task → output */
  private readonly shuffles = new Map<number, MapOutput[]>();
  private memory = 0;
  private spilled = 0;
  private dirMade = false;

  constructor(private readonly budgetBytes: number, private readonly tmpDir: string, private readonly jobId: number) {}

  /** Stores a map task's buckets; returns the bytes spilled to disk for them (0 if kept in memory). */
  async putMapOutput(stageId: number, mapTask: number, buckets: readonly (readonly WireBatch[])[]): Promise<number> {
    let s = this.shuffles.get(stageId);
    if (!s) { s = []; this.shuffles.set(stageId, s); }
    const bucketBytes = buckets.map((bucket) => bucket.reduce((t, w) => t + wireBytes(w), 0));
    const bytes = bucketBytes.reduce((t, b) => t + b, 0);
    if (this.memory + bytes <= this.budgetBytes || bytes === 0) {
      s[mapTask] = { where: 'memory', buckets, bytes, bucketBytes };
      this.memory += bytes;
      return 0;
    }
    const dir = path.join(this.tmpDir, `job-${this.jobId}`);
    if (!this.dirMade) { await fs.mkdir(dir, { recursive: true }); this.dirMade = true; }
    const file = path.join(dir, `shuffle-${stageId}-map-${mapTask}.blk`);
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
      const fh = await fs.open(m.file, 'r');
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

  dropShuffle(stageId: number): void {
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
