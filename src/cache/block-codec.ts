// Wire batches as bytes, for spilling blocks to disk: a JSON header (schema, lengths, which
// typed array each buffer is) followed by the raw buffers, each 8-byte aligned so they can be
// viewed in place when read back.
import type { Values } from '../executor/batch.js';
import type { WireBatch, WireVec } from '../executor/wire.js';

type ArrayName = 'Int32Array' | 'Float64Array' | 'Uint8Array';

interface BufferDesc { readonly type: ArrayName; readonly length: number }
interface VecDesc { readonly values: BufferDesc; readonly offsets: BufferDesc | null; readonly valid: BufferDesc | null }
interface Header { readonly batches: { readonly schema: WireBatch['schema']; readonly length: number; readonly cols: readonly VecDesc[] }[] }

const CTORS = { Int32Array, Float64Array, Uint8Array } as const;

function desc(a: Values | Int32Array | Uint8Array): BufferDesc {
  return { type: a.constructor.name as ArrayName, length: a.length };
}

const align8 = (n: number) => (n + 7) & ~7;

/** Encodes batches as one byte buffer. */
export function encodeBlock(batches: readonly WireBatch[]): Uint8Array {
  const arrays: (Values | Int32Array | Uint8Array)[] = [];
  const header: Header = {
    batches: batches.map((b) => ({
      schema: b.schema, length: b.length,
      cols: b.cols.map((c) => {
        arrays.push(c.values);
        if (c.offsets) arrays.push(c.offsets);
        if (c.valid) arrays.push(c.valid);
        return { values: desc(c.values), offsets: c.offsets ? desc(c.offsets) : null, valid: c.valid ? desc(c.valid) : null };
      }),
    })),
  };
  const head = new TextEncoder().encode(JSON.stringify(header));
  const start = align8(4 + head.length);
  const total = arrays.reduce((s, a) => align8(s + a.byteLength), start);
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 4);
  let at = start;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at = align8(at + a.byteLength);
  }
  return out;
}

/** Decodes what encodeBlock wrote; the typed arrays view `bytes` (which must be 8-aligned). */
export function decodeBlock(bytes: Uint8Array): WireBatch[] {
  const headLen = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + headLen))) as Header;
  let at = bytes.byteOffset + align8(4 + headLen);
  const take = <T>(d: BufferDesc): T => {
    const Ctor = CTORS[d.type];
    const a = new Ctor(bytes.buffer as ArrayBuffer, at, d.length);
    at = align8(at + a.byteLength);
    return a as unknown as T;
  };
  return header.batches.map((b) => ({
    schema: b.schema, length: b.length,
    cols: b.cols.map((c): WireVec => ({
      values: take<Values>(c.values),
      offsets: c.offsets ? take<Int32Array>(c.offsets) : null,
      valid: c.valid ? take<Uint8Array>(c.valid) : null,
    })),
  }));
}
