import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync } from 'node:fs';
import { readParquetRowGroups } from './src/executor/io/parquet-read.ts';
import { readParquetMeta } from './src/executor/io/parquet-meta.ts';
const P = '/tmp/pq/big5m.parquet';
if (!existsSync(P)) {
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  const t0 = Date.now();
  await con.run(`COPY (SELECT i::BIGINT AS id, (i % 100000)::INT AS k, (hash(i) % 10000) / 100.0 AS amount, 'cust-' || (i % 50000) AS customer, DATE '2024-01-01' + (i % 365)::INT AS d FROM range(5000000) t(i)) TO '${P}' (FORMAT parquet)`);
  console.log('generated in', Date.now() - t0, 'ms');
}
const m0 = Date.now(); const meta = await readParquetMeta(P); console.log('meta', Date.now() - m0, 'ms', meta.rowGroups.length, 'row groups', meta.schema.map(f => f.name + ':' + f.type).join(' '));
const bs = Number(process.argv[2] ?? 65536);
for (const cols of [['k', 'amount'], meta.schema.map(f => f.name), ['k', 'amount'], meta.schema.map(f => f.name)]) {
  const t0 = Date.now(); let rows = 0, batches = 0; let sum = 0;
  for await (const b of readParquetRowGroups(P, null, cols, bs)) { rows += b.length; batches++; const v = b.columns[1]!.values as Float64Array; for (let i = 0; i < b.length; i++) sum += v[i]!; }
  console.log(cols.join(','), 'batch', bs, rows, 'rows', batches, 'batches', Date.now() - t0, 'ms', 'rss', Math.round(process.memoryUsage().rss / 1e6), 'MB');
}
