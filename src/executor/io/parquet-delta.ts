// Parquet's delta encodings (what writers use for Parquet 2.x data pages):
//   DELTA_BINARY_PACKED      integers: a header (block size, miniblocks per block, value count,
//                            first value), then blocks of (min delta, one bit width per
//                            miniblock, bit-packed deltas minus the min delta). Arithmetic wraps
//                            (32 bits for INT32, 64 for INT64), as the format says.
//   DELTA_LENGTH_BYTE_ARRAY  strings: their lengths DELTA_BINARY_PACKED, then all their bytes.
//   DELTA_BYTE_ARRAY         strings: prefix lengths shared with the previous string and suffix
//                            lengths (both DELTA_BINARY_PACKED), then the suffixes' bytes.
// INT32 deltas are decoded in int32 arithmetic; INT64 ones in BigInt (exact, slower; writers
// use them for timestamps and ids, and the caller converts them to our doubles).
import { unpackBits } from './rle-hybrid.js';

export class DeltaError extends Error {}

interface Cursor { pos: number; end: number }

function uvarint(b: Uint8Array, c: Cursor): number {
  let result = 0, mul = 1;
  for (let i = 0; i < 10; i++) {
    if (c.pos >= c.end) throw new DeltaError('delta header runs past the end');
    const x = b[c.pos++]!;
    result += (x & 0x7f) * mul;
    if ((x & 0x80) === 0) return result;
    mul *= 128;
  }
  throw new DeltaError('varint too long');
}

function zigzagBig(b: Uint8Array, c: Cursor): bigint {
  let result = 0n, shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (c.pos >= c.end) throw new DeltaError('delta header runs past the end');
    const x = b[c.pos++]!;
    result |= BigInt(x & 0x7f) << shift;
    if ((x & 0x80) === 0) return (result >> 1n) ^ -(result & 1n);
    shift += 7n;
  }
  throw new DeltaError('varint too long');
}

interface Header { blockSize: number; miniblocks: number; perMini: number; total: number }

function header(b: Uint8Array, c: Cursor): Header {
  const blockSize = uvarint(b, c);
  const miniblocks = uvarint(b, c);
  const total = uvarint(b, c);
  if (blockSize === 0 || blockSize % 128 !== 0 || miniblocks === 0 || blockSize % miniblocks !== 0 || (blockSize / miniblocks) % 32 !== 0) {
    throw new DeltaError(`bad block layout (${blockSize} values in ${miniblocks} miniblocks)`);
  }
  return { blockSize, miniblocks, perMini: blockSize / miniblocks, total };
}

let scratch = new Int32Array(1024);

/**
 * Walks one DELTA_BINARY_PACKED run at page[pos]: `first` gets the first value, then `mini`
 * each miniblock that holds values (its min delta, the byte offset and bit width of its packed
 * deltas, how many values it holds, and how many values came before it). The header's value
 * count must be at least `count`. Returns the position after the run.
 */
function walk(
  page: Uint8Array, pos: number, end: number, count: number,
  first: (v: bigint) => void, mini: (minDelta: bigint, at: number, w: number, n: number, done: number) => void,
): number {
  const c: Cursor = { pos, end };
  const h = header(page, c);
  if (h.total < count) throw new DeltaError(`the page says ${h.total} values, ${count} expected`);
  const v0 = zigzagBig(page, c);
  if (h.total === 0) return c.pos;
  first(v0);
  let done = 1;
  while (done < h.total) {
    const minDelta = zigzagBig(page, c);
    if (c.pos + h.miniblocks > end) throw new DeltaError('miniblock bit widths run past the end');
    const widths = c.pos;
    c.pos += h.miniblocks;
    for (let m = 0; m < h.miniblocks && done < h.total; m++) {
      const w = page[widths + m]!;
      if (w > 64) throw new DeltaError(`bit width ${w} is more than 64`);
      const bytes = (h.perMini * w) / 8;
      if (c.pos + bytes > end) throw new DeltaError('a miniblock runs past the end');
      const n = Math.min(h.perMini, h.total - done);
      mini(minDelta, c.pos, w, n, done);
      c.pos += bytes;
      done += n;
    }
  }
  return c.pos;
}

/**
 * Decodes `count` INT32 values starting at page[pos] into out[at…]; returns the position after
 * the encoded values.
 */
export function deltaInt32(page: Uint8Array, pos: number, end: number, count: number, out: Int32Array, at: number): number {
  let v = 0;
  return walk(page, pos, end, count, (v0) => {
    v = Number(BigInt.asIntN(32, v0)) | 0;
    if (count > 0) out[at] = v;
  }, (minDelta64, base, w, n, done) => {
    if (scratch.length < n) scratch = new Int32Array(Math.max(n, 1024));
    const minDelta = Number(BigInt.asIntN(32, minDelta64)) | 0;
    if (w === 0) scratch.fill(0, 0, n);
    else if (w <= 32) unpackBits(page, base, base + (n * w + 7) / 8 | 0, w, scratch, 0, n);
    else {
      // Wider than the values: the writer took the deltas in 64 bits (DuckDB does, across the
      // whole int32 range). The arithmetic wraps at 32 bits, so their low 32 bits do.
      for (let k = 0; k < n; k++) scratch[k] = Number(BigInt.asIntN(32, bitsAt(page, base, k * w, 32)));
    }
    const keep = Math.max(0, Math.min(n, count - done));
    for (let k = 0; k < keep; k++) { v = (v + minDelta + scratch[k]!) | 0; out[at + done + k] = v; }
  });
}

/** As deltaInt32 for INT64 values, into a BigInt64Array (wrapping at 64 bits). */
export function deltaInt64(page: Uint8Array, pos: number, end: number, count: number, out: BigInt64Array, at: number): number {
  let v = 0n;
  return walk(page, pos, end, count, (v0) => {
    v = BigInt.asIntN(64, v0);
    if (count > 0) out[at] = v;
  }, (minDelta64, base, w, n, done) => {
    const minDelta = BigInt.asIntN(64, minDelta64);
    const keep = Math.max(0, Math.min(n, count - done));
    for (let k = 0; k < keep; k++) {
      v = BigInt.asIntN(64, v + minDelta + bitsAt(page, base, k * w, w));
      out[at + done + k] = v;
    }
  });
}

/** The `w`-bit unsigned value at bit offset `bit` of page[base…] (LSB first). */
function bitsAt(page: Uint8Array, base: number, bit: number, w: number): bigint {
  if (w === 0) return 0n;
  let byte = base + (bit >>> 3);
  let shift = bit & 7;
  let got = 0;
  let r = 0n;
  while (got < w) {
    const take = Math.min(8 - shift, w - got);
    const bits = (page[byte]! >>> shift) & ((1 << take) - 1);
    r |= BigInt(bits) << BigInt(got);
    got += take;
    shift = 0;
    byte++;
  }
  return r;
}

/**
 * Strings of one page: `count` of them. Writes their bytes from data[o…] and offsets
 * offs[row + i + 1] for the present rows (NULL rows, valid[row + i] = 0, get empty ones);
 * `grow(n)` returns a data buffer with room for n bytes that keeps what was written.
 */
export function deltaStrings(
  encoding: 'length' | 'prefix', page: Uint8Array, pos: number, end: number, count: number,
  offs: Int32Array, row: number, n: number, valid: Uint8Array | null, o: number, grow: (n: number) => Uint8Array,
): number {
  const lens = new Int32Array(count);
  let prefix: Int32Array | null = null;
  let p = pos;
  if (encoding === 'prefix') {
    prefix = new Int32Array(count);
    p = deltaInt32(page, p, end, count, prefix, 0);
  }
  p = deltaInt32(page, p, end, count, lens, 0);
  let total = 0;
  for (let k = 0; k < count; k++) {
    if (lens[k]! < 0 || (prefix !== null && prefix[k]! < 0)) throw new DeltaError(`string ${k} has a negative length`);
    total += lens[k]! + (prefix === null ? 0 : prefix[k]!);
  }
  let data = grow(o + total);
  let j = 0;
  let prevStart = 0, prevLen = 0;
  for (let i = 0; i < n; i++) {
    if (valid !== null && valid[row + i] === 0) { offs[row + i + 1] = o; continue; }
    const pre = prefix === null ? 0 : prefix[j]!;
    const len = lens[j++]!;
    if (pre > prevLen) throw new DeltaError(`string ${j - 1} shares ${pre} bytes with a previous string of ${prevLen}`);
    if (p + len > end) throw new DeltaError(`string ${j - 1} runs past the page`);
    data = data.length >= o + pre + len ? data : grow(o + pre + len);
    data.copyWithin(o, prevStart, prevStart + pre);
    data.set(page.subarray(p, p + len), o + pre);
    p += len;
    prevStart = o;
    prevLen = pre + len;
    o += pre + len;
    offs[row + i + 1] = o;
  }
  return o;
}
