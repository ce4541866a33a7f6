// How batches cross threads: as their Arrow buffers, never as row objects. Buffers backed by a
// SharedArrayBuffer are shared (no copy); buffers a batch owns outright are transferred (moved,
// no copy); a view into a larger buffer is copied first so the move cannot steal its neighbours.
import type { Schema } from '../planner/types.js';
import { type Batch, type Vec, type Values, compact, makeBatch } from './batch.js';

export interface WireVec {
  readonly values: Values;
  readonly offsets: Int32Array | null;
  readonly valid: Uint8Array | null;
}

export interface WireBatch {
  readonly schema: Schema;
  readonly length: number;
  readonly cols: readonly WireVec[];
}

function isShared<T extends ArrayBufferView>(a: T): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && a.buffer instanceof SharedArrayBuffer;
}

function prepare<T extends Values | Int32Array | Uint8Array>(a: T, transfer: ArrayBuffer[] | null, seen: Set<ArrayBufferLike>): T {
  if (isShared(a) || transfer === null) return a;
  const owns = a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && !seen.has(a.buffer);
  const out = owns ? a : (a.slice() as T);
  seen.add(out.buffer);
  transfer.push(out.buffer as ArrayBuffer);
  return out;
}

/**
 * The wire form of a batch (compacted first). With `transfer` given, non-shared buffers are
 * listed there for a transfer list and must not be used by the sender afterwards; with null,
 * the buffers are left for structured clone to copy (the sender keeps using them).
 */
export function toWire(b: Batch, transfer: ArrayBuffer[] | null): WireBatch {
  const d = compact(b);
  const seen = new Set<ArrayBufferLike>();
  const cols = d.columns.map((c) => ({
    values: prepare(c.values, transfer, seen),
    offsets: c.offsets ? prepare(c.offsets, transfer, seen) : null,
    valid: c.valid ? prepare(c.valid, transfer, seen) : null,
  }));
  return { schema: d.schema, length: d.length, cols };
}

export function fromWire(w: WireBatch): Batch {
  const cols: Vec[] = w.cols.map((c, i) => ({
    type: w.schema[i]!.type,
    length: w.length,
    values: c.values,
    offsets: c.offsets,
    valid: c.valid,
  }));
  return makeBatch(w.schema, cols, w.length);
}

export function wireBytes(w: WireBatch): number {
  let s = 0;
  for (const c of w.cols) s += c.values.byteLength + (c.offsets?.byteLength ?? 0) + (c.valid?.byteLength ?? 0);
  return s;
}

/** Copies a batch's buffers into SharedArrayBuffers so every worker can read them in place. */
export function toShared(b: Batch): Batch {
  const d = compact(b);
  const share = <T extends Values | Int32Array | Uint8Array>(a: T): T => {
    if (isShared(a)) return a;
    const sab = new SharedArrayBuffer(Math.max(a.byteLength, 0));
    const Ctor = a.constructor as new (buf: SharedArrayBuffer) => T;
    const out = new Ctor(sab);
    (out as unknown as { set(x: T): void }).set(a);
    return out;
  };
  const cols: Vec[] = d.columns.map((c) => ({
    type: c.type, length: c.length, values: share(c.values),
    offsets: c.offsets ? share(c.offsets) : null, valid: c.valid ? share(c.valid) : null,
  }));
  return makeBatch(d.schema, cols, d.length);
}
