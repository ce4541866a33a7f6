import { describe, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import {
  arrowTypeToDataType, arrowSchemaToSchema, recordBatchToBatch, tableToBatches, batchToRecordBatch, batchesToTable,
} from '../../src/executor/arrow.js';
import { batchToRows, makeBatch, rowsToBatch, type Batch } from '../../src/executor/batch.js';
import { field, type Schema } from '../../src/planner/types.js';

const schema: Schema = [
  field('i', 'int32'), field('l', 'int64'), field('f', 'float64'), field('s', 'string'),
  field('b', 'boolean'), field('d', 'date'), field('t', 'timestamp'),
];

function sampleRows(n: number): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (let k = 0; k < n; k++) {
    const nul = k % 7 === 3;
    rows.push({
      i: nul ? null : k - 5,
      l: k % 5 === 1 ? null : (k - 10) * 1_000_000_007,
      f: k % 6 === 2 ? null : k === 4 ? -0 : k / 3,
      s: k % 4 === 0 ? null : k % 3 === 0 ? '' : `str-${k}-ü日本`,
      b: k % 9 === 8 ? null : k % 2 === 0,
      d: k % 8 === 5 ? null : 19000 + k - 50,
      t: k % 10 === 7 ? null : 1_700_000_000_123 + k * 1001 - 2_000_000_000_000,
    });
  }
  return rows;
}

function roundTrip(b: Batch): Batch {
  const rb = batchToRecordBatch(b);
  return recordBatchToBatch(rb);
}

describe('arrow type mapping', () => {
  it('maps arrow types to ours', () => {
    const cases: [arrow.DataType, string][] = [
      [new arrow.Int8(), 'int32'], [new arrow.Int16(), 'int32'], [new arrow.Int32(), 'int32'],
      [new arrow.Uint8(), 'int32'], [new arrow.Uint16(), 'int32'], [new arrow.Uint32(), 'int64'],
      [new arrow.Int64(), 'int64'], [new arrow.Uint64(), 'int64'],
      [new arrow.Float16(), 'float64'], [new arrow.Float32(), 'float64'], [new arrow.Float64(), 'float64'],
      [new arrow.Utf8(), 'string'], [new arrow.LargeUtf8(), 'string'],
      [new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()), 'string'],
      [new arrow.Bool(), 'boolean'], [new arrow.DateDay(), 'date'], [new arrow.DateMillisecond(), 'date'],
      [new arrow.TimestampSecond(), 'timestamp'], [new arrow.TimestampMicrosecond('UTC'), 'timestamp'],
      [new arrow.TimestampNanosecond(), 'timestamp'], [new arrow.Decimal(2, 10, 128), 'float64'],
    ];
    for (const [t, want] of cases) expect(arrowTypeToDataType(t, 'column x')).toBe(want);
  });

  it('names the column and the type it cannot map', () => {
    expect(() => arrowTypeToDataType(new arrow.TimeMillisecond(), "column 'when'")).toThrow(/column 'when'.*Time/);
    const s = new arrow.Schema([new arrow.Field('bin', new arrow.Binary())]);
    expect(() => arrowSchemaToSchema(s)).toThrow(/column 'bin'.*Binary/);
  });
});

describe('batch <-> arrow round trip', () => {
  it('keeps every type and the nulls', () => {
    const rows = sampleRows(200);
    const b = rowsToBatch(schema, rows);
    const back = roundTrip(b);
    expect(back.schema).toEqual(schema);
    const got = batchToRows(back);
    expect(got).toEqual(batchToRows(b));
    expect(Object.is(got[4]!.f, -0)).toBe(true);
  });

  it('arrow values read back as the JS values arrow itself reports', () => {
    const rows = sampleRows(50);
    const rb = batchToRecordBatch(rowsToBatch(schema, rows));
    expect(rb.numRows).toBe(50);
    for (let k = 0; k < 50; k++) {
      const r = rb.get(k)!.toJSON() as Record<string, unknown>;
      const want = rows[k]!;
      expect(r.i).toBe(want.i);
      expect(r.l === null ? null : Number(r.l as bigint)).toBe(want.l);
      expect(r.s).toBe(want.s);
      expect(r.b).toBe(want.b);
      expect(r.d === null ? null : (r.d as number) / 86_400_000).toBe(want.d);
      expect(r.t === null ? null : Number(r.t)).toBe(want.t);
      if (want.f === null) expect(r.f).toBeNull(); else expect(Object.is(r.f, want.f)).toBe(true);
    }
    expect(rb.getChild('i')!.nullCount).toBe(rows.filter((r) => r.i === null).length);
  });

  it('respects a selection vector (only live rows are exported)', () => {
    const b = rowsToBatch(schema, sampleRows(30));
    const sel = Int32Array.from([1, 2, 9, 17, 29]);
    const withSel = makeBatch(b.schema, b.columns, b.length, sel);
    const rb = batchToRecordBatch(withSel);
    expect(rb.numRows).toBe(5);
    expect(batchToRows(recordBatchToBatch(rb))).toEqual(batchToRows(withSel));
  });

  it('handles empty tables', () => {
    const t = batchesToTable(schema, []);
    expect(t.numRows).toBe(0);
    expect(arrowSchemaToSchema(t.schema)).toEqual(schema);
    expect(tableToBatches(t)).toEqual([]);
    const empty = rowsToBatch(schema, []);
    const t2 = batchesToTable(schema, [empty]);
    expect(t2.numRows).toBe(0);
    const back = tableToBatches(t2);
    expect(back.length).toBe(1);
    expect(back[0]!.length).toBe(0);
    expect(back[0]!.columns[3]!.offsets!.length).toBe(1);
  });

  it('survives IPC (table → bytes → table → batches)', () => {
    const rows = sampleRows(1000);
    const b = rowsToBatch(schema, rows);
    const t = batchesToTable(schema, [b, b]);
    const t2 = arrow.tableFromIPC(arrow.tableToIPC(t, 'stream'));
    const bs = tableToBatches(t2);
    expect(bs.flatMap(batchToRows)).toEqual([...batchToRows(b), ...batchToRows(b)]);
  });

  it('reads int32/float64/utf8 zero-copy', () => {
    const t = arrow.tableFromArrays({ a: Int32Array.from([1, 2, 3]), f: Float64Array.from([1.5, 2.5, 3.5]) });
    const b = tableToBatches(t)[0]!;
    const rbData = t.batches[0]!.data.children;
    expect(b.columns[0]!.values.buffer).toBe((rbData[0]!.values as Int32Array).buffer);
    expect(b.columns[1]!.values.buffer).toBe((rbData[1]!.values as Float64Array).buffer);
  });
});

describe('arrow → batch edge cases', () => {
  it('reads sliced vectors (data.offset) including bitmaps at odd offsets', () => {
    const rows = sampleRows(100);
    const t = batchesToTable(schema, [rowsToBatch(schema, rows)]);
    for (const [start, end] of [[3, 40], [8, 16], [13, 99], [0, 0], [99, 100]] as const) {
      const sliced = t.slice(start, end);
      const got = sliced.batches.flatMap((rb) => batchToRows(recordBatchToBatch(rb)));
      expect(got).toEqual(batchToRows(rowsToBatch(schema, rows.slice(start, end))));
      for (const rb of sliced.batches) {
        const b = recordBatchToBatch(rb);
        expect(b.columns[3]!.offsets![0]).toBe(0);
      }
    }
  });

  it('decodes dictionary strings into plain utf8, with nulls and slicing', () => {
    const dict = arrow.vectorFromArray(['apple', 'banana', 'cherry ü'], new arrow.Utf8());
    const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
    const codes = Int32Array.from([2, 0, 1, 1, 0, 2, 0]);
    const validBits = Uint8Array.from([0b1110111]); // row 3 is null
    const data = arrow.makeData({ type, length: 7, nullCount: 1, nullBitmap: validBits, data: codes, dictionary: dict });
    const rb = new arrow.RecordBatch(new arrow.Schema([new arrow.Field('s', type, true)]), arrow.makeData({
      type: new arrow.Struct([new arrow.Field('s', type, true)]), length: 7, nullCount: 0, children: [data],
    }));
    const b = recordBatchToBatch(rb);
    expect(b.schema).toEqual([field('s', 'string')]);
    expect(batchToRows(b).map((r) => r.s)).toEqual(['cherry ü', 'apple', 'banana', null, 'apple', 'cherry ü', 'apple']);
    const t = new arrow.Table([rb]).slice(2, 6);
    expect(t.batches.flatMap((x) => batchToRows(recordBatchToBatch(x))).map((r) => r.s)).toEqual(['banana', null, 'apple', 'cherry ü']);
  });

  it('converts narrow/unsigned ints, float32, int64 beyond 2^32, large utf8, date ms, timestamp units, decimals', () => {
    const t = arrow.tableFromArrays({
      i8: Int8Array.from([-128, 0, 127]),
      u16: Uint16Array.from([0, 65535, 7]),
      u32: Uint32Array.from([0, 4294967295, 7]),
      i64: BigInt64Array.from([-(2n ** 40n) - 3n, 2n ** 53n, -1n]),
      u64: BigUint64Array.from([0n, 2n ** 63n, 5n]),
      f32: Float32Array.from([1.5, -0.25, NaN]),
    });
    const b = tableToBatches(t)[0]!;
    expect(b.schema.map((f) => f.type)).toEqual(['int32', 'int32', 'int64', 'int64', 'int64', 'float64']);
    const rows = batchToRows(b);
    expect(rows.map((r) => r.i8)).toEqual([-128, 0, 127]);
    expect(rows.map((r) => r.u16)).toEqual([0, 65535, 7]);
    expect(rows.map((r) => r.u32)).toEqual([0, 4294967295, 7]);
    expect(rows.map((r) => r.i64)).toEqual([-(2 ** 40) - 3, 2 ** 53, -1]);
    expect(rows.map((r) => r.u64)).toEqual([0, 2 ** 63, 5]);
    expect(rows.map((r) => r.f32)).toEqual([1.5, -0.25, NaN]);

    const mk = (type: arrow.DataType, values: ArrayBufferView, len: number) => arrow.makeVector(arrow.makeData({ type, length: len, nullCount: 0, data: values } as never));
    const ts = [-1_500n, 0n, 1_700_000_000_123n];
    const t2 = new arrow.Table({
      ds: mk(new arrow.DateMillisecond(), BigInt64Array.from([-86_400_000n, 0n, 19_000n * 86_400_000n]), 3),
      tsS: mk(new arrow.TimestampSecond(), BigInt64Array.from([-2n, 0n, 1_700_000_000n]), 3),
      tsMs: mk(new arrow.TimestampMillisecond(), BigInt64Array.from(ts), 3),
      tsUs: mk(new arrow.TimestampMicrosecond('UTC'), BigInt64Array.from(ts.map((x) => x * 1000n + 999n)), 3),
      tsNs: mk(new arrow.TimestampNanosecond(), BigInt64Array.from(ts.map((x) => x * 1_000_000n + 999_999n)), 3),
      dec: mk(new arrow.Decimal(2, 10, 128), Uint32Array.from([12345, 0, 0, 0, 0xffffffff - 99, 0xffffffff, 0xffffffff, 0xffffffff, 0, 0, 0, 0]), 3),
      ls: arrow.vectorFromArray(['a', null, 'ccc'], new arrow.LargeUtf8()),
    });
    const rows2 = batchToRows(tableToBatches(t2)[0]!);
    expect(rows2.map((r) => (r.ds as Date).getTime())).toEqual([-86_400_000, 0, 19_000 * 86_400_000]);
    expect(rows2.map((r) => (r.tsS as Date).getTime())).toEqual([-2000, 0, 1_700_000_000_000]);
    for (const k of ['tsMs', 'tsUs', 'tsNs']) expect(rows2.map((r) => (r[k] as Date).getTime())).toEqual(ts.map(Number));
    expect(rows2.map((r) => r.dec)).toEqual([123.45, -1, 0]);
    expect(rows2.map((r) => r.ls)).toEqual(['a', null, 'ccc']);
  });

  it('checks a given schema against the batch', () => {
    const b = rowsToBatch(schema, sampleRows(3));
    const rb = batchToRecordBatch(b);
    expect(() => recordBatchToBatch(rb, [...schema.slice(0, 6), field('zz', 'timestamp')])).toThrow(/'t'.*'zz'/);
    expect(() => recordBatchToBatch(rb, schema.slice(1))).toThrow(/7 columns/);
    const nn = schema.map((f) => ({ ...f, nullable: false }));
    expect(recordBatchToBatch(rb, nn).schema).toEqual(nn);
  });
});
