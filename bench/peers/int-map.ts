// A map from int32 keys to non-negative int32 values over typed arrays, for the hand-written
// contender: direct addressing (one slot per value of the key's range) when the range is
// small next to the keys it will hold, else open addressing with linear probing (Fibonacci
// hashing, grown at half load). No Map, no per-key objects.

const EMPTY = -1;

export class IntMap {
  private base = 0;
  /** direct: the value per key - base; hash: the value per slot (EMPTY = free slot). */
  private vals: Int32Array;
  /** hash mode only: the key per slot. */
  private keys: Int32Array | null;
  private bits = 0;
  private used = 0;

  private constructor(direct: boolean, size: number, base: number) {
    this.base = base;
    this.vals = new Int32Array(size).fill(EMPTY);
    this.keys = direct ? null : new Int32Array(size);
    if (!direct) this.bits = Math.log2(size);
  }

  /**
   * A map for keys within [min, max], about `expected` of them. `forceHash` (for checking the
   * hash path) skips direct addressing.
   */
  static forRange(min: number, max: number, expected: number, forceHash = false): IntMap {
    const span = max - min + 1;
    if (!forceHash && span > 0 && span <= Math.max(2 * expected, 1024) && span <= 1 << 27) return new IntMap(true, span, min);
    let size = 1024;
    while (size < 2 * expected) size *= 2;
    return new IntMap(false, size, 0);
  }

  get mode(): 'direct' | 'hash' {
    return this.keys === null ? 'direct' : 'hash';
  }

  /** In direct mode, the value per key - the range's minimum (-1 = absent), for loops that index it themselves; else null. */
  directSlots(): Int32Array | null {
    return this.keys === null ? this.vals : null;
  }

  /** The value of `key`, or -1 when absent. */
  get(key: number): number {
    const keys = this.keys;
    if (keys === null) {
      const j = key - this.base;
      return j >= 0 && j < this.vals.length ? this.vals[j]! : EMPTY;
    }
    const mask = this.vals.length - 1;
    for (let s = Math.imul(key, 0x9e3779b1) >>> (32 - this.bits); ; s = (s + 1) & mask) {
      const v = this.vals[s]!;
      if (v === EMPTY || keys[s] === key) return v;
    }
  }

  /** Sets `key` to `value` (>= 0). */
  set(key: number, value: number): void {
    if (value < 0) throw new Error(`IntMap.set: values must be >= 0, got ${value} for key ${key}`);
    if (this.keys === null) {
      const j = key - this.base;
      if (j < 0 || j >= this.vals.length) throw new Error(`IntMap.set: key ${key} is outside the range [${this.base}, ${this.base + this.vals.length - 1}] it was made for`);
      this.vals[j] = value;
      return;
    }
    if (2 * (this.used + 1) > this.vals.length) this.grow();
    const keys = this.keys, vals = this.vals, mask = vals.length - 1;
    for (let s = Math.imul(key, 0x9e3779b1) >>> (32 - this.bits); ; s = (s + 1) & mask) {
      if (vals[s] === EMPTY) { keys[s] = key; vals[s] = value; this.used++; return; }
      if (keys[s] === key) { vals[s] = value; return; }
    }
  }

  private grow(): void {
    const oldKeys = this.keys!, oldVals = this.vals;
    this.vals = new Int32Array(oldVals.length * 2).fill(EMPTY);
    this.keys = new Int32Array(oldVals.length * 2);
    this.bits++;
    this.used = 0;
    for (let s = 0; s < oldVals.length; s++) if (oldVals[s] !== EMPTY) this.set(oldKeys[s]!, oldVals[s]!);
  }
}

/** [min, max] of the first n values; [0, -1] (an empty range) when n is 0. */
export function intRange(a: Int32Array, n = a.length): [number, number] {
  if (n === 0) return [0, -1];
  let min = a[0]!, max = a[0]!;
  for (let i = 1; i < n; i++) {
    const x = a[i]!;
    if (x < min) min = x;
    else if (x > max) max = x;
  }
  return [min, max];
}
