// The state of a grouped aggregation: group ids for key tuples, the key values per group and
// the float64 slot states per group. The lookup loop itself is generated (group-kernel.ts);
// this class holds the arrays it reads and does the rare work: adding a group, growing,
// rehashing, switching from direct addressing to hashing, writing key columns out.
//
//   groups       ids 0..n-1 in order of first appearance
//   keys         column-wise, growable: kv[j] values (Int32Array for int32/date, Float64Array
//                for int64/float64/timestamp, Uint8Array for boolean), kn[j] 1 = valid, and
//                for strings ko[j] offsets (n + 1) into kd[j] bytes. Stored doubles are
//                normalised (-0.0 → 0.0), so a group's key prints as 0.0.
//   states       st[g * S + j] = slot j of group g (slots laid out by planAggregates)
//   hash mode    open addressing, linear probing, power-of-two capacity kept at most half
//                full: slots[p] = group + 1 (0 = empty), hs[p] = that group's hash; gh[g] =
//                group g's hash (rehashing never recomputes hashes)
//   direct mode  one int32/date/boolean key over a small range: dt[key - lo] = group + 1
//                (0 = not seen). Chosen per batch from the key's range; once a batch's range
//                would need a table too large or too sparse, the groups move to hash mode
//                for good.
// With one key, the NULL key is its own group (nullGid), outside both tables; with several
// keys NULLs are part of the hashed tuple (NULL = NULL for grouping).
//
// Key hashes (must match the generated lookup): h = TABLE_SEED, mixed with each key value as
// hash.ts does (mix / mixF64 / mixBytes / mixNull), then finishHash(h, keyCount). The seed
// differs from the partitioning seed: every row of one shuffle partition shares its
// partitioning hash modulo n, and must still spread over all of this table's slots.
import type { DataType } from '../../planner/types.js';
import type { Values, Vec } from '../batch.js';
import { allocValues } from '../batch.js';
import { finishHash, mix, mixBytes, mixF64, mixNull } from './hash.js';

export const TABLE_SEED = 0x2545f491;

/** Direct tables never exceed this many entries (4 MB). */
const DIRECT_MAX = 1 << 20;
/** A direct table may always be this large; beyond, it must not be much sparser than the rows. */
const DIRECT_FREE = 1 << 16;

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

export class GroupTable {
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
  gh = new Int32Array(this.cap);

  mode: 'hash' | 'direct';
  slots = new Int32Array(128);
  hs = new Int32Array(128);
  mask = 127;
  dt: Int32Array = EMPTY_I32;
  lo = 0;
  nullGid = -1;

  st: Float64Array;

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
   * @param direct start in direct mode (one int32/date/boolean key read straight from a column)
   */
  constructor(readonly types: readonly DataType[], readonly S: number, private readonly init: Float64Array, direct: boolean) {
    this.k = types.length;
    this.kinds = types.map(keyKind);
    this.kv = types.map((t) => (t === 'string' ? EMPTY_U8 : allocValues(t, this.cap)));
    this.kn = types.map(() => new Uint8Array(this.cap));
    this.ko = types.map((t) => (t === 'string' ? new Int32Array(this.cap + 1) : EMPTY_I32));
    this.kd = types.map((t) => (t === 'string' ? new Uint8Array(1024) : EMPTY_U8));
    this.kused = types.map(() => 0);
    this.st = new Float64Array(this.cap * S);
    this.mode = direct ? 'direct' : 'hash';
    this.pv = new Float64Array(this.k);
    this.pn = new Uint8Array(this.k);
    this.pd = types.map(() => EMPTY_U8);
    this.ps = new Int32Array(this.k);
    this.pe = new Int32Array(this.k);
  }

  // ------------------------------------------------------------------ adding groups

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
    const cap = this.cap * 2;
    for (let j = 0; j < this.k; j++) {
      if (this.kinds[j] === 'string') {
        const o = new Int32Array(cap + 1); o.set(this.ko[j]!); this.ko[j] = o;
      } else {
        const v = allocValues(this.types[j]!, cap); v.set(this.kv[j]! as never); this.kv[j] = v;
      }
      const nn = new Uint8Array(cap); nn.set(this.kn[j]!); this.kn[j] = nn;
    }
    const gh = new Int32Array(cap); gh.set(this.gh); this.gh = gh;
    const st = new Float64Array(cap * this.S); st.set(this.st); this.st = st;
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

  /** Direct mode: adds the pending key, at dt[x]. */
  insertDirect(x: number): number {
    const g = this.add();
    this.dt[x] = g + 1;
    return g;
  }

  /** One key: adds the NULL group. */
  insertNull(): number {
    this.pn[0] = 0;
    const g = this.add();
    this.nullGid = g;
    return g;
  }

  private rehash(size: number): void {
    const slots = new Int32Array(size), hs = new Int32Array(size), mask = size - 1;
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

  // ------------------------------------------------------------------ direct addressing

  /**
   * Direct mode: makes dt cover the non-null keys among the live rows of v (or switches to
   * hash mode when that would take too large or too sparse a table).
   */
  prepareDirect(v: Vec, sel: Int32Array | null, rows: number): void {
    if (this.mode !== 'direct') return;
    const x = v.values as Int32Array | Uint8Array, valid = v.valid;
    let mn = Infinity, mx = -Infinity;
    if (sel === null && valid === null) {
      for (let i = 0; i < rows; i++) { const y = x[i]!; if (y < mn) mn = y; if (y > mx) mx = y; }
    } else {
      for (let k = 0; k < rows; k++) {
        const i = sel === null ? k : sel[k]!;
        if (valid !== null && valid[i] === 0) continue;
        const y = x[i]!;
        if (y < mn) mn = y;
        if (y > mx) mx = y;
      }
    }
    if (mn > mx) return; // only NULLs
    const size0 = this.dt.length;
    if (size0 > 0 && mn >= this.lo && mx < this.lo + size0) return;
    const lo = size0 === 0 ? mn : Math.min(this.lo, mn);
    const hi = size0 === 0 ? mx : Math.max(this.lo + size0 - 1, mx);
    const span = hi - lo + 1;
    if (span > DIRECT_MAX || span > Math.max(DIRECT_FREE, 16 * (this.n + rows))) {
      this.toHash();
      return;
    }
    // Grow geometrically, with the room on the side the keys are moving to.
    const size = Math.min(DIRECT_MAX, Math.max(span, size0 * 2));
    const newLo = size0 > 0 && mn < this.lo ? Math.max(hi - size + 1, -2147483648) : lo;
    const dt = new Int32Array(size);
    if (size0 > 0) dt.set(this.dt, this.lo - newLo);
    this.dt = dt;
    this.lo = newLo;
  }

  /** Leaves direct mode: every group goes into the hash table. */
  private toHash(): void {
    this.mode = 'hash';
    this.dt = EMPTY_I32;
    for (let g = 0; g < this.n; g++) if (g !== this.nullGid) this.gh[g] = this.hashGroup(g);
    let size = 128;
    while (size < this.n * 2) size *= 2;
    this.rehash(size);
  }

  /** Group g's key hash, as the generated lookup computes it. */
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

  // ------------------------------------------------------------------ output

  /** Key column j for the given groups, in order (a fresh, dense vector). */
  keyVec(j: number, groups: Int32Array): Vec {
    const type = this.types[j]!, n = groups.length, kn = this.kn[j]!;
    const valid = new Uint8Array(n);
    let nulls = 0;
    for (let r = 0; r < n; r++) { const x = kn[groups[r]!]!; valid[r] = x; nulls += 1 - x; }
    if (type === 'string') {
      const ko = this.ko[j]!, kd = this.kd[j]!;
      const offs = new Int32Array(n + 1);
      let total = 0;
      for (let r = 0; r < n; r++) { const g = groups[r]!; total += ko[g + 1]! - ko[g]!; offs[r + 1] = total; }
      const data = new Uint8Array(total);
      for (let r = 0; r < n; r++) {
        const g = groups[r]!, s = ko[g]!, e = ko[g + 1]!, at = offs[r]!;
        if (e - s < 32) for (let q = s; q < e; q++) data[at + q - s] = kd[q]!;
        else data.set(kd.subarray(s, e), at);
      }
      return { type, length: n, values: data, offsets: offs, valid: nulls === 0 ? null : valid };
    }
    const src = this.kv[j]!, out = allocValues(type, n);
    for (let r = 0; r < n; r++) out[r] = src[groups[r]!]!;
    return { type, length: n, values: out, offsets: null, valid: nulls === 0 ? null : valid };
  }

  /** Approximate bytes held. */
  bytes(): number {
    let s = this.gh.byteLength + this.slots.byteLength + this.hs.byteLength + this.dt.byteLength + this.st.byteLength;
    for (let j = 0; j < this.k; j++) {
      s += this.kv[j]!.byteLength + this.kn[j]!.byteLength + this.ko[j]!.byteLength + this.kd[j]!.byteLength;
    }
    return s;
  }
}
