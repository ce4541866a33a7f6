import * as pw from 'parquet-wasm';
import { parseTable } from 'arrow-js-ffi';
import { openAsBlob } from 'node:fs';
import { recordBatchToBatch } from './src/executor/arrow.ts';
const P = '/tmp/pq/big5m.parquet';
const f = await pw.ParquetFile.fromFile(await openAsBlob(P));
for (let rep = 0; rep < 3; rep++) for (const col of ['customer', 'id', 'k']) {
  let tRead = 0, tParse = 0, tConv = 0;
  for (let g = 0; g < 41; g++) {
    let t = performance.now();
    const wt = await f.read({ columns: [col], rowGroups: [g], batchSize: 65536 });
    tRead += performance.now() - t; t = performance.now();
    const ffi = wt.intoFFI();
    const at = parseTable(pw.wasmMemory().buffer, ffi.arrayAddrs(), ffi.schemaAddr(), true);
    ffi.free();
    tParse += performance.now() - t; t = performance.now();
    for (const rb of at.batches) recordBatchToBatch(rb);
    tConv += performance.now() - t;
    if (g === 0 && rep === 0) console.log(col, at.schema.fields[0]!.type.toString());
  }
  console.log(col, 'read', tRead.toFixed(0), 'parse', tParse.toFixed(0), 'conv', tConv.toFixed(0));
}
