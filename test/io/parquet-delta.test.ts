// The delta encodings, against a small encoder written from the format's description: integers
// (DELTA_BINARY_PACKED) in 32 and 64 bits with wrap-around, and strings (DELTA_LENGTH_BYTE_ARRAY,
// DELTA_BYTE_ARRAY) with NULL rows. DuckDB- and arrow-rs-written files are in parquet-native.test.ts.
import { describe, expect, it } from 'vitest';
import { DeltaError, deltaInt32, deltaInt64, deltaStrings } from '../../src/executor/io/parquet-delta.js';

function uvarint(out: number[], x: bigint): void {
  do {
    const b = Number(x & 0x7fn);
    x >>= 7n;
    out.push(x > 0n ? b | 0x80 : b);
  } while (x > 0n);
}

const zigzag = (x: bigint): bigint => (x >= 0n ? x << 1n : (-x << 1n) - 1n);

/** DELTA_BINARY_PACKED of `values` (bits = 32 or 64: the width deltas wrap at). */
function encode(values: readonly bigint[], bits: 32 | 64, blockSize = 128, miniblocks = 4): Uint8Array {
  const out: number[] = [];
  uvarint(out, BigInt(blockSize));
  uvarint(out, BigInt(miniblocks));
  uvarint(out, BigInt(values.length));
  uvarint(out, zigzag(values[0] ?? 0n));
  const per = blockSize / miniblocks;
  const deltas = values.slice(1).map((v, i) => BigInt.asIntN(bits, v - values[i]!));
  for (let b = 0; b < deltas.length; b += blockSize) {
    const block = deltas.slice(b, b + blockSize);
    const min = block.reduce((m, d) => (d < m ? d : m), block[0]!);
    uvarint(out, zigzag(min));
    const rel = block.map((d) => BigInt.asUintN(bits, d - min));
    const widths: number[] = [];
    for (let m = 0; m < miniblocks; m++) {
      const part = rel.slice(m * per, (m + 1) * per);
      widths.push(part.length === 0 ? 0 : Math.max(0, ...part.map((x) => x.toString(2).length - (x === 0n ? 1 : 0))));
    }
    out.push(...widths);
    for (let m = 0; m < miniblocks; m++) {
      const part = rel.slice(m * per, (m + 1) * per);
      if (part.length === 0) continue; // no padding bytes for miniblocks without values
      const w = widths[m]!;
      let acc = 0n, nbits = 0n;
      for (let k = 0; k < per; k++) {
        acc |= (part[k] ?? 0n) << nbits;
        nbits += BigInt(w);
        while (nbits >= 8n) { out.push(Number(acc & 0xffn)); acc >>= 8n; nbits -= 8n; }
      }
    }
  }
  return Uint8Array.from(out);
}

describe('DELTA_BINARY_PACKED', () => {
  it('INT32: runs of several blocks, negative and wrapping deltas, a partial last miniblock', () => {
    const vals = [5, 7, 7, -3, 2147483647, -2147483648, 0, 1000, ...Array.from({ length: 300 }, (_, i) => (i * 7919) % 1001 - 500)];
    const enc = encode(vals.map(BigInt), 32);
    const out = new Int32Array(vals.length + 2);
    const end = deltaInt32(enc, 0, enc.length, vals.length, out, 1);
    expect(end).toBe(enc.length);
    expect(Array.from(out.subarray(1, vals.length + 1))).toEqual(vals);
  });

  it('INT32: one value, and a header counting more values than asked for', () => {
    const one = encode([42n], 32);
    const out = new Int32Array(3);
    expect(deltaInt32(one, 0, one.length, 1, out, 0)).toBe(one.length);
    expect(out[0]).toBe(42);
    const many = encode([1n, 2n, 3n, 4n, 5n], 32);
    const two = new Int32Array(2);
    expect(deltaInt32(many, 0, many.length, 2, two, 0)).toBe(many.length);
    expect(Array.from(two)).toEqual([1, 2]);
  });

  it('INT64: values past 2^53 and wrap-around', () => {
    const vals = [0n, 2n ** 62n, -(2n ** 63n), 2n ** 63n - 1n, 123456789012345678n, -5n, ...Array.from({ length: 200 }, (_, i) => BigInt(i) * 1000003n)];
    const enc = encode(vals, 64, 256, 8);
    const out = new BigInt64Array(vals.length);
    expect(deltaInt64(enc, 0, enc.length, vals.length, out, 0)).toBe(enc.length);
    expect(Array.from(out)).toEqual(vals);
  });

  it('damaged runs fail with DeltaError', () => {
    const enc = encode(Array.from({ length: 100 }, (_, i) => BigInt(i * i)), 32);
    const out = new Int32Array(100);
    expect(() => deltaInt32(enc, 0, enc.length - 3, 100, out, 0)).toThrow(DeltaError);
    expect(() => deltaInt32(enc, 0, enc.length, 101, new Int32Array(101), 0)).toThrow(/says 100 values, 101 expected/);
    const badLayout = Uint8Array.from([100, 4, 1, 0]); // block size 100 is not a multiple of 128
    expect(() => deltaInt32(badLayout, 0, badLayout.length, 1, out, 0)).toThrow(/bad block layout/);
    const wide = Uint8Array.from(enc);
    wide[6] = 65; // the first miniblock's bit width (after 4 header bytes and the min delta)
    expect(() => deltaInt32(wide, 0, wide.length, 100, out, 0)).toThrow(DeltaError);
  });
});

describe('delta-encoded strings', () => {
  const te = new TextEncoder();
  /** Lengths (and prefixes) DELTA_BINARY_PACKED, then the bytes. */
  function encodeStrings(strs: readonly string[], prefix: boolean): Uint8Array {
    const parts: number[] = [];
    const bytes: number[] = [];
    const pre: bigint[] = [], lens: bigint[] = [];
    let prev = new Uint8Array(0);
    for (const s of strs) {
      const b = te.encode(s);
      let p = 0;
      if (prefix) while (p < b.length && p < prev.length && b[p] === prev[p]) p++;
      pre.push(BigInt(p));
      lens.push(BigInt(b.length - p));
      bytes.push(...b.subarray(p));
      prev = b;
    }
    if (prefix) parts.push(...encode(pre, 32));
    parts.push(...encode(lens, 32), ...bytes);
    return Uint8Array.from(parts);
  }

  for (const mode of ['length', 'prefix'] as const) {
    it(`${mode === 'length' ? 'DELTA_LENGTH_BYTE_ARRAY' : 'DELTA_BYTE_ARRAY'}: strings with NULL rows between them`, () => {
      const strs = ['apple', 'applesauce', 'apply', '', 'banana', 'band', 'bandana', 'é-ü-日本', 'é-ü-日本語', 'x'.repeat(300)];
      const enc = encodeStrings(strs, mode === 'prefix');
      // Rows 0..13, NULL at 2, 5, 9 and 13.
      const nullAt = new Set([2, 5, 9, 13]);
      const n = strs.length + nullAt.size;
      const valid = Uint8Array.from({ length: n }, (_, i) => (nullAt.has(i) ? 0 : 1));
      const offs = new Int32Array(n + 1);
      let data = new Uint8Array(4);
      const written = deltaStrings(mode, enc, 0, enc.length, strs.length, offs, 0, n, valid, 0, (need) => {
        const d = new Uint8Array(need);
        d.set(data);
        data = d;
        return d;
      });
      const td = new TextDecoder();
      const got = Array.from({ length: n }, (_, i) => (valid[i] === 0 ? null : td.decode(data.subarray(offs[i]!, offs[i + 1]!))));
      const want: (string | null)[] = [];
      let j = 0;
      for (let i = 0; i < n; i++) want.push(nullAt.has(i) ? null : strs[j++]!);
      expect(got).toEqual(want);
      expect(written).toBe(strs.reduce((t, s) => t + te.encode(s).length, 0));
      for (const i of nullAt) expect(offs[i + 1]).toBe(offs[i]);
    });
  }

  it('a prefix longer than the previous string is damage', () => {
    const bad = Uint8Array.from([...encode([0n, 9n], 32), ...encode([2n, 1n], 32), ...te.encode('abc')]);
    const offs = new Int32Array(3);
    expect(() => deltaStrings('prefix', bad, 0, bad.length, 2, offs, 0, 2, null, 0, (need) => new Uint8Array(need))).toThrow(/shares 9 bytes with a previous string of 2/);
  });
});
