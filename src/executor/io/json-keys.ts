// Maps the keys of JSON records to column indexes without decoding a key per record: records
// of one file usually list their keys in the same order, so the key last seen at slot j is
// compared byte for byte first; only a different key is decoded and looked up.
import { bytesEqual } from './text-parse.js';
import { jsonString, type JsonRecord } from './json-scan.js';

export class KeyIndex {
  readonly names: string[] = [];
  private readonly map = new Map<string, number>();
  private slotKey: (Uint8Array | null)[] = [];
  private slotCol: number[] = [];

  constructor(names: readonly string[] = []) {
    for (const n of names) this.add(n);
  }

  private add(name: string): number {
    const i = this.names.length;
    this.names.push(name);
    this.map.set(name, i);
    return i;
  }

  /** Column of key j of the record, or -1 when unknown and !grow (grow: unknown keys become new columns). */
  find(buf: Uint8Array, rec: JsonRecord, j: number, grow: boolean): number {
    const s = rec.keyS[j]!, e = rec.keyE[j]!;
    const prev = this.slotKey[j];
    if (prev && bytesEqual(buf, s, e, prev)) return this.slotCol[j]!;
    const name = jsonString(buf, s, e, rec.keyEsc[j] === 1);
    let c = this.map.get(name);
    if (c === undefined) c = grow ? this.add(name) : -1;
    this.slotKey[j] = buf.slice(s, e);
    this.slotCol[j] = c;
    return c;
  }
}
