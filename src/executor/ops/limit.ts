// LocalLimit / GlobalLimit: the first n live rows; stops pulling input once it has them.
import { type Batch, makeBatch, numRows } from '../batch.js';

export async function* runLimit(n: number, input: AsyncIterable<Batch>): AsyncGenerator<Batch> {
  if (n <= 0) return;
  let left = n;
  for await (const b of input) {
    const rows = numRows(b);
    if (rows <= left) {
      left -= rows;
      yield b;
    } else {
      const sel = b.sel ? b.sel.subarray(0, left) : Int32Array.from({ length: left }, (_, i) => i);
      left = 0;
      yield makeBatch(b.schema, b.columns, b.length, sel, b.borrowed);
    }
    if (left === 0) return;
  }
}
