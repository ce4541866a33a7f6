// A Parquet page header (Thrift compact PageHeader): which kind of page follows, its sizes and
// the encodings of its parts. Only the fields the native reader needs are kept.
import { ThriftReader, T_FALSE, T_I32, T_STRUCT, T_TRUE } from './thrift-compact.js';

export const PAGE_DATA = 0, PAGE_DICTIONARY = 2, PAGE_DATA_V2 = 3;

export interface PageHeader {
  type: number;
  uncompressedSize: number;
  compressedSize: number;
  /** Values in the page, NULLs included (data pages) or dictionary entries. */
  numValues: number;
  encoding: number;
  /** V1 data pages: encoding of the definition levels (RLE = 3 is the only one we read). */
  defEncoding: number;
  /** V2 data pages: NULLs in the page, and the byte lengths of the (never compressed) levels. */
  numNulls: number;
  defLevelsBytes: number;
  repLevelsBytes: number;
  /** V2 data pages: whether the values section is compressed (default true). */
  compressed: boolean;
  /** Bytes the header itself took. */
  headerBytes: number;
}

/** Reads the page header at buf[pos]; `where` names the file, row group and column for errors. */
export function readPageHeader(buf: Uint8Array, pos: number, where: string): PageHeader {
  const r = new ThriftReader(buf, where, 'Parquet page header');
  r.pos = pos;
  const h: PageHeader = {
    type: -1, uncompressedSize: -1, compressedSize: -1, numValues: 0, encoding: 0, defEncoding: 3,
    numNulls: 0, defLevelsBytes: 0, repLevelsBytes: 0, compressed: true, headerBytes: 0,
  };
  r.struct((id, t) => {
    switch (id) {
      case 1: if (t !== T_I32) return false; h.type = r.int(); return true;
      case 2: if (t !== T_I32) return false; h.uncompressedSize = r.int(); return true;
      case 3: if (t !== T_I32) return false; h.compressedSize = r.int(); return true;
      case 5: // DataPageHeader
        if (t !== T_STRUCT) return false;
        r.struct((f, ft) => {
          if (ft !== T_I32) return false;
          if (f === 1) h.numValues = r.int();
          else if (f === 2) h.encoding = r.int();
          else if (f === 3) h.defEncoding = r.int();
          else return false;
          return true;
        });
        return true;
      case 7: // DictionaryPageHeader
        if (t !== T_STRUCT) return false;
        r.struct((f, ft) => {
          if (ft !== T_I32) return false;
          if (f === 1) h.numValues = r.int();
          else if (f === 2) h.encoding = r.int();
          else return false;
          return true;
        });
        return true;
      case 8: // DataPageHeaderV2
        if (t !== T_STRUCT) return false;
        r.struct((f, ft) => {
          if (f === 7 && (ft === T_TRUE || ft === T_FALSE)) { h.compressed = ft === T_TRUE; return true; }
          if (ft !== T_I32) return false;
          switch (f) {
            case 1: h.numValues = r.int(); return true;
            case 2: h.numNulls = r.int(); return true;
            case 4: h.encoding = r.int(); return true;
            case 5: h.defLevelsBytes = r.int(); return true;
            case 6: h.repLevelsBytes = r.int(); return true;
            default: return false;
          }
        });
        return true;
      default: return false;
    }
  });
  if (h.type < 0 || h.compressedSize < 0 || h.uncompressedSize < 0) r.fail('a required field is missing');
  h.headerBytes = r.pos - pos;
  return h;
}
