// min / max of strings per group: each group's best bytes so far live in one byte arena
// (at[g], ln[g]; ln = -1 while the group has seen no value). A better value is appended and
// the old bytes become garbage; the arena is compacted when garbage dominates. Strings
// compare by unsigned UTF-8 bytes.
import type { Vec } from '../batch.js';
import { cmpBytes } from '../codegen/strings.js';

export class GroupStringMinMax {
  private at = new Int32Array(64);
  private ln = new Int32Array(64).fill(-1);
  private arena = new Uint8Array(1024);
  private used = 0;
  private garbage = 0;

  constructor(readonly isMin: boolean) {}

  ensureGroups(groups: number): void {
    if (groups <= this.ln.length) return;
    let size = this.ln.length * 2;
    while (size < groups) size *= 2;
    const at = new Int32Array(size); at.set(this.at); this.at = at;
    const ln = new Int32Array(size).fill(-1); ln.set(this.ln); this.ln = ln;
  }

  /** Offers the non-null values of the live rows k with gids[k] >= 0 to their groups. */
  add(v: Vec, sel: Int32Array | null, length: number, gids: Int32Array): void {
    const n = sel === null ? length : sel.length;
    const d = v.values as Uint8Array, o = v.offsets!, valid = v.valid;
    const sign = this.isMin ? 1 : -1;
    for (let k = 0; k < n; k++) {
      const g = gids[k]!;
      if (g < 0) continue;
      const i = sel === null ? k : sel[k]!;
      if (valid !== null && valid[i] === 0) continue;
      const s = o[i]!, e = o[i + 1]!;
      const l = this.ln[g]!;
      if (l >= 0) {
        const a = this.at[g]!;
        if (sign * cmpBytes(d, s, e, this.arena, a, a + l) >= 0) continue;
        this.garbage += l;
      }
      this.store(g, d, s, e);
    }
  }

  private store(g: number, d: Uint8Array, s: number, e: number): void {
    const len = e - s;
    if (this.used + len > this.arena.length) this.makeRoom(len);
    const arena = this.arena, at = this.used;
    if (len < 32) for (let q = 0; q < len; q++) arena[at + q] = d[s + q]!;
    else arena.set(d.subarray(s, e), at);
    this.at[g] = at;
    this.ln[g] = len;
    this.used = at + len;
  }

  /** Grows the arena, or compacts it (live values only) when most of it is garbage. */
  private makeRoom(len: number): void {
    const live = this.used - this.garbage;
    let size = this.arena.length;
    while (size < 2 * (live + len)) size *= 2;
    const next = new Uint8Array(size);
    if (this.garbage * 2 > this.used) {
      let p = 0;
      for (let g = 0; g < this.ln.length; g++) {
        const l = this.ln[g]!;
        if (l < 0) continue;
        next.set(this.arena.subarray(this.at[g]!, this.at[g]! + l), p);
        this.at[g] = p;
        p += l;
      }
      this.used = p;
      this.garbage = 0;
    } else {
      next.set(this.arena.subarray(0, this.used));
    }
    this.arena = next;
  }

  /** A string column of the given groups' best values (NULL where none). */
  vec(groups: Int32Array): Vec {
    const n = groups.length;
    const valid = new Uint8Array(n);
    const offs = new Int32Array(n + 1);
    let total = 0, nulls = 0;
    for (let r = 0; r < n; r++) {
      const g = groups[r]!;
      const l = g < 0 ? -1 : this.ln[g]!;
      if (l >= 0) { total += l; valid[r] = 1; } else nulls++;
      offs[r + 1] = total;
    }
    const data = new Uint8Array(total);
    for (let r = 0; r < n; r++) {
      const g = groups[r]!;
      if (g >= 0 && this.ln[g]! > 0) data.set(this.arena.subarray(this.at[g]!, this.at[g]! + this.ln[g]!), offs[r]!);
    }
    return { type: 'string', length: n, values: data, offsets: offs, valid: nulls === 0 ? null : valid };
  }

  bytes(): number {
    return this.at.byteLength + this.ln.byteLength + this.arena.byteLength;
  }
}
