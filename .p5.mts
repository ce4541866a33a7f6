import { readParquetRowGroups } from './src/executor/io/parquet-read.ts';
const P = '/tmp/pq/big5m.parquet';
const bs = Number(process.argv[2] ?? 65536);
for (const cols of [['k'], ['k'], ['id'], ['amount'], ['customer'], ['d'], ['customer']]) {
  const t0 = Date.now(); let rows = 0;
  for await (const b of readParquetRowGroups(P, null, cols, bs)) { rows += b.length; }
  console.log(cols.join(','), rows, Date.now() - t0, 'ms');
}
