// Thrift's compact protocol, just enough to walk Parquet's FileMetaData (parquet-meta.ts) and
// page headers (parquet-page.ts): a reader that decodes the fields a caller asks for and skips
// everything else. Errors name the file and what was being read.

export const T_STOP = 0, T_TRUE = 1, T_FALSE = 2, T_BYTE = 3, T_I16 = 4, T_I32 = 5, T_I64 = 6, T_DOUBLE = 7,
  T_BINARY = 8, T_LIST = 9, T_SET = 10, T_MAP = 11, T_STRUCT = 12;

export class ThriftReader {
  pos = 0;
  constructor(readonly buf: Uint8Array, readonly where: string, readonly what = 'Parquet footer') {}

  fail(msg: string): never {
    throw new Error(`${this.where}: corrupt ${this.what} (${msg} at byte ${this.pos})`);
  }

  byte(): number {
    if (this.pos >= this.buf.length) this.fail('unexpected end');
    return this.buf[this.pos++]!;
  }

  /** Unsigned varint as a number (exact below 2^53; larger values only occur in fields we skip or clamp). */
  varint(): number {
    let result = 0, mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    return this.fail('varint too long');
  }

  /** Zigzag-decoded integer (i16/i32/i64 fields). */
  int(): number {
    const u = this.varint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  binary(): Uint8Array {
    const n = this.varint();
    if (this.pos + n > this.buf.length) this.fail('binary runs past the end');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): string {
    return new TextDecoder().decode(this.binary());
  }

  /** Calls `onField(id, type)` for each field of a struct; it must consume the value or return false to skip it. */
  struct(onField: (id: number, type: number) => boolean): void {
    let last = 0;
    for (;;) {
      const h = this.byte();
      const type = h & 0x0f;
      if (type === T_STOP) return;
      const delta = h >> 4;
      const id = delta === 0 ? this.int() : last + delta;
      last = id;
      if (!onField(id, type)) this.skip(type);
    }
  }

  list(each: (elemType: number, i: number) => void): number {
    const h = this.byte();
    let n = h >> 4;
    if (n === 15) n = this.varint();
    const et = h & 0x0f;
    for (let i = 0; i < n; i++) each(et, i);
    return n;
  }

  bool(type: number): boolean {
    return type === T_TRUE;
  }

  skip(type: number): void {
    switch (type) {
      case T_TRUE: case T_FALSE: return;
      case T_BYTE: this.pos++; return;
      case T_I16: case T_I32: case T_I64: this.varint(); return;
      case T_DOUBLE: this.pos += 8; return;
      case T_BINARY: this.binary(); return;
      case T_LIST: case T_SET: this.list((et) => this.skipElem(et)); return;
      case T_MAP: {
        const n = this.varint();
        if (n === 0) return;
        const kv = this.byte();
        for (let i = 0; i < n; i++) { this.skipElem(kv >> 4); this.skipElem(kv & 0x0f); }
        return;
      }
      case T_STRUCT: this.struct(() => false); return;
      default: this.fail(`unknown thrift type ${type}`);
    }
  }

  /** List elements: booleans are a whole byte there. */
  private skipElem(type: number): void {
    if (type === T_TRUE || type === T_FALSE) { this.pos++; return; }
    this.skip(type);
  }
}
