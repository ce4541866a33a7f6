// The block manager: holds the outputs of shuffle-map tasks until the stages that read them
// are done. Blocks are Arrow buffers (wire batches). Memory-only for now; spilling to tmpDir
// beyond memoryBudgetMb and cached datasets come with the shuffle and cache work.
import type { WireBatch } from '../executor/wire.js';
import { wireBytes } from '../executor/wire.js';

export class BlockManager {
  /** shuffle stage id → map task → bucket → batches */
  private readonly shuffles = new Map<number, (readonly (readonly WireBatch[])[])[]>();
  private bytes = 0;

  putMapOutput(stageId: number, mapTask: number, buckets: readonly (readonly WireBatch[])[]): number {
    let s = this.shuffles.get(stageId);
    if (!s) { s = []; this.shuffles.set(stageId, s); }
    s[mapTask] = buckets;
    let b = 0;
    for (const bucket of buckets) for (const w of bucket) b += wireBytes(w);
    this.bytes += b;
    return b;
  }

  /** Every map task's batches for one reduce bucket, in map-task order. */
  bucket(stageId: number, reducePartition: number): WireBatch[] {
    const s = this.shuffles.get(stageId);
    if (!s) throw new Error(`internal: no map output for stage ${stageId}`);
    const out: WireBatch[] = [];
    for (const buckets of s) if (buckets) for (const w of buckets[reducePartition] ?? []) out.push(w);
    return out;
  }

  dropShuffle(stageId: number): void {
    const s = this.shuffles.get(stageId);
    if (!s) return;
    for (const buckets of s) if (buckets) for (const bucket of buckets) for (const w of bucket) this.bytes -= wireBytes(w);
    this.shuffles.delete(stageId);
  }

  get memoryBytes(): number {
    return this.bytes;
  }
}
