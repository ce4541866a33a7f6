import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
const r = await con.runAndReadAll(`SELECT a, a IS NULL AS n, b FROM read_csv('/tmp/pq/q.csv', header=true, columns={'a':'VARCHAR','b':'INT'})`);
console.log(r.getRowObjectsJS());
const r2 = await con.runAndReadAll(`SELECT 'NaN'::DOUBLE AS x, '-Infinity'::DOUBLE y, '1e+21'::DOUBLE z, epoch_ms('2024-01-01T00:00:00.123Z'::TIMESTAMPTZ) w, epoch_ms('-000001-01-01T00:00:00.000Z'::TIMESTAMPTZ) v`);
console.log(r2.getRowObjectsJS());
