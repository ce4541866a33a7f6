// The sample a map task returns before a range shuffle: up to `rows` sort-key rows, each row
// of the partition about equally likely. Every batch offers up to `rows` random candidates
// weighted by how many rows each stands for; the final pick is a weighted sample without
// replacement (Efraimidis–Spirakis: the largest u^(1/w)). Seeded by the partition, so a
// rerun picks the same rows.
import type { Expr } from '../../planner/expr.js';
import type { Schema } from '../../planner/types.js';
import { type Batch, concatBatches, gatherVec, makeBatch, numRows } from '../batch.js';
import { keyBatch } from './shuffle-write.js';

export class KeySampler {
  private readonly kept: Batch[] = [];
  private readonly weights: number[] = [];
  private state: number;
  private schema: Schema | null = null;

  constructor(private readonly order: readonly Expr[], private readonly rows: number, seed: number) {
    this.state = (seed * 2654435761 + 1) >>> 0 || 1;
  }

  private random(): number {
    // xorshift32: deterministic, good enough for picking sample rows.
    let x = this.state;
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    this.state = x;
    return x / 4294967296;
  }

  add(b: Batch): void {
    const keys = keyBatch(b, this.order, b.schema);
    this.schema ??= keys.schema;
    const n = numRows(keys);
    const want = Math.min(n, this.rows);
    const pick = new Int32Array(want);
    for (let k = 0; k < want; k++) {
      const r = Math.floor(this.random() * n);
      pick[k] = keys.sel ? keys.sel[r]! : r;
    }
    pick.sort();
    this.kept.push(makeBatch(keys.schema, keys.columns.map((c) => gatherVec(c, pick)), want));
    for (let k = 0; k < want; k++) this.weights.push(n / want);
  }

  finish(): Batch {
    if (!this.schema) return makeBatch([], [], 0);
    const all = concatBatches(this.schema, this.kept);
    if (all.length <= this.rows) return all;
    const score = this.weights.map((w) => Math.pow(this.random(), 1 / w));
    const order = Array.from(score.keys()).sort((a, b) => score[b]! - score[a]!);
    const pick = Int32Array.from(order.slice(0, this.rows)).sort();
    return makeBatch(all.schema, all.columns.map((c) => gatherVec(c, pick)), this.rows);
  }
}
