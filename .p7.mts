import { readParquetRowGroups } from './src/executor/io/parquet-read.ts';
for (const p of ['/tmp/pq/bad.parquet', '/tmp/pq/t1.parquet', '/tmp/pq/trunc2.parquet', '/tmp/pq/trunc.parquet', '/tmp/pq/bad2.parquet', '/tmp/pq/nonexist.parquet', '/tmp/pq/t1.parquet']) {
  try { let n = 0; for await (const b of readParquetRowGroups(p, null, ['a', 's'])) n += b.length; console.log(p, 'ok', n); }
  catch (e) { console.log(p, 'ERR', (e as Error).message); }
}
setTimeout(() => { console.log('after: still alive'); throw new Error('unrelated boom'); }, 10);
