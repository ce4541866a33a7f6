import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchToRows, type Batch } from '../../src/executor/batch.js';
import { inferJsonSchema, readJsonFile, MalformedRecordError } from '../../src/executor/io/json.js';
import { setChunkSize } from '../../src/executor/io/text-chunks.js';
import { type JsonOptions, newReadMetrics, type ReadMetrics } from '../../src/executor/io/text-options.js';
import { field, type Schema } from '../../src/planner/types.js';

let dir: string;
let con: DuckDBConnection;
let n = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sparrow-json-'));
  const inst = await DuckDBInstance.create(':memory:');
  con = await inst.connect();
  await con.run("SET TimeZone = 'UTC'");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(text: string, name = `f${n++}.json`): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function read(path: string, schema: Schema, opts: JsonOptions = {}, columns?: string[], metrics: ReadMetrics = newReadMetrics(), batchRows?: number) {
  const rows: Record<string, unknown>[] = [];
  const batches: Batch[] = [];
  for (const b of readJsonFile(path, schema, columns ?? schema.map((f) => f.name), opts, metrics, batchRows)) {
    batches.push(b);
    rows.push(...batchToRows(b));
  }
  return { rows, batches, metrics };
}

function norm(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.getTime() : typeof v === 'bigint' ? Number(v) : v])));
}

const DUCK: Record<string, string> = {
  int32: 'INTEGER', int64: 'BIGINT', float64: 'DOUBLE', string: 'VARCHAR', boolean: 'BOOLEAN', date: 'DATE', timestamp: 'TIMESTAMPTZ',
};

async function duck(path: string, schema: Schema): Promise<Record<string, unknown>[]> {
  const cols = schema.map((f) => `'${f.name}': '${DUCK[f.type]}'`).join(', ');
  const r = await con.runAndReadAll(`SELECT * FROM read_json('${path}', format='newline_delimited', columns={${cols}})`);
  return r.getRowObjectsJS() as Record<string, unknown>[];
}

const schema: Schema = [
  field('id', 'int64'), field('n', 'int32'), field('amount', 'float64'), field('name', 'string'),
  field('day', 'date'), field('ts', 'timestamp'), field('ok', 'boolean'),
];

const lines = [
  '{"id": 1, "n": 10, "amount": 1.5, "name": "plain", "day": "2024-01-01", "ts": "2024-01-01T10:00:00", "ok": true}',
  '{"ok": false, "ts": "2024-01-01 10:00:00Z", "day": "2024-02-29", "name": "esc \\"q\\" \\\\ \\n \\u00e9 ✓", "amount": -2e-3, "n": -3, "id": 9007199254740991}',
  '',
  '  {"id": 3, "amount": 7, "name": null, "extra": {"deep": [1, 2, {"x": null}]}}  ',
  '{"id": 4, "ts": "1969-12-31T23:59:59.5+01:00"}',
  '{}',
];

describe('JSON-lines reader against DuckDB', () => {
  it('reads typical records: missing keys, nulls, escapes, key order, blank lines, CRLF', async () => {
    const p = file(lines.join('\r\n') + '\r\n');
    const theirs = norm(await duck(p, schema));
    expect(norm(read(p, schema).rows)).toEqual(theirs);
    setChunkSize(16);
    try {
      const r = read(p, schema, {}, undefined, newReadMetrics(), 2);
      expect(r.batches.map((b) => b.length)).toEqual([2, 2, 1]);
      expect(norm(r.rows)).toEqual(theirs);
    } finally {
      setChunkSize(4 << 20);
    }
  });

  it('matches DuckDB on generated records', async () => {
    let seed = 11;
    const rnd = (m: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % m; };
    const words = ['a', 'b,c', 'say "hi"', 'line\nbreak', '', 'éà', 'tab\there'];
    const out: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const rec: Record<string, unknown> = { id: i };
      if (rnd(5)) rec.amount = rnd(2) ? rnd(100000) / 100 : rnd(1000);
      if (rnd(5)) rec.name = words[rnd(words.length)];
      if (rnd(5)) rec.ok = rnd(2) === 1;
      if (rnd(5)) rec.day = new Date(Date.UTC(2000, 0, 1) + rnd(9000) * 86_400_000).toISOString().slice(0, 10);
      out.push(JSON.stringify(rec));
    }
    const p = file(out.join('\n'));
    const s: Schema = [field('id', 'int64'), field('amount', 'float64'), field('name', 'string'), field('ok', 'boolean'), field('day', 'date')];
    expect(norm(read(p, s).rows)).toEqual(norm(await duck(p, s)));
  });
});

describe('JSON-lines values', () => {
  it('reads non-string values into string columns as their JSON text, nested values compacted', () => {
    const p = file('{"s": 12.50}\n{"s": true}\n{"s": {"a" : [1, "x y"]}}\n{"s": "t"}\n');
    expect(read(p, [field('s', 'string')]).rows.map((r) => r.s)).toEqual(['12.50', 'true', '{"a":[1,"x y"]}', 't']);
  });

  it('reads NaN and Infinity strings as doubles and integer timestamps as epoch seconds', () => {
    const p = file('{"f": "NaN", "t": 86400}\n{"f": "-Infinity", "t": "1970-01-02"}\n{"f": 3, "t": null}\n');
    expect(read(p, [field('f', 'float64'), field('t', 'timestamp')]).rows.map((r) => [r.f, r.t instanceof Date ? r.t.getTime() : r.t]))
      .toEqual([[NaN, 86_400_000], [-Infinity, 86_400_000], [3, null]]);
  });

  it('returns only the requested columns in the requested order', () => {
    const p = file('{"a": 1, "b": "x"}\n{"b": "y", "a": 2}\n');
    const r = read(p, [field('a', 'int64'), field('b', 'string')], {}, ['b', 'a']);
    expect(r.rows).toEqual([{ b: 'x', a: 1 }, { b: 'y', a: 2 }]);
    expect(r.batches[0]!.schema.map((f) => f.name)).toEqual(['b', 'a']);
  });
});

describe('JSON-lines schema inference', () => {
  it('unions keys sorted by name; int64, float64, boolean, string; nested and mixed as string', async () => {
    const a = file([
      '{"zeta": 1, "alpha": "2024-01-01", "mixed": 1, "num": 1, "nested": {"a": 1}, "b": true, "nul": null}',
      '{"num": 2.5, "mixed": "x", "arr": [1, 2], "big": 12345678901}',
    ].join('\n'));
    const b = file('{"only_b": false}\nnot json\n');
    const s = await inferJsonSchema([a, b], {});
    expect(s.map((f) => `${f.name}:${f.type}`)).toEqual([
      'alpha:string', 'arr:string', 'b:boolean', 'big:int64', 'mixed:string', 'nested:string', 'nul:string',
      'num:float64', 'only_b:boolean', 'zeta:int64',
    ]);
    const p = await inferJsonSchema([b], { mode: 'PERMISSIVE' });
    expect(p.map((f) => f.name)).toEqual(['only_b', '_corrupt_record']);
    expect(await inferJsonSchema([a], { schema: { x: 'long' } })).toEqual([field('x', 'int64')]);
  });

  it('infers 1.0 as float64, as Spark does', async () => {
    const p = file('{"x": 1.0}\n{"x": 2}\n');
    expect((await inferJsonSchema([p], {}))[0]!.type).toBe('float64');
  });
});

describe('JSON-lines parse modes', () => {
  const s: Schema = [field('id', 'int64'), field('amount', 'float64'), field('name', 'string')];
  const text = [
    '{"id": 1, "amount": 1.5, "name": "a"}',   // 1
    '',                                        // 2
    '{"id": 2, "amount": "abc", "name": "b"}', // 3 wrong type
    '{"id": 3, "amount": 2, "name": "c"',      // 4 invalid JSON
    '[1, 2]',                                  // 5 not an object
    '{"id": 4.5, "name": "d"}',                // 6 float for int64
    '{"id": 5, "amount": 3}',                  // 7
  ].join('\n');

  function failMessage(path: string, sch: Schema): string {
    try {
      read(path, sch);
    } catch (err) {
      expect(err).toBeInstanceOf(MalformedRecordError);
      return (err as Error).message;
    }
    throw new Error('expected the read to fail');
  }

  it('FAILFAST names the file, line, column and reason', () => {
    const p = file(text, 'orders.json');
    expect(failMessage(p, s)).toContain(`malformed JSON record in ${p} at line 3, column 2 ('amount'): cannot convert string 'abc' to float64`);
    const q = file('{"id": 1}\n{"id": 3, "amount": 2\n');
    expect(failMessage(q, s)).toMatch(/at line 2: invalid JSON at character \d+/);
    const r = file('{"id": 1}\n[1, 2]\n');
    expect(failMessage(r, s)).toContain('at line 2: expected a JSON object, found an array');
    const f = file('{"id": 4.5}\n');
    expect(failMessage(f, s)).toContain("at line 1, column 1 ('id'): cannot convert number 4.5 to int64");
    const i = file('{"n": 3000000000}\n');
    expect(failMessage(i, [field('n', 'int32')])).toContain('cannot convert number 3000000000 to int32 (out of range)');
  });

  it('DROPMALFORMED skips and counts', () => {
    const r = read(file(text), s, { mode: 'DROPMALFORMED' });
    expect(r.rows).toEqual([{ id: 1, amount: 1.5, name: 'a' }, { id: 5, amount: 3, name: null }]);
    expect(r.metrics).toEqual({ droppedMalformed: 4, corruptRecords: 0 });
  });

  it('PERMISSIVE keeps the fields that convert and the raw line', () => {
    const full: Schema = [...s, field('_corrupt_record', 'string')];
    const r = read(file(text), full, { mode: 'PERMISSIVE' });
    expect(r.rows).toEqual([
      { id: 1, amount: 1.5, name: 'a', _corrupt_record: null },
      { id: 2, amount: null, name: 'b', _corrupt_record: '{"id": 2, "amount": "abc", "name": "b"}' },
      { id: null, amount: null, name: null, _corrupt_record: '{"id": 3, "amount": 2, "name": "c"' },
      { id: null, amount: null, name: null, _corrupt_record: '[1, 2]' },
      { id: null, amount: null, name: 'd', _corrupt_record: '{"id": 4.5, "name": "d"}' },
      { id: 5, amount: 3, name: null, _corrupt_record: null },
    ]);
    expect(r.metrics.corruptRecords).toBe(4);
  });

  it('rejects invalid JSON that a lenient scanner might accept', () => {
    for (const bad of ['{"a": 01}', '{"a": [1,]}', "{'a': 1}", '{"a": tru}', '{"a": 1} x', '{"a": "\\x"}', '{"a" 1}', '{"a": -}']) {
      const r = read(file(bad + '\n'), [field('a', 'string')], { mode: 'DROPMALFORMED' });
      expect(r.metrics.droppedMalformed, bad).toBe(1);
    }
  });
});
