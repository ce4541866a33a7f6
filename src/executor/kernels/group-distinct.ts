// countDistinct per group: one hash set of (group, value) pairs in typed arrays — entries
// eg (group), eh (hash) and the value (ev for numbers, normalised -0.0 → 0.0; an arena
// slice for strings), open addressing with linear probing over entry ids, and a count per
// group. NaN is one value and -0.0 equals 0.0 (as Spark's count(DISTINCT)); NULLs are skipped.
import type { DataType } from '../../planner/types.js';
import type { Vec } from '../batch.js';
import { allocValues } from '../batch.js';
import { eqBytes } from '../codegen/strings.js';
import { finishHash, mix, mixBytes, mixF64 } from './hash.js';

const SEED = 0x1b56c4e9;

export class GroupDistinct {
  private readonly str: boolean;
  private ne = 0;
  private eg = new Int32Array(64);
  private eh = new Int32Array(64);
  private ev = new Float64Array(0);
  private es = new Int32Array(0);
  private el = new Int32Array(0);
  private arena = new Uint8Array(0);
  private used = 0;
  private slots = new Int32Array(128);
  private mask = 127;
  /** Distinct values per group. */
  counts = new Int32Array(64);

  constructor(readonly type: DataType) {
    this.str = type === 'string';
    if (this.str) {
      this.es = new Int32Array(64);
      this.el = new Int32Array(64);
      this.arena = new Uint8Array(1024);
    } else {
      this.ev = new Float64Array(64);
    }
  }

  /** Makes room for `groups` groups. */
  ensureGroups(groups: number): void {
    if (groups <= this.counts.length) return;
    let size = this.counts.length * 2;
    while (size < groups) size *= 2;
    const c = new Int32Array(size); c.set(this.counts); this.counts = c;
  }

  /** Adds the non-null values of the live rows k with gids[k] >= 0 to their groups' sets. */
  add(v: Vec, sel: Int32Array | null, length: number, gids: Int32Array): void {
    const n = sel === null ? length : sel.length;
    const valid = v.valid;
    if (this.str) {
      const d = v.values as Uint8Array, o = v.offsets!;
      for (let k = 0; k < n; k++) {
        const g = gids[k]!;
        if (g < 0) continue;
        const i = sel === null ? k : sel[k]!;
        if (valid !== null && valid[i] === 0) continue;
        this.addBytes(g, d, o[i]!, o[i + 1]!);
      }
      return;
    }
    const x = v.values;
    const isInt = this.type !== 'int64' && this.type !== 'float64' && this.type !== 'timestamp';
    for (let k = 0; k < n; k++) {
      const g = gids[k]!;
      if (g < 0) continue;
      const i = sel === null ? k : sel[k]!;
      if (valid !== null && valid[i] === 0) continue;
      this.addNumber(g, x[i]!, isInt);
    }
  }

  private addNumber(g: number, x: number, isInt: boolean): void {
    if (x === 0) x = 0;
    const h = finishHash(isInt ? mix(mix(SEED, g), x) : mixF64(mix(SEED, g), x), 2);
    const eg = this.eg, eh = this.eh, ev = this.ev, slots = this.slots, mask = this.mask;
    let p = h & mask;
    for (;;) {
      const q = slots[p]!;
      if (q === 0) break;
      const e = q - 1;
      if (eh[e] === h && eg[e] === g && (ev[e] === x || (x !== x && ev[e] !== ev[e]))) return;
      p = (p + 1) & mask;
    }
    const e = this.newEntry(g, h, p);
    this.ev[e] = x;
  }

  private addBytes(g: number, d: Uint8Array, s: number, e: number): void {
    const h = finishHash(mixBytes(mix(SEED, g), d, s, e), 2);
    const eg = this.eg, eh = this.eh, es = this.es, el = this.el, arena = this.arena, slots = this.slots, mask = this.mask;
    let p = h & mask;
    for (;;) {
      const q = slots[p]!;
      if (q === 0) break;
      const x = q - 1;
      if (eh[x] === h && eg[x] === g && eqBytes(arena, es[x]!, es[x]! + el[x]!, d, s, e)) return;
      p = (p + 1) & mask;
    }
    const len = e - s;
    if (this.used + len > this.arena.length) {
      let size = this.arena.length * 2;
      while (size < this.used + len) size *= 2;
      const a = new Uint8Array(size); a.set(this.arena.subarray(0, this.used)); this.arena = a;
    }
    const x = this.newEntry(g, h, p);
    this.arena.set(d.subarray(s, e), this.used);
    this.es[x] = this.used;
    this.el[x] = len;
    this.used += len;
  }

  /** Registers a new entry of group g at the empty slot p; the caller stores its value. */
  private newEntry(g: number, h: number, p: number): number {
    if (this.ne === this.eg.length) this.growEntries();
    const e = this.ne++;
    this.eg[e] = g;
    this.eh[e] = h;
    this.slots[p] = e + 1;
    this.counts[g]!++;
    if (this.ne * 2 > this.slots.length) this.rehash();
    return e;
  }

  private growEntries(): void {
    const size = this.eg.length * 2;
    const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      if (a.length === 0) return a;
      const b = make(size); b.set(a as never); return b;
    };
    this.eg = grow(this.eg, (n) => new Int32Array(n));
    this.eh = grow(this.eh, (n) => new Int32Array(n));
    this.ev = grow(this.ev, (n) => new Float64Array(n));
    this.es = grow(this.es, (n) => new Int32Array(n));
    this.el = grow(this.el, (n) => new Int32Array(n));
  }

  private rehash(): void {
    const size = this.slots.length * 2, mask = size - 1;
    const slots = new Int32Array(size), eh = this.eh;
    for (let e = 0; e < this.ne; e++) {
      let p = eh[e]! & mask;
      while (slots[p] !== 0) p = (p + 1) & mask;
      slots[p] = e + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }

  /**
   * The entries grouped by group: group g's values are entries order[start[g] ..
   * start[g + 1]) (for partials: one distinct value per row).
   */
  byGroup(groups: number): { start: Int32Array; order: Int32Array } {
    const start = new Int32Array(groups + 1);
    for (let g = 0; g < groups; g++) start[g + 1] = start[g]! + this.counts[g]!;
    const at = start.slice(0, groups);
    const order = new Int32Array(this.ne);
    for (let e = 0; e < this.ne; e++) order[at[this.eg[e]!]!++] = e;
    return { start, order };
  }

  /** A column of the values of the given entries (-1 = NULL). */
  valueVec(entries: Int32Array): Vec {
    const n = entries.length;
    const valid = new Uint8Array(n);
    let nulls = 0;
    for (let r = 0; r < n; r++) { const ok = entries[r]! >= 0 ? 1 : 0; valid[r] = ok; nulls += 1 - ok; }
    if (this.str) {
      const offs = new Int32Array(n + 1);
      let total = 0;
      for (let r = 0; r < n; r++) { const e = entries[r]!; if (e >= 0) total += this.el[e]!; offs[r + 1] = total; }
      const data = new Uint8Array(total);
      for (let r = 0; r < n; r++) {
        const e = entries[r]!;
        if (e >= 0) data.set(this.arena.subarray(this.es[e]!, this.es[e]! + this.el[e]!), offs[r]!);
      }
      return { type: 'string', length: n, values: data, offsets: offs, valid: nulls === 0 ? null : valid };
    }
    const out = allocValues(this.type, n);
    for (let r = 0; r < n; r++) { const e = entries[r]!; if (e >= 0) out[r] = this.ev[e]!; }
    return { type: this.type, length: n, values: out, offsets: null, valid: nulls === 0 ? null : valid };
  }

  bytes(): number {
    return this.eg.byteLength + this.eh.byteLength + this.ev.byteLength + this.es.byteLength + this.el.byteLength +
      this.arena.byteLength + this.slots.byteLength + this.counts.byteLength;
  }
}
