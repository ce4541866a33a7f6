// Snappy decompression (the raw block format Parquet uses, no framing), for the native Parquet
// reader. A block is a varint uncompressed length, then elements: a literal (tag low bits 00,
// the length in the tag or in 1–4 following bytes, then the bytes) or a copy of earlier output
// (01: 1-byte offset, 10: 2-byte offset, 11: 4-byte offset). Long literals and
// non-overlapping copies go through TypedArray.set / copyWithin (memcpy); short and
// overlapping ones byte by byte. Every length and offset is checked against both buffers, so a
// damaged block gives an error, never a read or write out of bounds.

/** The uncompressed length a block declares. */
export function snappyLength(src: Uint8Array): number {
  let result = 0, shift = 1;
  for (let i = 0; i < 5 && i < src.length; i++) {
    const b = src[i]!;
    result += (b & 0x7f) * shift;
    if ((b & 0x80) === 0) return result;
    shift *= 128;
  }
  throw new Error('corrupt snappy block (bad length header)');
}

/**
 * Decompresses `src` into `dst` from index 0; returns the number of bytes written, which is
 * the declared length (checked). `dst` must hold at least snappyLength(src) bytes.
 */
export function snappyDecompress(src: Uint8Array, dst: Uint8Array): number {
  const n = src.length;
  let ip = 0;
  let total = 0;
  for (let shift = 1; ; shift *= 128) {
    if (ip >= n || shift > 2 ** 28) throw new Error('corrupt snappy block (bad length header)');
    const b = src[ip++]!;
    total += (b & 0x7f) * shift;
    if ((b & 0x80) === 0) break;
  }
  if (total > dst.length) throw new Error(`snappy block declares ${total} bytes, more than the ${dst.length} expected`);
  let op = 0;
  while (ip < n) {
    const tag = src[ip++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const extra = len - 59;
        if (ip + extra > n) throw new Error('corrupt snappy block (literal length runs past the end)');
        len = 0;
        for (let k = 0; k < extra; k++) len += src[ip + k]! * 2 ** (8 * k);
        ip += extra;
      }
      len += 1;
      if (ip + len > n || op + len > total) throw new Error(`corrupt snappy block (literal of ${len} bytes at input byte ${ip} overflows)`);
      if (len < 16) {
        for (let k = 0; k < len; k++) dst[op + k] = src[ip + k]!;
      } else {
        dst.set(src.subarray(ip, ip + len), op);
      }
      ip += len;
      op += len;
      continue;
    }
    let len: number, offset: number;
    if (kind === 1) {
      if (ip >= n) throw new Error('corrupt snappy block (copy runs past the end)');
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[ip++]!;
    } else if (kind === 2) {
      if (ip + 2 > n) throw new Error('corrupt snappy block (copy runs past the end)');
      len = (tag >>> 2) + 1;
      offset = src[ip]! | (src[ip + 1]! << 8);
      ip += 2;
    } else {
      if (ip + 4 > n) throw new Error('corrupt snappy block (copy runs past the end)');
      len = (tag >>> 2) + 1;
      offset = (src[ip]! | (src[ip + 1]! << 8) | (src[ip + 2]! << 16)) + src[ip + 3]! * 16777216;
      ip += 4;
    }
    if (offset === 0 || offset > op || op + len > total) throw new Error(`corrupt snappy block (copy of ${len} bytes from offset ${offset} at output byte ${op})`);
    let from = op - offset;
    if (offset >= len && len >= 16) {
      dst.copyWithin(op, from, from + len);
      op += len;
    } else {
      const end = op + len;
      while (op < end) dst[op++] = dst[from++]!;
    }
  }
  if (op !== total) throw new Error(`corrupt snappy block (decoded ${op} bytes, the header says ${total})`);
  return total;
}
