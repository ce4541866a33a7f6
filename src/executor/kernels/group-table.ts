// The state of a grouped aggregation: which groups exist, their key values and their float64
// slot states. The lookup loop itself is generated (group-kernel.ts); this class holds the
// arrays it reads and does the rare work: adding a group, growing, rehashing, widening or
// leaving the keyed range, writing key columns out.
//
// A group is named by its HANDLE h: its slots are st[h * S + j] (slots laid out by
// planAggregates). groupHandles() lists the handles in output order.
//
//   hash mode    handles are group ids 0..n-1 in order of first appearance. Keys column-wise,
//                growable: kv[j] values (Int32Array for int32/date, Float64Array for
//                int64/float64/timestamp, Uint8Array for boolean), kn[j] 1 = valid, and for
//                strings ko[j] offsets (n + 1) into kd[j] bytes. Stored doubles are normalised
//                (-0.0 → 0.0), so a group's key prints as 0.0. Open addressing, linear
//                probing, power-of-two capacity kept at most half full: slots[p] = group + 1
//                (0 = empty), hs[p] = that group's hash; gh[g] = group g's hash (rehashing
//                never recomputes hashes). With one key the NULL key is its own group
//                (nullGid), outside the table; with several keys NULLs are part of the hashed
//                tuple (NULL = NULL for grouping).
//   keyed mode   one int32/date/boolean key read straight from a column, over a small range:
//                the handle IS the key's row in the range, h = key - lo + 1 (h = 0 is the
//                NULL key), so the loop does no lookup at all: seen[h] = 1 marks the groups
//                that exist. Groups come out in key order (NULL first). The range is widened
//                when a key falls outside it (sized from the rest of that batch); once it
//                would get too large or too sparse, the groups move to hash mode for good.
//                Needs no group ids, so it is used only when every aggregate is a slot one.
//
// Key hashes (must match the generated lookup): h = TABLE_SEED, mixed with each key value as
// hash.ts does (mix / mixF64 / mixBytes / mixNull), then finishHash(h, keyCount). The seed
// differs from the partitioning seed: every row of one shuffle partition shares its
// partitioning hash modulo n, and must still spread over all of this table's slots.
import type { DataType } from '../../planner/types.js';
import type { Values, Vec } from '../batch.js';
import { allocValues } from '../batch.js';
import { finishHash, mix, mixBytes, mixF64, mixNull } from './hash.js';
import { type Retiree, recycle, retire, unretire, takeF64, takeI32, takeU8 } from './group-buffers.js';

export const TABLE_SEED = 0x2545f491;

/** A keyed range never exceeds this many keys... */
const KEYED_MAX = 1 << 20;
/** ...nor this many bytes of slots. */
const KEYED_MAX_BYTES = 16 << 20;
/** A keyed range may always be this large; beyond, it must not be much sparser than the rows. */
const KEYED_FREE = 1 << 16;

const EMPTY_U8 = new Uint8Array(0);
const EMPTY_I32 = new Int32Array(0);

export type KeyKind = 'int' | 'double' | 'bool' | 'string';

export function keyKind(t: DataType): KeyKind {
  switch (t) {
    case 'int32': case 'date': return 'int';
    case 'int64': case 'float64': case 'timestamp': return 'double';
    case 'boolean': return 'bool';
    case 'string': return 'string';
  }
}

/** Whether a key of this type can be keyed (direct-addressed). */
export function isKeyedType(t: DataType): boolean {
  return t === 'int32' || t === 'date' || t === 'boolean';
}

let handleScratch = new Int32Array(0);

/** A zeroed array of n values of a key type, recycled memory when there is some. */
function takeValues(t: DataType, n: number): Values {
  switch (t) {
    case 'int32': case 'date': return takeI32(n);
    case 'int64': case 'float64': case 'timestamp': return takeF64(n);
    case 'boolean': case 'string': return takeU8(n);
  }
}

export class GroupTable implements Retiree {
  readonly k: number;
  readonly kinds: readonly KeyKind[];
  /** Number of groups. */
  n = 0;
  private cap = 64;
  readonly kv: Values[];
  readonly kn: Uint8Array[];
  readonly ko: Int32Array[];
  readonly kd: Uint8Array[];
  /** Bytes used in kd[j]. */
  private readonly kused: number[];
  gh: Int32Array = new Int32Array(this.cap);

  mode: 'hash' | 'keyed';
  slots: Int32Array = new Int32Array(128);
  hs: Int32Array = new Int32Array(128);
  mask = 127;
  nullGid = -1;

  /** Keyed mode: keys lo .. lo + size - 1 have handles 1 .. size; seen has size + 1 entries. */
  lo = 0;
  size = 0;
  seen: Uint8Array = EMPTY_U8;

  st: Float64Array;
  private readonly zeroInit: boolean;
  /** Its arrays were reclaimed for another table (group-buffers.ts): it must not be used. */
  revoked = false;

  /** The key of the row being inserted, written by the lookup loop before insert*(). */
  readonly pv: Float64Array;
  readonly pn: Uint8Array;
  readonly pd: Uint8Array[];
  readonly ps: Int32Array;
  readonly pe: Int32Array;

  /**
   * @param types  key types
   * @param S      float64 slots per group
   * @param init   their initial values
   * @param keyed  start in keyed mode (one int32/date/boolean key read straight from a column)
   */
  constructor(readonly types: readonly DataType[], readonly S: number, private readonly init: Float64Array, keyed: boolean) {
    if (keyed && !(types.length === 1 && isKeyedType(types[0]!))) {
      throw new Error(`internal error: keyed group table needs one int32, date or boolean key, got ${types.join(', ')}`);
    }
    this.k = types.length;
    this.kinds = types.map(keyKind);
    this.mode = keyed ? 'keyed' : 'hash';
    const cap = keyed ? 0 : this.cap;
    this.kv = types.map((t) => (t === 'string' ? EMPTY_U8 : allocValues(t, cap)));
    this.kn = types.map(() => new Uint8Array(cap));
    this.ko = types.map((t) => (t === 'string' ? new Int32Array(cap + 1) : EMPTY_I32));
    this.kd = types.map((t) => (t === 'string' ? new Uint8Array(1024) : EMPTY_U8));
    this.kused = types.map(() => 0);
    this.zeroInit = init.every((x) => x === 0 && !Object.is(x, -0));
    if (keyed) {
      this.cap = 0;
      this.gh = EMPTY_I32;
      this.slots = EMPTY_I32;
      this.hs = EMPTY_I32;
      this.mask = 0;
      this.seen = new Uint8Array(1);
      this.st = this.initRows(new Float64Array(S), 0, 1);
    } else {
      this.st = new Float64Array(this.cap * S);
    }
    this.pv = new Float64Array(this.k);
    this.pn = new Uint8Array(this.k);
    this.pd = types.map(() => EMPTY_U8);
    this.ps = new Int32Array(this.k);
    this.pe = new Int32Array(this.k);
  }

  /** Writes the initial slot values into rows [from, to) of st (a fresh array is all zeros). */
  private initRows(st: Float64Array, from: number, to: number): Float64Array {
    const S = this.S;
    if (this.zeroInit || S === 0) return st;
    for (let h = from; h < to; h++) for (let j = 0; j < S; j++) st[h * S + j] = this.init[j]!;
    return st;
  }

  // ------------------------------------------------------------------ adding groups (hash mode)

  /** Appends a group with the pending key (pv/pn/pd/ps/pe); returns its id. */
  private add(): number {
    if (this.n === this.cap) this.growGroups();
    const g = this.n;
    for (let j = 0; j < this.k; j++) {
      const valid = this.pn[j]!;
      this.kn[j]![g] = valid;
      if (this.kinds[j] === 'string') {
        const s = valid ? this.ps[j]! : 0, e = valid ? this.pe[j]! : 0;
        this.appendBytes(j, this.pd[j]!, s, e);
        this.ko[j]![g + 1] = this.kused[j]!;
      } else {
        const x = valid ? this.pv[j]! : 0;
        this.kv[j]![g] = x === 0 ? 0 : x; // -0.0 → 0.0
      }
    }
    const S = this.S;
    if (S > 0) for (let j = 0; j < S; j++) this.st[g * S + j] = this.init[j]!;
    this.n = g + 1;
    return g;
  }

  private appendBytes(j: number, d: Uint8Array, s: number, e: number): void {
    const used = this.kused[j]!, len = e - s;
    let buf = this.kd[j]!;
    if (used + len > buf.length) {
      let size = buf.length * 2;
      while (size < used + len) size *= 2;
      const nb = new Uint8Array(size);
      nb.set(buf.subarray(0, used));
      this.kd[j] = buf = nb;
    }
    if (len < 32) for (let q = 0; q < len; q++) buf[used + q] = d[s + q]!;
    else buf.set(d.subarray(s, e), used);
    this.kused[j] = used + len;
  }

  private growGroups(): void {
    const cap = Math.max(64, this.cap * 2), n = this.n;
    for (let j = 0; j < this.k; j++) {
      if (this.kinds[j] === 'string') {
        const o = takeI32(cap + 1); o.set(this.ko[j]!.subarray(0, n + 1)); recycle(this.ko[j]!.buffer); this.ko[j] = o;
      } else {
        const v = takeValues(this.types[j]!, cap); v.set(this.kv[j]!.subarray(0, n) as never); recycle(this.kv[j]!.buffer); this.kv[j] = v;
      }
      const nn = takeU8(cap); nn.set(this.kn[j]!.subarray(0, n)); recycle(this.kn[j]!.buffer); this.kn[j] = nn;
    }
    const gh = takeI32(cap); gh.set(this.gh.subarray(0, n)); recycle(this.gh.buffer); this.gh = gh;
    const st = takeF64(cap * this.S); st.set(this.st.subarray(0, n * this.S)); recycle(this.st.buffer); this.st = st;
    this.cap = cap;
  }

  /** Hash mode: adds the pending key at the empty slot p, with hash h. */
  insert(h: number, p: number): number {
    const g = this.add();
    this.gh[g] = h;
    this.slots[p] = g + 1;
    this.hs[p] = h;
    if (this.n * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    return g;
  }

  /** Hash mode, one key: adds the NULL group. */
  insertNull(): number {
    this.pn[0] = 0;
    const g = this.add();
    this.nullGid = g;
    return g;
  }

  private rehash(size: number): void {
    const slots = takeI32(size), hs = takeI32(size), mask = size - 1;
    recycle(this.slots.buffer);
    recycle(this.hs.buffer);
    const gh = this.gh, single = this.k === 1;
    for (let g = 0; g < this.n; g++) {
      if (single && g === this.nullGid) continue;
      const h = gh[g]!;
      let p = h & mask;
      while (slots[p] !== 0) p = (p + 1) & mask;
      slots[p] = g + 1;
      hs[p] = h;
    }
    this.slots = slots; this.hs = hs; this.mask = mask;
  }

  // ------------------------------------------------------------------ keyed mode

  /**
   * Keyed mode, called when the key of live row `from` of a batch lies outside the range:
   * widens the range to cover the non-null keys of live rows from.. of v (the key column),
   * or moves every group to hash mode when that range would be too large or too sparse.
   * `rows` is the batch's live row count.
   */
  widen(v: Vec, sel: Int32Array | null, from: number, rows: number): void {
    if (this.mode !== 'keyed') throw new Error('internal error: widen outside keyed mode');
    const x = v.values as Int32Array | Uint8Array, valid = v.valid;
    let mn = Infinity, mx = -Infinity;
    for (let k = from; k < rows; k++) {
      const i = sel === null ? k : sel[k]!;
      if (valid !== null && valid[i] === 0) continue;
      const y = x[i]!;
      if (y < mn) mn = y;
      if (y > mx) mx = y;
    }
    if (mn > mx) throw new Error('internal error: widen found no key outside the range');
    const size0 = this.size;
    const lo = size0 === 0 ? mn : Math.min(this.lo, mn);
    const hi = size0 === 0 ? mx : Math.max(this.lo + size0 - 1, mx);
    const span = hi - lo + 1;
    const most = Math.min(KEYED_MAX, Math.floor(KEYED_MAX_BYTES / (8 * this.S + 1)));
    if (span > most || span > Math.max(KEYED_FREE, 16 * (this.n + rows))) {
      this.toHash();
      return;
    }
    // Grow geometrically, with the room on the side the keys are moving to; the first range
    // gets a little room on both sides (a batch rarely holds the extreme keys).
    let size: number, newLo: number;
    if (size0 === 0) {
      const slack = Math.min(span >> 4, (most - span) >> 1);
      newLo = Math.max(lo - slack, -2147483648);
      size = Math.min(hi + slack, 2147483647) - newLo + 1;
    } else {
      size = Math.min(most, Math.max(span, size0 * 2));
      newLo = mn < this.lo ? Math.max(hi - size + 1, -2147483648) : lo;
    }
    const S = this.S, shift = size0 === 0 ? 0 : this.lo - newLo;
    const st = this.initRows(takeF64((size + 1) * S), 1, size + 1);
    const seen = takeU8(size + 1);
    // The NULL row stays row 0; key rows move by `shift`.
    st.set(this.st.subarray(0, S));
    seen[0] = this.seen[0]!;
    if (size0 > 0) {
      st.set(this.st.subarray(S, (size0 + 1) * S), (1 + shift) * S);
      seen.set(this.seen.subarray(1, size0 + 1), 1 + shift);
    }
    recycle(this.st.buffer);
    recycle(this.seen.buffer);
    this.st = st;
    this.seen = seen;
    this.lo = newLo;
    this.size = size;
  }

  /** Leaves keyed mode: every group goes into a dense hash table (in key order). */
  private toHash(): void {
    const handles = this.groupHandles();
    const old = this.st, seen = this.seen, S = this.S, lo = this.lo, G = this.n;
    this.mode = 'hash';
    this.n = 0;
    this.cap = 0;
    this.st = new Float64Array(0);
    this.seen = EMPTY_U8;
    this.size = 0;
    for (let r = 0; r < G; r++) {
      const h = handles[r]!;
      if (seen[h] !== 1) throw new Error('internal error: keyed handle not seen');
      this.pn[0] = h === 0 ? 0 : 1;
      this.pv[0] = h === 0 ? 0 : lo + h - 1;
      const g = this.add();
      if (h === 0) this.nullGid = g;
      for (let j = 0; j < S; j++) this.st[g * S + j] = old[h * S + j]!;
    }
    for (let g = 0; g < this.n; g++) if (g !== this.nullGid) this.gh[g] = this.hashGroup(g);
    let size = 128;
    while (size < this.n * 2) size *= 2;
    this.rehash(size);
    recycle(old.buffer);
    recycle(seen.buffer);
  }

  /** Group g's key hash (hash mode), as the generated lookup computes it. */
  hashGroup(g: number): number {
    let h = TABLE_SEED;
    for (let j = 0; j < this.k; j++) {
      if (this.kn[j]![g] === 0) { h = mixNull(h); continue; }
      switch (this.kinds[j]!) {
        case 'int': case 'bool': h = mix(h, this.kv[j]![g]!); break;
        case 'double': h = mixF64(h, this.kv[j]![g]!); break;
        case 'string': h = mixBytes(h, this.kd[j]!, this.ko[j]![g]!, this.ko[j]![g + 1]!); break;
      }
    }
    return finishHash(h, this.k);
  }

  // ------------------------------------------------------------------ recycling

  /** The output is built: the arrays may be reclaimed by the next table that needs memory. */
  retire(): void {
    retire(this);
  }

  /** Updated again after its output was built: its arrays are its own again. */
  unretire(): void {
    unretire(this);
  }

  surrender(): ArrayBuffer[] {
    const bufs = new Set<ArrayBufferLike>([this.st.buffer, this.seen.buffer, this.slots.buffer, this.hs.buffer, this.gh.buffer]);
    for (let j = 0; j < this.k; j++) for (const a of [this.kv[j]!, this.kn[j]!, this.ko[j]!]) bufs.add(a.buffer);
    this.revoked = true;
    this.st = new Float64Array(0);
    this.seen = EMPTY_U8;
    this.slots = EMPTY_I32;
    this.hs = EMPTY_I32;
    this.gh = EMPTY_I32;
    for (let j = 0; j < this.k; j++) { this.kv[j] = EMPTY_U8; this.kn[j] = EMPTY_U8; this.ko[j] = EMPTY_I32; }
    return [...bufs].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
  }

  // ------------------------------------------------------------------ output

  /**
   * The n group handles in output order: ids 0..n-1 (hash mode) or the seen rows of the range
   * (keyed mode). A per-thread scratch array, valid until the next call.
   */
  groupHandles(): Int32Array {
    const G = this.n;
    if (handleScratch.length < G) handleScratch = new Int32Array(Math.max(G, handleScratch.length * 2, 1024));
    const out = handleScratch.subarray(0, G);
    if (this.mode === 'hash') {
      for (let g = 0; g < G; g++) out[g] = g;
      return out;
    }
    const seen = this.seen, end = this.size + 1;
    let r = 0;
    for (let h = 0; h < end && r < G; h++) if (seen[h] !== 0) out[r++] = h;
    if (r !== G) throw new Error(`internal error: keyed table has ${r} seen keys but counts ${G} groups`);
    return out;
  }

  /** Key column j for the given group handles, in order (a fresh, dense vector). */
  keyVec(j: number, handles: Int32Array): Vec {
    const type = this.types[j]!, n = handles.length;
    if (this.mode === 'keyed') {
      const out = allocValues(type, n), lo = this.lo;
      let valid: Uint8Array | null = null;
      for (let r = 0; r < n; r++) {
        const h = handles[r]!;
        if (h === 0) {
          if (valid === null) { valid = new Uint8Array(n); valid.fill(1); }
          valid[r] = 0;
        } else {
          out[r] = lo + h - 1;
        }
      }
      return { type, length: n, values: out, offsets: null, valid };
    }
    const kn = this.kn[j]!;
    let nulls = 0;
    for (let r = 0; r < n; r++) nulls += 1 - kn[handles[r]!]!;
    let valid: Uint8Array | null = null;
    if (nulls > 0) {
      valid = new Uint8Array(n);
      for (let r = 0; r < n; r++) valid[r] = kn[handles[r]!]!;
    }
    if (type === 'string') {
      const ko = this.ko[j]!, kd = this.kd[j]!;
      const offs = new Int32Array(n + 1);
      let total = 0;
      for (let r = 0; r < n; r++) { const g = handles[r]!; total += ko[g + 1]! - ko[g]!; offs[r + 1] = total; }
      const data = new Uint8Array(total);
      for (let r = 0; r < n; r++) {
        const g = handles[r]!, s = ko[g]!, e = ko[g + 1]!, at = offs[r]!;
        if (e - s < 32) for (let q = s; q < e; q++) data[at + q - s] = kd[q]!;
        else data.set(kd.subarray(s, e), at);
      }
      return { type, length: n, values: data, offsets: offs, valid };
    }
    const src = this.kv[j]!, out = allocValues(type, n);
    for (let r = 0; r < n; r++) out[r] = src[handles[r]!]!;
    return { type, length: n, values: out, offsets: null, valid };
  }

  /** Approximate bytes held. */
  bytes(): number {
    let s = this.gh.byteLength + this.slots.byteLength + this.hs.byteLength + this.seen.byteLength + this.st.byteLength;
    for (let j = 0; j < this.k; j++) {
      s += this.kv[j]!.byteLength + this.kn[j]!.byteLength + this.ko[j]!.byteLength + this.kd[j]!.byteLength;
    }
    return s;
  }
}
