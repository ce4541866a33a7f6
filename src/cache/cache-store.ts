// Blocks of persisted datasets: one block per (dataset, partition), Arrow buffers in shared
// memory. Memory is bounded by a byte budget with LRU eviction (lru-cache): an evicted
// MEMORY_AND_DISK block is written to a spill file and read back when needed; an evicted
// MEMORY_ONLY block is dropped, and the engine recomputes just that partition from lineage;
// DISK_ONLY blocks go straight to disk.
import { LRUCache } from 'lru-cache';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { StorageLevel } from '../planner/logical.js';
import type { WireBatch } from '../executor/wire.js';
import { wireBytes } from '../executor/wire.js';
import { decodeBlock, encodeBlock } from './block-codec.js';

interface MemoryBlock { readonly batches: readonly WireBatch[]; readonly bytes: number }

export interface CacheMetrics {
  hits: number;
  misses: number;
  evictions: number;
  recomputedPartitions: number;
  bytesInMemory: number;
  bytesOnDisk: number;
}

export class CacheStore {
  private readonly memory: LRUCache<string, MemoryBlock>;
  private readonly onDisk = new Map<string, { file: string; bytes: number }>();
  private readonly levels = new Map<number, StorageLevel>();
  readonly metrics: CacheMetrics = { hits: 0, misses: 0, evictions: 0, recomputedPartitions: 0, bytesInMemory: 0, bytesOnDisk: 0 };
  private dirMade = false;

  constructor(budgetBytes: number, private readonly dir: string) {
    this.memory = new LRUCache<string, MemoryBlock>({
      maxSize: Math.max(1, Math.floor(budgetBytes)),
      sizeCalculation: (b) => Math.max(1, b.bytes),
      dispose: (block, key, reason) => {
        this.metrics.bytesInMemory -= block.bytes;
        if (reason === 'evict') this.evicted(key, block);
      },
    });
  }

  private levelOf(key: string): StorageLevel {
    return this.levels.get(Number(key.split('/')[0])) ?? 'MEMORY_ONLY';
  }

  private evicted(key: string, block: MemoryBlock): void {
    this.metrics.evictions++;
    if (this.levelOf(key) === 'MEMORY_AND_DISK') this.spill(key, block.batches);
  }

  private spill(key: string, batches: readonly WireBatch[]): void {
    if (!this.dirMade) { mkdirSync(this.dir, { recursive: true }); this.dirMade = true; }
    const file = path.join(this.dir, `cache-${key.replace('/', '-')}.blk`);
    const bytes = encodeBlock(batches);
    writeFileSync(file, bytes);
    this.onDisk.set(key, { file, bytes: bytes.length });
    this.metrics.bytesOnDisk += bytes.length;
  }

  /** Stores one partition of a persisted dataset. */
  put(cacheId: number, partition: number, level: StorageLevel, batches: readonly WireBatch[]): void {
    this.levels.set(cacheId, level);
    const key = `${cacheId}/${partition}`;
    if (level === 'DISK_ONLY') { this.spill(key, batches); return; }
    const bytes = batches.reduce((s, w) => s + wireBytes(w), 0);
    const status: LRUCache.Status<string, MemoryBlock> = {};
    this.memory.set(key, { batches, bytes }, { status });
    if (status.set === 'miss' && status.maxEntrySizeExceeded) {
      // Larger than the whole budget: kept only as the level allows.
      this.metrics.evictions++;
      if (level === 'MEMORY_AND_DISK') this.spill(key, batches);
      return;
    }
    this.metrics.bytesInMemory += bytes;
  }

  /** A partition's batches, from memory or disk; null when it was evicted (recompute it). */
  get(cacheId: number, partition: number): WireBatch[] | null {
    const key = `${cacheId}/${partition}`;
    const m = this.memory.get(key);
    if (m) return [...m.batches];
    const d = this.onDisk.get(key);
    if (!d) return null;
    const buf = readFileSync(d.file);
    const bytes = new Uint8Array(new ArrayBuffer(buf.length));
    bytes.set(buf);
    return decodeBlock(bytes);
  }

  /** Whether this persisted dataset has been computed (some of its blocks may be gone since). */
  has(cacheId: number): boolean {
    return this.levels.has(cacheId);
  }

  /** Drops every block of a persisted dataset; returns the bytes it held in memory. */
  remove(cacheId: number, partitions: number): number {
    let freed = 0;
    for (let p = 0; p < partitions; p++) {
      const key = `${cacheId}/${p}`;
      const m = this.memory.peek(key);
      if (m) { freed += m.bytes; this.memory.delete(key); }
      const d = this.onDisk.get(key);
      if (d) { rmSync(d.file, { force: true }); this.metrics.bytesOnDisk -= d.bytes; this.onDisk.delete(key); }
    }
    this.levels.delete(cacheId);
    return freed;
  }

  clear(): void {
    this.memory.clear();
    for (const d of this.onDisk.values()) rmSync(d.file, { force: true });
    this.onDisk.clear();
    this.levels.clear();
  }
}
