// Recycling a grouped aggregation's large arrays within a worker thread. Touching freshly
// allocated memory is slow on this kind of machine (MEASURED.md: page faults; a new 2.4 MB
// slot array cost ~10 ms per task against ~25 ms for the whole 2.5M-row update loop), and a
// task's group table is garbage as soon as its output is built. So a table takes its arrays
// from here and, once its output is built (partial() / result()), RETIRES: its arrays stay
// readable until another table of this thread takes memory from here, which first reclaims
// every retired table. A reclaimed table is revoked: any later use throws rather than read
// recycled memory.
//
// Arrays under MIN_BYTES come from the allocator as usual (it reuses small blocks well). Free
// buffers are kept up to MAX_FREE_BYTES per thread, and at most MAX_RETIRED tables wait; a
// request takes the smallest free buffer that fits and is at most 4 times larger.

/** Smaller arrays are allocated as usual. */
const MIN_BYTES = 64 << 10;
/** Free bytes kept per thread. */
const MAX_FREE_BYTES = 32 << 20;
/** Retired tables waiting to be reclaimed; the oldest is reclaimed when another retires. */
const MAX_RETIRED = 2;

/** Something holding recycled buffers that can give them up. */
export interface Retiree {
  /** Gives up every recycled buffer it holds; it must not read them afterwards. */
  surrender(): ArrayBuffer[];
}

const free: ArrayBuffer[] = [];
let freeBytes = 0;
let retired: Retiree[] = [];

function fromFree(bytes: number): ArrayBuffer | null {
  let best = -1;
  for (let i = 0; i < free.length; i++) {
    const n = free[i]!.byteLength;
    if (n >= bytes && n <= 4 * bytes && (best < 0 || n < free[best]!.byteLength)) best = i;
  }
  if (best < 0) return null;
  const buf = free[best]!;
  free[best] = free[free.length - 1]!;
  free.pop();
  freeBytes -= buf.byteLength;
  return buf;
}

/** Reclaims the buffers of every retired table. */
function reclaim(): void {
  const rs = retired;
  retired = [];
  for (const r of rs) for (const buf of r.surrender()) recycle(buf);
}

function takeBuffer(bytes: number): ArrayBuffer | null {
  if (bytes < MIN_BYTES) return null;
  if (retired.length > 0) reclaim();
  return fromFree(bytes);
}

/** A Float64Array of n entries, all zero (recycled memory when there is some). */
export function takeF64(n: number): Float64Array {
  const buf = takeBuffer(n * 8);
  if (buf === null) return new Float64Array(n);
  const a = new Float64Array(buf, 0, n);
  a.fill(0);
  return a;
}

/** An Int32Array of n entries, all zero. */
export function takeI32(n: number): Int32Array {
  const buf = takeBuffer(n * 4);
  if (buf === null) return new Int32Array(n);
  const a = new Int32Array(buf, 0, n);
  a.fill(0);
  return a;
}

/** A Uint8Array of n entries, all zero. */
export function takeU8(n: number): Uint8Array {
  const buf = takeBuffer(n);
  if (buf === null) return new Uint8Array(n);
  const a = new Uint8Array(buf, 0, n);
  a.fill(0);
  return a;
}

/** Hands an array's buffer back (the caller drops every view of it). Small ones are left to the GC. */
export function recycle(buf: ArrayBufferLike): void {
  if (!(buf instanceof ArrayBuffer) || buf.byteLength < MIN_BYTES) return;
  if (freeBytes + buf.byteLength > MAX_FREE_BYTES) return;
  free.push(buf);
  freeBytes += buf.byteLength;
}

/** Registers a table whose output is built: its buffers may be reclaimed from now on. */
export function retire(r: Retiree): void {
  if (retired.includes(r)) return;
  if (retired.length >= MAX_RETIRED) for (const buf of retired.shift()!.surrender()) recycle(buf);
  retired.push(r);
}

/** Takes a retired table back into use (its buffers are no longer up for reclaiming). */
export function unretire(r: Retiree): void {
  const i = retired.indexOf(r);
  if (i >= 0) retired.splice(i, 1);
}

/** Free bytes held by this thread (for tests). */
export function recycledBytes(): number {
  return freeBytes;
}
