import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchToRows, type Batch } from '../../src/executor/batch.js';
import { inferCsvSchema, readCsvFile, MalformedRecordError } from '../../src/executor/io/csv.js';
import { setChunkSize } from '../../src/executor/io/text-chunks.js';
import { type CsvOptions, newReadMetrics, type ReadMetrics } from '../../src/executor/io/text-options.js';
import { field, type Schema } from '../../src/planner/types.js';

let dir: string;
let con: DuckDBConnection;
let n = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sparrow-csv-'));
  const inst = await DuckDBInstance.create(':memory:');
  con = await inst.connect();
  await con.run("SET TimeZone = 'UTC'");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(text: string | Uint8Array, name = `f${n++}.csv`): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function read(path: string, schema: Schema, opts: CsvOptions = {}, columns?: string[], metrics: ReadMetrics = newReadMetrics(), batchRows?: number) {
  const rows: Record<string, unknown>[] = [];
  const batches: Batch[] = [];
  for (const b of readCsvFile(path, schema, columns ?? schema.map((f) => f.name), opts, metrics, batchRows)) {
    batches.push(b);
    rows.push(...batchToRows(b));
  }
  return { rows, batches, metrics };
}

/** Comparable form: Dates as epoch ms, bigints as numbers. */
function norm(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.getTime() : typeof v === 'bigint' ? Number(v) : v])));
}

const DUCK: Record<string, string> = {
  int32: 'INTEGER', int64: 'BIGINT', float64: 'DOUBLE', string: 'VARCHAR', boolean: 'BOOLEAN', date: 'DATE', timestamp: 'TIMESTAMPTZ',
};

async function duck(path: string, schema: Schema, header = true, extra = ''): Promise<Record<string, unknown>[]> {
  const cols = schema.map((f) => `'${f.name}': '${DUCK[f.type]}'`).join(', ');
  const r = await con.runAndReadAll(
    `SELECT * FROM read_csv('${path}', header=${header}, columns={${cols}}, quote='"', escape='"', delim=',', auto_detect=false${extra})`,
  );
  return r.getRowObjectsJS() as Record<string, unknown>[];
}

const typical: Schema = [
  field('id', 'int32'), field('big', 'int64'), field('amount', 'float64'), field('name', 'string'),
  field('day', 'date'), field('ts', 'timestamp'), field('ok', 'boolean'),
];

const typicalText = [
  'id,big,amount,name,day,ts,ok',
  '1,10000000000,1.5,plain,2024-01-01,2024-01-01T10:00:00,true',
  '2,-5,-0.25,"with, comma",2024-02-29,2024-01-01 10:00:00,FALSE',
  '3,,1e3,"multi',
  'line ""quoted""",1999-12-31,2024-06-30T23:59:59.5Z,',
  '4,7,,,,,True',
  '5,0,-Infinity,"ünïcödé ✓",1970-01-01,1969-12-31T23:59:59+02:00,false',
  '-6,123456789012,NaN,x,2000-03-01,2024-01-01T00:00:00.123-05:30,true',
].join('\r\n') + '\r\n';

describe('CSV reader against DuckDB', () => {
  it('reads typical data: nulls, quoted commas and newlines, doubled quotes, CRLF', async () => {
    const p = file(typicalText);
    expect(norm(read(p, typical).rows)).toEqual(norm(await duck(p, typical)));
  });

  it('skips a UTF-8 BOM and handles LF without a final newline', async () => {
    const text = typicalText.replace(/\r\n/g, '\n').trimEnd();
    const p = file(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]));
    const ours = read(p, typical).rows;
    expect(ours).toHaveLength(6);
    expect(norm(ours)).toEqual(norm(await duck(p, typical)));
  });

  it('reads files without a header as _c0, _c1, ...', async () => {
    const p = file('1,a,2.5\n2,"b,c",\n3,,-1\n');
    const schema = await inferCsvSchema([p], { header: false });
    expect(schema.map((f) => `${f.name}:${f.type}`)).toEqual(['_c0:int32', '_c1:string', '_c2:float64']);
    const ours = read(p, schema, { header: false }).rows;
    const theirs = await duck(p, [field('_c0', 'int32'), field('_c1', 'string'), field('_c2', 'float64')], false);
    expect(norm(ours)).toEqual(norm(theirs));
  });

  for (const nl of ['\n', '\r\n']) {
    it(`matches DuckDB on generated data across batch and buffer boundaries (${JSON.stringify(nl)})`, async () => {
      const words = ['a', 'b,c', 'say "hi"', 'line\nbreak', 'crlf\r\nin', '', 'éà', '  padded  '];
      const lines = ['k,v,s,d'];
      let seed = 7;
      const rnd = (m: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % m; };
      for (let i = 0; i < 1500; i++) {
        const w = words[rnd(words.length)]!;
        const s = /[,"\n\r]/.test(w) || rnd(3) === 0 ? `"${w.replace(/"/g, '""')}"` : w;
        const v = rnd(10) === 0 ? '' : (rnd(200000) / 100 - 1000).toString();
        const d = rnd(10) === 0 ? '' : new Date(Date.UTC(2000, 0, 1) + rnd(9000) * 86_400_000).toISOString().slice(0, 10);
        lines.push(`${i},${v},${s},${d}`);
      }
      const p = file(lines.join(nl) + nl);
      const schema: Schema = [field('k', 'int64'), field('v', 'float64'), field('s', 'string'), field('d', 'date')];
      const theirs = norm(await duck(p, schema, true, `, new_line='${nl === '\n' ? '\\n' : '\\r\\n'}'`));
      expect(theirs).toHaveLength(1500);
      setChunkSize(100);
      try {
        const r = read(p, schema, {}, undefined, newReadMetrics(), 256);
        expect(r.batches.every((b) => b.length <= 256)).toBe(true);
        expect(norm(r.rows)).toEqual(theirs);
      } finally {
        setChunkSize(4 << 20);
      }
      expect(norm(read(p, schema).rows)).toEqual(theirs);
      const inferred = await inferCsvSchema([p], {});
      expect(inferred.map((f) => f.type)).toEqual(['int32', 'float64', 'string', 'date']);
    });
  }
});

describe('CSV values', () => {
  it('keeps "" as an empty string and reads an empty unquoted field as NULL', () => {
    const p = file('s,i\n"",1\n,2\n"",""\n');
    expect(read(p, [field('s', 'string'), field('i', 'int32')]).rows).toEqual([
      { s: '', i: 1 }, { s: null, i: 2 }, { s: '', i: null },
    ]);
  });

  it('nullValue marks NULL', () => {
    const p = file('s,i\nNA,NA\nx,3\n');
    expect(read(p, [field('s', 'string'), field('i', 'int32')], { nullValue: 'NA' }).rows).toEqual([
      { s: null, i: null }, { s: 'x', i: 3 },
    ]);
  });

  it('parses floats in all accepted forms', () => {
    const p = file('f\n1.5\n-2\n1e3\n2.5E-3\n.5\nNaN\nInfinity\n-Infinity\n 7 \n0.1\n123456789.123456789\n');
    const got = read(p, [field('f', 'float64')]).rows.map((r) => r.f);
    expect(got).toEqual([1.5, -2, 1000, 0.0025, 0.5, NaN, Infinity, -Infinity, 7, 0.1, 123456789.123456789]);
  });

  it('supports tab and semicolon delimiters and backslash escapes', () => {
    const t = file('a\tb\n1\t"x\ty"\n');
    expect(read(t, [field('a', 'int32'), field('b', 'string')], { delimiter: '\t' }).rows).toEqual([{ a: 1, b: 'x\ty' }]);
    const s = file('a;b\n1;"say \\"hi\\" \\\\ ok"\n');
    expect(read(s, [field('a', 'int32'), field('b', 'string')], { delimiter: ';', escape: '\\' }).rows)
      .toEqual([{ a: 1, b: 'say "hi" \\ ok' }]);
  });

  it('maps an explicit schema by position and accepts { column: typeName }', async () => {
    const p = file('x,y,z\n1,2.5,hello\n');
    const schema = await inferCsvSchema([p], { schema: { id: 'int', amount: 'double', label: 'string' } });
    expect(schema).toEqual([field('id', 'int32'), field('amount', 'float64'), field('label', 'string')]);
    expect(read(p, schema).rows).toEqual([{ id: 1, amount: 2.5, label: 'hello' }]);
    const fromArrow = await inferCsvSchema([p], {
      schema: new arrow.Schema([new arrow.Field('a', new arrow.Int64()), new arrow.Field('b', new arrow.Float64()), new arrow.Field('c', new arrow.Utf8())]),
    });
    expect(fromArrow.map((f) => f.type)).toEqual(['int64', 'float64', 'string']);
  });

  it('returns only the requested columns, in the requested order, in batches of at most batchRows', () => {
    const p = file('a,b,c\n' + Array.from({ length: 20 }, (_, i) => `${i},${i * 2},s${i}`).join('\n'));
    const schema: Schema = [field('a', 'int32'), field('b', 'int32'), field('c', 'string')];
    const r = read(p, schema, {}, ['c', 'a'], newReadMetrics(), 7);
    expect(r.batches.map((b) => b.length)).toEqual([7, 7, 6]);
    expect(r.batches[0]!.schema.map((f) => f.name)).toEqual(['c', 'a']);
    expect(r.rows[19]).toEqual({ c: 's19', a: 19 });
    const none = read(p, schema, {}, []);
    expect(none.batches.reduce((s, b) => s + b.length, 0)).toBe(20);
  });
});

describe('CSV schema inference', () => {
  it('infers the narrowest type per column over all rows', async () => {
    const p = file([
      'i32,i64,f,mixnum,b,d,ts,dts,s,nul,boolint',
      '1,1,1.5,1,true,2024-01-01,2024-01-01T10:00:00,2024-01-01,x,,1',
      '-2,3000000000,2,2.5,FALSE,2024-12-31,2024-01-01 10:00:00Z,2024-01-02 03:04:05,1,,true',
      ',,,,,,,,,,',
    ].join('\n'));
    const schema = await inferCsvSchema([p], {});
    expect(schema.map((f) => `${f.name}:${f.type}`)).toEqual([
      'i32:int32', 'i64:int64', 'f:float64', 'mixnum:float64', 'b:boolean', 'd:date', 'ts:timestamp',
      'dts:timestamp', 's:string', 'nul:string', 'boolint:string',
    ]);
  });

  it('joins types across files and takes names from the first header', async () => {
    const a = file('a,b\n1,x\n');
    const b = file('a,b\n2.5,y\n');
    const schema = await inferCsvSchema([a, b], {});
    expect(schema.map((f) => `${f.name}:${f.type}`)).toEqual(['a:float64', 'b:string']);
  });

  it('makes header names unique as Spark does and adds _corrupt_record in PERMISSIVE mode', async () => {
    const p = file('a,A,,b\n1,2,3,4\n');
    const schema = await inferCsvSchema([p], { mode: 'PERMISSIVE' });
    expect(schema.map((f) => f.name)).toEqual(['a0', 'A1', '_c2', 'b', '_corrupt_record']);
    expect(schema[4]!.type).toBe('string');
  });

  it('reads every column as string with inferSchema: false, and an empty file has no columns', async () => {
    const p = file('a,b\n1,2\n');
    expect((await inferCsvSchema([p], { inferSchema: false })).map((f) => f.type)).toEqual(['string', 'string']);
    expect(await inferCsvSchema([file('')], {})).toEqual([]);
  });
});

describe('CSV parse modes', () => {
  const schema: Schema = [field('id', 'int32'), field('name', 'string'), field('amount', 'float64')];
  const text = [
    'id,name,amount',          // line 1
    '1,a,1.5',                 // 2
    '',                        // 3 (blank: skipped)
    '2,"multi',                // 4
    'line",2.5',               // 5
    '3,c,abc',                 // 6  bad float
    '4,d',                     // 7  too few fields
    '99999999999,e,1',         // 8  int32 overflow
    '5,f,1,extra',             // 9  too many fields
    '6,g,7',                   // 10
  ].join('\n') + '\n';

  function failMessage(path: string, s: Schema, opts: CsvOptions = {}): string {
    try {
      read(path, s, opts);
    } catch (err) {
      expect(err).toBeInstanceOf(MalformedRecordError);
      return (err as Error).message;
    }
    throw new Error('expected the read to fail');
  }

  it('FAILFAST names the file, line, column and reason of the first malformed record', () => {
    const p = file(text, 'orders.csv');
    expect(failMessage(p, schema)).toContain(`malformed CSV record in ${p} at line 6, column 3 ('amount'): cannot parse 'abc' as float64`);
    const q = file('id,name,amount\n1,a,1\n4,d\n');
    expect(failMessage(q, schema)).toContain("at line 3, column 3 ('amount'): record has 2 fields, expected 3");
    const r = file('id,name,amount\n99999999999,e,1\n');
    expect(failMessage(r, schema)).toContain("at line 2, column 1 ('id'): '99999999999' is out of range for int32");
    const u = file('id,name,amount\n1,a,1\n2,"never closed,3\n4,b,5\n');
    expect(failMessage(u, schema)).toContain("at line 3, column 2 ('name'): unterminated quoted field");
    const i = file('id,name,amount\n12abc,a,1\n');
    expect(failMessage(i, schema)).toContain("column 1 ('id'): cannot parse '12abc' as int32");
    const f = file('id,name,amount\n1.5,a,1\n');
    expect(failMessage(f, schema)).toContain("cannot parse '1.5' as int32");
    const d = file('d\n2024-02-30\n');
    expect(failMessage(d, [field('d', 'date')])).toContain("at line 2, column 1 ('d'): cannot parse '2024-02-30' as date");
    const t = file('t\n2024-01-01T10:00:00\n2024-01-01T25:00:00\n');
    expect(failMessage(t, [field('t', 'timestamp')])).toContain("at line 3, column 1 ('t'): cannot parse '2024-01-01T25:00:00' as timestamp");
    const b = file('b\nyes\n');
    expect(failMessage(b, [field('b', 'boolean')])).toContain("cannot parse 'yes' as boolean");
  });

  it('FAILFAST checks columns that are not requested too', () => {
    const p = file(text);
    expect(() => read(p, schema, {}, ['name'])).toThrow(/line 6, column 3/);
  });

  it('DROPMALFORMED skips malformed records and counts them', () => {
    const p = file(text);
    const r = read(p, schema, { mode: 'DROPMALFORMED' });
    expect(r.rows).toEqual([
      { id: 1, name: 'a', amount: 1.5 }, { id: 2, name: 'multi\nline', amount: 2.5 }, { id: 6, name: 'g', amount: 7 },
    ]);
    expect(r.metrics).toEqual({ droppedMalformed: 4, corruptRecords: 0 });
    const small = read(p, schema, { mode: 'DROPMALFORMED' }, ['id'], newReadMetrics(), 2);
    expect(small.rows.map((x) => x.id)).toEqual([1, 2, 6]);
  });

  it('PERMISSIVE keeps malformed records with the fields that parse and their raw text', async () => {
    const p = file(text);
    const full = await inferCsvSchema([p], { mode: 'PERMISSIVE', schema });
    expect(full.map((f) => f.name)).toEqual(['id', 'name', 'amount', '_corrupt_record']);
    const r = read(p, full, { mode: 'PERMISSIVE' });
    expect(r.rows).toEqual([
      { id: 1, name: 'a', amount: 1.5, _corrupt_record: null },
      { id: 2, name: 'multi\nline', amount: 2.5, _corrupt_record: null },
      { id: 3, name: 'c', amount: null, _corrupt_record: '3,c,abc' },
      { id: 4, name: 'd', amount: null, _corrupt_record: '4,d' },
      { id: null, name: 'e', amount: 1, _corrupt_record: '99999999999,e,1' },
      { id: 5, name: 'f', amount: 1, _corrupt_record: '5,f,1,extra' },
      { id: 6, name: 'g', amount: 7, _corrupt_record: null },
    ]);
    expect(r.metrics.corruptRecords).toBe(4);
    const only = read(p, full, { mode: 'PERMISSIVE' }, ['_corrupt_record']);
    expect(only.rows.filter((x) => x._corrupt_record !== null)).toHaveLength(4);
  });

  it('counts lines inside quoted fields and blank lines for error positions', () => {
    const p = file('a,b\r\n"x\r\ny\r\nz",1\r\n\r\n\r\nq,oops\r\n');
    expect(() => read(p, [field('a', 'string'), field('b', 'int32')])).toThrow(/at line 7, column 2 \('b'\)/);
  });
});
